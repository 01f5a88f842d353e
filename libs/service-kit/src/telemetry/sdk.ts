// OpenTelemetry for a Wenming process (DESIGN §6): traces and metrics, and pino logs
// carrying trace_id / span_id.
//
// Nothing leaves the process unless OTEL_EXPORTER_OTLP_ENDPOINT is set. Then the
// full NodeSDK runs, configured by the standard OTEL_* variables (protocol, headers,
// sampler, …), exporting traces, metrics and logs over OTLP. Without it, a bare
// tracer provider still makes spans (their ids in logs and in event metadata tie a
// request together) and exports nothing; it skips loading the NodeSDK and its
// exporters, which would cost a noticeable part of a second at every start.
import { register } from 'node:module';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { metrics, tracing } from '@opentelemetry/sdk-node';
import { createAddHookMessageChannel } from 'import-in-the-middle';
import { setActiveTelemetry, type Telemetry, telemetryDisabled } from './handle.js';
import { createInstrumentations } from './instrumentations.js';

export interface TelemetryOptions {
  env?: NodeJS.ProcessEnv;
  /** Tests: export spans here (e.g. sdk-node's tracing.InMemorySpanExporter), synchronously. */
  spanExporter?: tracing.SpanExporter;
  /** Tests: read metrics here (runs the full NodeSDK). */
  metricReader?: metrics.MetricReader;
  /** Default: OTEL_SERVICE_NAME, else "wenming". */
  serviceName?: string;
}

let esmHooksRegistered = false;

/**
 * Starts telemetry once per process; undefined when OTEL_SDK_DISABLED=true. The
 * modules it instruments (http, fastify, grpc-js, kafkajs, pg, mongodb, pino) must
 * be imported after it resolves: hence the register module, run with --import.
 */
export async function startTelemetry(options: TelemetryOptions = {}): Promise<Telemetry | undefined> {
  const env = options.env ?? process.env;
  if (telemetryDisabled(env)) return undefined;
  const exporting = nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT) !== undefined;
  const serviceName = options.serviceName ?? nonEmpty(env.OTEL_SERVICE_NAME) ?? 'wenming';
  const telemetry =
    exporting || options.metricReader ? await startNodeSdk(options, serviceName, exporting) : await startLocalTracing(options, serviceName);
  setActiveTelemetry(telemetry);
  return telemetry;
}

async function startNodeSdk(options: TelemetryOptions, serviceName: string, exporting: boolean): Promise<Telemetry> {
  const { NodeSDK, tracing } = await import('@opentelemetry/sdk-node');
  const hooksAcknowledged = registerEsmHooks();
  const sdk = new NodeSDK({
    serviceName,
    instrumentations: createInstrumentations({ sendLogs: exporting }),
    // Processors and readers given here override the environment; left out, the
    // SDK builds OTLP exporters from the OTEL_* variables.
    ...(options.spanExporter ? { spanProcessors: [new tracing.SimpleSpanProcessor(options.spanExporter)] } : {}),
    ...(options.metricReader ? { metricReaders: [options.metricReader] } : {}),
    ...(exporting ? {} : { logRecordProcessors: [] }),
    ...(!exporting && !options.spanExporter ? { spanProcessors: [new tracing.NoopSpanProcessor()] } : {}),
  });
  sdk.start();
  await hooksAcknowledged();
  return once(() => sdk.shutdown());
}

async function startLocalTracing(options: TelemetryOptions, serviceName: string): Promise<Telemetry> {
  const [{ NodeTracerProvider, NoopSpanProcessor, SimpleSpanProcessor }, { resourceFromAttributes }] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/resources'),
  ]);
  const hooksAcknowledged = registerEsmHooks();
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: [options.spanExporter ? new SimpleSpanProcessor(options.spanExporter) : new NoopSpanProcessor()],
  });
  // Global tracer provider, AsyncLocalStorage context, W3C trace-context propagation.
  provider.register();
  const instrumentations: Instrumentation[] = createInstrumentations({ sendLogs: false });
  await hooksAcknowledged();
  return once(async () => {
    for (const instrumentation of instrumentations) instrumentation.disable();
    await provider.shutdown();
  });
}

/**
 * The instrumented packages are CommonJS, but our ES modules import them, which
 * require hooks do not see: import-in-the-middle's loader wraps exactly the modules
 * the instrumentations name (the message channel tells the loader thread which).
 * Returns the wait for the loader to have learnt every name registered by then.
 */
function registerEsmHooks(): () => Promise<void> {
  if (esmHooksRegistered) return async () => undefined;
  esmHooksRegistered = true;
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);
  return waitForAllMessagesAcknowledged;
}

function once(shutdown: () => Promise<void>): Telemetry {
  let stopped: Promise<void> | undefined;
  return {
    shutdown: () => {
      stopped ??= shutdown();
      return stopped;
    },
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
