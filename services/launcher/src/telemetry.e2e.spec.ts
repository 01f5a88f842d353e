// DESIGN §6 through a running platform: telemetry started first (as the register
// module does for `npm start`, here with an in-memory span exporter), then an HTTP
// and a gRPC command. One trace runs from the edge through the command handler into
// the stored event's traceparent, and the log lines of the request carry its ids.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { SpanKind } from '@opentelemetry/api';
import { tracing } from '@opentelemetry/sdk-node';
import { startTelemetry } from '@wenming/service-kit/telemetry';

const exporter = new tracing.InMemorySpanExporter();
// Before anything instrumented is imported: the rest comes in through dynamic imports.
const telemetry = await startTelemetry({ spanExporter: exporter, env: {} });
const { createLogger, loadConfig, shutdownTelemetry } = await import('@wenming/service-kit');
const { startPlatform } = await import('./platform.js');
const { counterClient, post, streamEvents, tokens } = await import('./test-fixtures/clients.js');
const { counterStreamId, createCounterModule } = await import('./test-fixtures/counter/counter-module.js');

const dir = mkdtempSync(join(tmpdir(), 'wenming-telemetry-'));
const config = loadConfig({ WENMING_DATA_DIR: dir, HTTP_PORT: '0', GRPC_PORT: '0' });
const logLines: Array<Record<string, unknown>> = [];
const logSink = new Writable({
  write(chunk, _encoding, done) {
    for (const line of String(chunk).split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
    done();
  },
});
let platform: Awaited<ReturnType<typeof startPlatform>>;
let office: string;

before(async () => {
  platform = await startPlatform(config, { modules: [createCounterModule], logger: createLogger('info', 'wenming', logSink) });
  office = await tokens(config)(['office']);
});

after(async () => {
  await platform?.stop();
  await shutdownTelemetry();
  rmSync(dir, { recursive: true, force: true });
});

const traceIdOf = (traceparent: unknown) => String(traceparent).split('-')[1];
const spanIdOf = (traceparent: unknown) => String(traceparent).split('-')[2];
const parentOf = (span: tracing.ReadableSpan) => span.parentSpanContext?.spanId;

describe('telemetry through a running platform', () => {
  it('started (OTEL_SDK_DISABLED unset)', () => {
    assert.ok(telemetry);
  });

  it('HTTP: server span → fastify → command span → the event’s traceparent, and log lines carry the trace id', async () => {
    exporter.reset();
    const res = await post(platform.httpUrl, '/test/units/u-1/counters/t1/increment', { token: office, key: 'k1', body: { amount: 1 } });
    assert.equal(res.status, 200);
    const [event] = await streamEvents(platform.store, counterStreamId('u-1', 't1'));
    const traceId = traceIdOf(event?.metadata.traceparent);
    assert.match(event?.metadata.traceparent ?? '', /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    const server = spans.find((s) => s.kind === SpanKind.SERVER);
    const command = spans.find((s) => s.name === 'command Increment');
    assert.ok(server, `an HTTP server span in ${spans.map((s) => s.name).join(', ')}`);
    assert.ok(command, 'a command span');
    assert.equal(spanIdOf(event?.metadata.traceparent), command.spanContext().spanId, 'the event points at the command span');
    assert.equal(command.attributes['wenming.stream_id'], counterStreamId('u-1', 't1'));
    assert.ok(
      spans.some((s) => s.instrumentationScope.name === '@fastify/otel'),
      'fastify spans',
    );
    // Walk up from the command span to the server span.
    const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
    let cursor: tracing.ReadableSpan | undefined = command;
    while (cursor && cursor !== server) cursor = byId.get(parentOf(cursor) ?? '');
    assert.equal(cursor, server, 'the command span descends from the HTTP server span');
    const requestLogs = logLines.filter((l) => l.trace_id === traceId);
    assert.ok(
      requestLogs.some((l) => l.msg === 'request completed'),
      'fastify’s request log carries the trace id',
    );
    assert.ok(requestLogs.every((l) => typeof l.span_id === 'string'));
  });

  it('HTTP: a caller’s traceparent header continues its trace into the event', async () => {
    const callerTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await fetch(`${platform.httpUrl}/test/units/u-1/counters/t2/increment`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${office}`,
        'content-type': 'application/json',
        'idempotency-key': 'k2',
        traceparent: `00-${callerTrace}-00f067aa0ba902b7-01`,
      },
      body: JSON.stringify({ amount: 1 }),
    });
    assert.equal(res.status, 200);
    const [event] = await streamEvents(platform.store, counterStreamId('u-1', 't2'));
    assert.equal(traceIdOf(event?.metadata.traceparent), callerTrace);
  });

  it('gRPC: server span → command span → the event’s traceparent', async () => {
    exporter.reset();
    const client = counterClient(platform.grpcAddress);
    try {
      const answer = await client.increment({ unitId: 'u-1', name: 't3', amount: 2, idempotencyKey: 'k3' }, office);
      assert.ok(answer.ok);
    } finally {
      client.dispose();
    }
    const [event] = await streamEvents(platform.store, counterStreamId('u-1', 't3'));
    const traceId = traceIdOf(event?.metadata.traceparent);
    const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    const server = spans.find((s) => s.kind === SpanKind.SERVER && s.name.includes('CounterService/Increment'));
    assert.ok(
      server,
      `a gRPC server span in ${exporter
        .getFinishedSpans()
        .map((s) => `${s.name}(${s.kind})`)
        .join(', ')}`,
    );
    const command = spans.find((s) => s.name === 'command Increment');
    assert.equal(parentOf(command!), server.spanContext().spanId);
  });
});
