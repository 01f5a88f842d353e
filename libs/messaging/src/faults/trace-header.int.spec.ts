// Issue 13, item 10: "every message's traceparent header names a different trace than
// the event's own metadata.traceparent". In production the kafkajs OpenTelemetry
// instrumentation wraps the producer's send and injects its own span's context into
// every message's headers, over the one the relay set from the event's metadata.
//
// So the relay runs here as in production: its own process, started with the
// telemetry register module (the kafkajs instrumentation active; the child reports
// that it is). A plain kafkajs consumer reads the raw headers: each message's
// traceparent must name the trace of the request that appended its event.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SqliteEventStore } from '@wenming/eventstore';
import { createTopics } from '@wenming/testing';
import { Kafka, logLevel } from 'kafkajs';
import { HEADER } from '../envelope.js';
import { type Child, progressEvent, reap, sharedBrokers, startChild, uniqueName, waitFor, within } from './fault-kit.js';

const SUITE = 'trace context across the Kafka hop (kafkajs instrumentation active)';
const EVENTS = 20;
const relayScript = fileURLToPath(new URL('./relay-process.ts', import.meta.url));

const gate = sharedBrokers(SUITE);

describe(SUITE, { skip: gate.skip ?? false }, () => {
  const brokers = gate.brokers ?? [];
  const dir = mkdtempSync(join(tmpdir(), 'wenming-trace-header-'));
  let child: Child | undefined;
  let store: SqliteEventStore | undefined;
  after(async () => {
    await reap(child);
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("each message's traceparent header continues its event's metadata.traceparent trace", { timeout: 90_000 }, async () => {
    const path = join(dir, 'events.db');
    store = new SqliteEventStore({ path });
    // One request (trace) per event, as in production: one relay batch carries many traces.
    const traceOf = new Map<string, string>();
    for (let i = 0; i < EVENTS; i++) {
      const traceId = randomBytes(16).toString('hex');
      const e = progressEvent(`unit-${i % 4}`, i);
      e.metadata = { ...e.metadata, traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` };
      traceOf.set(e.id, traceId);
      await store.append(`plan-${i % 4}`, [e]);
    }
    const topic = uniqueName('wenming.faults.traceheader');
    await createTopics(brokers, [{ topic, numPartitions: 2 }]);

    // Telemetry on, as in production (the default; exporting nothing without an endpoint).
    const env = { ...process.env };
    delete env.OTEL_SDK_DISABLED;
    delete env.OTEL_EXPORTER_OTLP_ENDPOINT;
    child = startChild(relayScript, [`sqlite:${path}`, brokers.join(','), topic, 'relay-trace'], undefined, {
      nodeArgs: ['--import', '@wenming/service-kit/telemetry/register'],
      env,
    });
    const instrumented = await child.line((l) => l.startsWith('kafkajs-instrumented '), 30_000, 'the relay reports its instrumentation');
    assert.equal(instrumented, 'kafkajs-instrumented true', "the relay's kafkajs producer is wrapped by the OpenTelemetry instrumentation");
    await child.line((l) => l === 'caught-up', 60_000, 'the relay caught up');

    const headers = new Map<string, string>();
    const consumer = new Kafka({ clientId: 'wenming-trace-reader', brokers, logLevel: logLevel.NOTHING }).consumer({
      groupId: uniqueName('wenming-trace-reader'),
      maxWaitTimeInMs: 100,
    });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const id = message.headers?.[HEADER.eventId]?.toString() ?? '';
          headers.set(id, message.headers?.[HEADER.traceparent]?.toString() ?? '(none)');
        },
      });
      await waitFor(() => headers.size >= EVENTS, 30_000, `all ${EVENTS} messages read`);
    } finally {
      await within(10_000, 'the reader stops', consumer.disconnect());
    }
    for (const [eventId, traceId] of traceOf) {
      const header = headers.get(eventId);
      assert.match(header ?? '', /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/, `event ${eventId}: a W3C traceparent header`);
      assert.equal(header!.split('-')[1], traceId, `event ${eventId}: the header continues the appending request's trace`);
    }
  });
});
