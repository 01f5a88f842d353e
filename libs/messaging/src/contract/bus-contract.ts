// One contract for both buses (Kafka, in-process): the embedded profile must
// behave like production, or code tested embedded would break on Kafka.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { type EventStore, type NewEvent, SqliteEventStore } from '@wenming/eventstore';
import { HEADER } from '../envelope.js';
import { startEventConsumer } from '../event-consumer.js';
import { uniqueName, waitFor } from '../faults/fault-kit.js';
import { SqliteProcessedEvents } from '../processed-events.js';
import { routeByCategory, startRelay } from '../relay.js';
import { deadLetterTopic } from '../topics.js';
import type { IncomingMessage, MessageBus } from '../types.js';

export interface BusTarget {
  name: string;
  skip?: string | undefined;
  open(): Promise<MessageBus>;
}

function event(unitId: string, n: number, overrides: Partial<NewEvent> = {}): NewEvent {
  return {
    id: randomUUID(),
    type: 'ProgressReported',
    occurredAt: '2026-05-01T10:00:00+08:00',
    data: { step: n },
    metadata: { unitId },
    ...overrides,
  };
}

export function messagingContract(target: BusTarget): void {
  describe(`messaging contract: ${target.name}`, { skip: target.skip ?? false }, () => {
    let bus: MessageBus;
    let dir: string;
    const stores: EventStore[] = [];
    const openStore = () => {
      const store = new SqliteEventStore({ path: join(dir, `events-${randomUUID()}.db`), pollIntervalMs: 20 });
      stores.push(store);
      return store;
    };
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'wenming-messaging-'));
      bus = await target.open();
    });
    after(async () => {
      await bus.close();
      await Promise.all(stores.map((s) => s.close()));
      rmSync(dir, { recursive: true, force: true });
    });

    it('delivers every message once to a group, in order per key, and to each group independently', async () => {
      const topic = uniqueName('wenming.test.order');
      await bus.createTopics([{ topic, numPartitions: 3 }]);
      const keys = ['unit-a', 'unit-b', 'unit-c', 'unit-d', 'unit-e'];
      const sent = Array.from({ length: 100 }, (_, i) => ({ key: keys[i % 5]!, value: String(i) }));
      await bus.publish(topic, sent.slice(0, 50));
      await bus.publish(topic, sent.slice(50));
      const groups = [uniqueName('g1'), uniqueName('g2')];
      const seen = new Map<string, IncomingMessage[]>(groups.map((g) => [g, []]));
      const consumers = await Promise.all(
        groups.map((groupId) =>
          bus.consume({
            groupId,
            topics: [topic],
            handler: async (m) => {
              seen.get(groupId)!.push(m);
            },
          }),
        ),
      );
      await waitFor(() => groups.every((g) => seen.get(g)!.length >= 100), 30_000, 'both groups received 100');
      await Promise.all(consumers.map((c) => c.stop()));
      for (const g of groups) {
        const got = seen.get(g)!;
        assert.equal(got.length, 100);
        for (const key of keys) {
          const values = got.filter((m) => m.key === key).map((m) => Number(m.value!.toString()));
          assert.deepEqual(
            values,
            sent.filter((s) => s.key === key).map((s) => Number(s.value)),
          );
        }
      }
    });

    it('resumes a group after its last handled message, and redelivers the one whose handler failed', async () => {
      const topic = uniqueName('wenming.test.resume');
      await bus.createTopics([{ topic, numPartitions: 1 }]);
      await bus.publish(
        topic,
        Array.from({ length: 10 }, (_, i) => ({ key: 'k', value: String(i) })),
      );
      const groupId = uniqueName('resume');
      const handled: number[] = [];
      const failing = await bus.consume({
        groupId,
        topics: [topic],
        handler: async (m) => {
          const n = Number(m.value!.toString());
          if (n === 6) throw new Error('read model unavailable');
          handled.push(n);
        },
      });
      await assert.rejects(failing.done, /read model unavailable/);
      assert.deepEqual(handled, [0, 1, 2, 3, 4, 5]);
      const again: number[] = [];
      const resumed = await bus.consume({
        groupId,
        topics: [topic],
        handler: async (m) => {
          again.push(Number(m.value!.toString()));
        },
      });
      await waitFor(() => again.includes(9), 30_000, 'resumed group reached the end');
      await resumed.stop();
      // At-least-once: the failed message comes again; those handled before may too
      // (Kafka commits on an interval), but nothing is skipped and order holds.
      assert.ok(again.includes(6), `6 was not redelivered: ${again}`);
      const firstSix = again.indexOf(6);
      assert.deepEqual(again.slice(firstSix), [6, 7, 8, 9]);
    });

    it("reports a group's lag: every retained message before it consumes, none once it has handled them all", async () => {
      const topic = uniqueName('wenming.test.lag');
      await bus.createTopics([{ topic, numPartitions: 2 }]);
      await bus.publish(
        topic,
        Array.from({ length: 12 }, (_, i) => ({ key: `k${i % 4}`, value: String(i) })),
      );
      const groupId = uniqueName('lag');
      assert.equal(await bus.lag(groupId, [topic]), 12, 'a group that never consumed lags by every message');
      let handled = 0;
      const consumer = await bus.consume({
        groupId,
        topics: [topic],
        handler: async () => {
          handled++;
        },
      });
      try {
        await waitFor(() => handled >= 12, 30_000, 'the group handled 12');
        // Kafka commits on an interval: the lag reaches 0 once the handled offsets are committed.
        const settledLag = async () => {
          let lag = -1;
          for (let i = 0; i < 100 && lag !== 0; i++) {
            lag = await bus.lag(groupId, [topic]);
            if (lag !== 0) await new Promise((r) => setTimeout(r, 100));
          }
          return lag;
        };
        assert.equal(await settledLag(), 0);
        await bus.publish(topic, [{ key: 'k9', value: 'late' }]);
        await waitFor(() => handled >= 13, 30_000, 'the group handled the late message');
        assert.equal(await settledLag(), 0);
      } finally {
        await consumer.stop();
      }
      await bus.publish(topic, [
        { key: 'k1', value: 'after-stop-1' },
        { key: 'k2', value: 'after-stop-2' },
      ]);
      assert.equal(await bus.lag(groupId, [topic]), 2, 'two messages published after the consumer stopped');
    });

    it('relays every stored event to its context topic keyed by unit, and resumes from its checkpoint', async () => {
      const store = openStore();
      const topics = { plan: uniqueName('wenming.plansubmission'), rectification: uniqueName('wenming.inspection') };
      const fallback = uniqueName('wenming.platform');
      await bus.createTopics([{ topic: topics.plan }, { topic: topics.rectification }, { topic: fallback }]);
      const appended: string[] = [];
      for (let i = 0; i < 30; i++) {
        const e = event(`unit-${i % 3}`, i);
        await store.append(i % 2 ? `plan-${i % 3}` : `rectification-${i % 3}`, [e]);
        appended.push(e.id);
      }
      const relayOptions = { store, bus, topicOf: routeByCategory(topics, fallback), lingerMs: 2 };
      const relay = startRelay(relayOptions);
      await relay.caughtUp;
      await relay.stop();
      for (let i = 30; i < 40; i++) {
        const e = event(`unit-${i % 3}`, i);
        await store.append(`plan-${i % 3}`, [e]);
        appended.push(e.id);
      }
      const relayed: IncomingMessage[] = [];
      const consumer = await bus.consume({
        groupId: uniqueName('relay-check'),
        topics: [topics.plan, topics.rectification],
        handler: async (m) => {
          relayed.push(m);
        },
      });
      const restarted = startRelay(relayOptions);
      await restarted.caughtUp;
      await waitFor(() => relayed.length >= 40, 30_000, 'all 40 relayed');
      await restarted.stop();
      await new Promise((r) => setTimeout(r, 200));
      await consumer.stop();
      const ids = relayed.map((m) => m.headers[HEADER.eventId]!);
      assert.equal(ids.length, 40, 'a clean stop and restart republishes nothing');
      assert.deepEqual(new Set(ids), new Set(appended));
      for (const m of relayed) {
        assert.match(m.key!, /^unit-\d$/);
        const isPlan = m.headers[HEADER.streamId]!.startsWith('plan-');
        assert.equal(m.topic, isPlan ? topics.plan : topics.rectification);
      }
      const unit0 = relayed.filter((m) => m.key === 'unit-0' && m.topic === topics.plan).map((m) => Number(m.headers[HEADER.position]));
      assert.deepEqual(
        unit0,
        [...unit0].sort((a, b) => a - b),
      );
    });

    it("relays a stream whose category holds a dash (lookback-review-x) to that category's topic, not its first word's", async () => {
      const store = openStore();
      const topics = {
        lookback: uniqueName('wenming.lookback'),
        platform: uniqueName('wenming.platform'),
        inspection: uniqueName('wenming.inspection'),
      };
      await bus.createTopics(Object.values(topics).map((topic) => ({ topic })));
      // `lookback` alone is a category too, and a shorter one: the longest prefix wins.
      const routes = { 'lookback-review': topics.lookback, lookback: topics.inspection };
      const review = event('unit-1', 1);
      const other = event('unit-1', 2);
      const unknown = event('unit-1', 3);
      await store.append('lookback-review-x', [review]);
      await store.append('lookback-7', [other]);
      await store.append('lookbackreview-x', [unknown]);
      const relayed: IncomingMessage[] = [];
      const consumer = await bus.consume({
        groupId: uniqueName('relay-dash'),
        topics: Object.values(topics),
        handler: async (m) => {
          relayed.push(m);
        },
      });
      const relay = startRelay({ store, bus, topicOf: routeByCategory(routes, topics.platform), lingerMs: 2 });
      await relay.caughtUp;
      await waitFor(() => relayed.length >= 3, 30_000, 'three relayed');
      await relay.stop();
      await consumer.stop();
      const topicOf = (id: string) => relayed.find((m) => m.headers[HEADER.eventId] === id)?.topic;
      assert.equal(topicOf(review.id), topics.lookback, 'lookback-review-x goes to the lookback-review route');
      assert.equal(topicOf(other.id), topics.inspection, 'lookback-7 goes to the lookback route');
      assert.equal(topicOf(unknown.id), topics.platform, 'an undeclared category goes to the fallback');
    });

    it('dead-letters undecodable, unknown and too-new events with the reason, and goes on', async () => {
      const topic = uniqueName('wenming.test.poison');
      const groupId = uniqueName('poison');
      await bus.createTopics([{ topic, numPartitions: 1 }]);
      const store = openStore();
      const good = event('unit-1', 1);
      const unknown = event('unit-1', 2, { type: 'SomethingElseHappened' });
      const tooNew = event('unit-1', 3, { metadata: { unitId: 'unit-1', schemaVersion: 3 } });
      const last = event('unit-1', 4);
      await store.append('plan-poison', [good, unknown, tooNew, last]);
      const stored = [];
      for await (const e of store.readStream('plan-poison')) stored.push(e);
      const { eventToMessage } = await import('../envelope.js');
      await bus.publish(topic, [
        eventToMessage(stored[0]!),
        { key: 'unit-1', value: '{not json', headers: { [HEADER.eventId]: 'broken' } },
        eventToMessage(stored[1]!),
        eventToMessage(stored[2]!),
        eventToMessage(stored[3]!),
      ]);
      const handled: string[] = [];
      const consumer = await startEventConsumer({
        bus,
        groupId,
        topics: [topic],
        accepts: { ProgressReported: 2 },
        handle: async (e) => {
          handled.push(e.id);
        },
      });
      const dead: IncomingMessage[] = [];
      const dlqReader = await bus.consume({
        groupId: uniqueName('dlq-reader'),
        topics: [deadLetterTopic(groupId)],
        handler: async (m) => {
          dead.push(m);
        },
      });
      await waitFor(() => handled.length === 2 && dead.length === 3, 30_000, 'two handled, three dead-lettered');
      await consumer.stop();
      await dlqReader.stop();
      assert.deepEqual(handled, [good.id, last.id]);
      const reasons = dead.map((m) => m.headers[HEADER.deadLetterReason]!);
      assert.match(reasons[0]!, /undecodable: value is not JSON/);
      assert.match(reasons[1]!, /unknown event type SomethingElseHappened/);
      assert.match(reasons[2]!, /unknown schema version 3 of ProgressReported/);
      assert.match(dead[0]!.headers[HEADER.deadLetterSource]!, new RegExp(`^${topic.replace(/\./g, '\\.')}/0/`));
    });

    it("continues the appending request's trace in the consumer", async () => {
      const exporter = new InMemorySpanExporter();
      const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
      trace.setGlobalTracerProvider(provider);
      context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
      propagation.setGlobalPropagator(new W3CTraceContextPropagator());
      try {
        const topic = uniqueName('wenming.test.trace');
        await bus.createTopics([{ topic, numPartitions: 1 }]);
        const store = openStore();
        const traceId = randomUUID().replace(/-/g, '');
        const parentSpanId = traceId.slice(0, 16);
        await store.append('plan-traced', [
          event('unit-9', 1, { metadata: { unitId: 'unit-9', traceparent: `00-${traceId}-${parentSpanId}-01` } }),
        ]);
        const relay = startRelay({ store, bus, topicOf: () => topic, lingerMs: 1 });
        await relay.caughtUp;
        await relay.stop();
        let handled = 0;
        const consumer = await startEventConsumer({
          bus,
          groupId: uniqueName('traced'),
          topics: [topic],
          accepts: { ProgressReported: 1 },
          handle: async () => {
            handled++;
          },
        });
        await waitFor(() => handled === 1, 30_000, 'traced event handled');
        await consumer.stop();
        const span = exporter.getFinishedSpans().find((s) => s.name.endsWith('process ProgressReported'));
        assert.ok(span, 'no consumer span');
        assert.equal(span.spanContext().traceId, traceId);
        assert.equal(span.parentSpanContext?.spanId, parentSpanId);
      } finally {
        trace.disable();
        context.disable();
        propagation.disable();
        await provider.shutdown();
      }
    });

    it('changes a read model once per event, however often the event is delivered', async () => {
      const topic = uniqueName('wenming.test.dedupe');
      await bus.createTopics([{ topic, numPartitions: 2 }]);
      const store = openStore();
      const events = Array.from({ length: 20 }, (_, i) => event(`unit-${i % 4}`, i));
      await store.append('plan-dedupe', events);
      // Publish the whole log twice, as a relay restarted before its checkpoint would.
      for (let round = 0; round < 2; round++) {
        const relay = startRelay({ store, bus, topicOf: () => topic, checkpoint: `relay-round-${round}`, lingerMs: 1 });
        await relay.caughtUp;
        await relay.stop();
      }
      const processed = new SqliteProcessedEvents(join(dir, `read-${randomUUID()}.db`));
      processed.db.exec('CREATE TABLE progress (unit_id TEXT PRIMARY KEY, steps INTEGER NOT NULL)');
      const bump = processed.db.prepare(
        'INSERT INTO progress (unit_id, steps) VALUES (?, 1) ON CONFLICT (unit_id) DO UPDATE SET steps = steps + 1',
      );
      const groupId = uniqueName('read-model');
      let deliveries = 0;
      const consumer = await startEventConsumer({
        bus,
        groupId,
        topics: [topic],
        accepts: { ProgressReported: 1 },
        handle: async (e) => {
          deliveries++;
          processed.onceAtomic(groupId, e.id, () => bump.run(e.metadata.unitId));
        },
      });
      await waitFor(() => deliveries >= 40, 30_000, 'both copies delivered');
      await consumer.stop();
      const rows = processed.db.prepare('SELECT unit_id, steps FROM progress ORDER BY unit_id').all();
      assert.deepEqual(
        rows,
        [0, 1, 2, 3].map((u) => ({ unit_id: `unit-${u}`, steps: 5 })),
      );
      await processed.close();
    });
  });
}
