// What is instrumented: the HTTP and gRPC edges, fastify's routing, and the drivers
// of the production profile (kafkajs, pg, mongodb), plus pino so every log line
// carries trace_id / span_id. Probes are left out: they are noise in a trace view.
import { FastifyOtelInstrumentation } from '@fastify/otel';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { KafkaJsInstrumentation } from '@opentelemetry/instrumentation-kafkajs';
import { MongoDBInstrumentation } from '@opentelemetry/instrumentation-mongodb';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';

const PROBES = new Set(['/healthz', '/readyz']);

/** Constructing them enables them: call this after the ESM hooks are registered. */
export function createInstrumentations(options: { sendLogs: boolean }) {
  return [
    new HttpInstrumentation({ ignoreIncomingRequestHook: (request) => PROBES.has(request.url?.split('?')[0] ?? '') }),
    new FastifyOtelInstrumentation({ registerOnInitialization: true, ignorePaths: (route) => PROBES.has(route.url) }),
    new GrpcInstrumentation({ ignoreGrpcMethods: ['Check', 'Watch'] }),
    new KafkaJsInstrumentation(),
    new PgInstrumentation(),
    new MongoDBInstrumentation(),
    // Trace ids go into every log line; the records themselves are sent only when exporting.
    new PinoInstrumentation({ disableLogSending: !options.sendLogs }),
  ];
}
