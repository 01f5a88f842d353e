// npm run bench:messaging — event store → relay → Kafka → event consumer, beside a raw
// kafkajs producer/consumer pair on the same broker, in the same run (issue 3, item 8).
//
// (a) Sustained throughput: BENCH_MESSAGING_EVENTS events (default 20,000) appended in
//     batches of 100 to a SQLite store while the relay publishes them and an event
//     consumer (startEventConsumer) counts them: events/s from the first append to the
//     last event handled. The raw pair sends the very same messages (the relay's JSON
//     envelope bytes, keys and headers) in sends of 100, acks=-1, idempotent: messages/s
//     from the first send to the last receipt. BENCH_MESSAGING_ROUNDS (default 3)
//     alternating rounds; `throughputRatio` compares the medians.
// (a') The same events once more without the appends: a fresh relay catches up on them
//     (already stored) to a fresh topic and consumer; `catchUpThroughputRatio` against
//     the raw pair separates the messaging path's cost from the store's.
// (b) Latency at a paced BENCH_MESSAGING_RATE events/s (default 1,000) for
//     BENCH_MESSAGING_SECONDS (default 10): one event per append, timed from just before
//     `store.append` to the consumer's handler. The raw pair at the same pace sends,
//     whenever its previous request is acknowledged, every message that fell due
//     meanwhile; a message is timed from when it fell due to its receipt.
// Every append is followed by a turn of the event loop, as each command is its own
// request in a service: better-sqlite3 resolves synchronously, so a bare `await` loop
// would starve the relay's and the consumer's sockets.
// The relay is tuned only through its options: BENCH_RELAY_LINGER_MS and
// BENCH_RELAY_MAX_BATCH (defaults: the relay's own). Everything runs in this one process
// (as in the embedded profile), the broker on the other core. Machines here are shared
// and noisy: read the ratios. The last line is one JSON object with every figure.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { type NewEvent, type RecordedEvent, SqliteEventStore } from '@wenming/eventstore';
import { eventToMessage, HEADER, KafkaBus, type Relay, type RunningConsumer, startEventConsumer, startRelay } from '@wenming/messaging';
import { provideKafka } from '@wenming/testing';
import { kafkaRaw, type RawMessage, type RawPair } from './raw/kafka-raw.js';

const EVENTS = Number(process.env.BENCH_MESSAGING_EVENTS ?? 20_000);
const RATE = Number(process.env.BENCH_MESSAGING_RATE ?? 1_000);
const SECONDS = Number(process.env.BENCH_MESSAGING_SECONDS ?? 10);
const LINGER_MS = process.env.BENCH_RELAY_LINGER_MS ? Number(process.env.BENCH_RELAY_LINGER_MS) : undefined;
const MAX_BATCH = process.env.BENCH_RELAY_MAX_BATCH ? Number(process.env.BENCH_RELAY_MAX_BATCH) : undefined;
const BATCH = 100;
const UNITS = 50;
const STREAMS = 150;
const PARTITIONS = 6;
const WARMUP = 500;
const ROUNDS = Number(process.env.BENCH_MESSAGING_ROUNDS ?? 3);
const root = resolve(import.meta.dirname, '..');
const figures: Record<string, number | string> = {
  events: EVENTS,
  appendBatch: BATCH,
  partitions: PARTITIONS,
  relayLingerMs: LINGER_MS ?? 5,
  relayMaxBatch: MAX_BATCH ?? 500,
  latencyRate: RATE,
  latencySeconds: SECONDS,
  rounds: ROUNDS,
};
const now = () => performance.now();
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const suffix = randomUUID().slice(0, 8);

function newEvent(i: number, unit: number): NewEvent {
  return {
    id: randomUUID(),
    type: 'ProgressReported',
    occurredAt: '2026-04-01T09:30:00+08:00',
    data: { step: i, measures: '更换窗口服务指南，公开办事流程', evidence: [{ file: `photo-${i}.jpg`, sha256: 'cd'.repeat(32) }] },
    metadata: { unitId: `unit-${unit}`, campaignId: 'campaign-2026', actor: { id: 'staff-12', role: 'unit' }, correlationId: `cmd-${i}` },
  };
}

/** Batch b goes to stream b % STREAMS, whose unit is b % UNITS. */
function planBatches(count: number, offset: number): { streamId: string; events: NewEvent[] }[] {
  const out: { streamId: string; events: NewEvent[] }[] = [];
  for (let i = 0, b = offset; i < count; i += BATCH, b++) {
    const stream = b % STREAMS;
    const size = Math.min(BATCH, count - i);
    out.push({ streamId: `rectification-b${stream}`, events: Array.from({ length: size }, (_, j) => newEvent(i + j, stream % UNITS)) });
  }
  return out;
}

async function waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(2);
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * Calls `sendDue` with the indices of every item that fell due (item i falls due at
 * start + i / rate) since the last call, as soon as the previous call resolved.
 * Returns the due time of each item (performance.now() clock).
 */
async function paced(total: number, rate: number, sendDue: (indices: number[], dueAt: number[]) => Promise<void>): Promise<number> {
  const start = now() + 20;
  const dueAt = Array.from({ length: total }, (_, i) => start + (i * 1000) / rate);
  let next = 0;
  while (next < total) {
    const t = now();
    let upTo = next;
    while (upTo < total && dueAt[upTo]! <= t) upTo++;
    if (upTo > next) {
      const indices = Array.from({ length: upTo - next }, (_, k) => next + k);
      next = upTo;
      await sendDue(indices, dueAt);
    } else {
      await sleep(Math.max(0, dueAt[next]! - t - 0.5));
    }
  }
  return (total * 1000) / (now() - start);
}

function latencyFigures(prefix: string, latencies: number[]): void {
  const sorted = [...latencies].sort((a, b) => a - b);
  const p50 = round(percentile(sorted, 50));
  const p99 = round(percentile(sorted, 99));
  const max = round(sorted[sorted.length - 1] ?? Number.NaN);
  const mean = round(sorted.reduce((a, b) => a + b, 0) / sorted.length);
  figures[`${prefix}P50Ms`] = p50;
  figures[`${prefix}P99Ms`] = p99;
  figures[`${prefix}MaxMs`] = max;
  figures[`${prefix}MeanMs`] = mean;
  console.log(`    p50 ${p50} ms, p99 ${p99} ms, max ${max} ms, mean ${mean} ms (${sorted.length} events)`);
}

// Its own server directory: a concurrent `npm test` stops the test servers when it ends.
const kafka = await provideKafka(join(root, '.wenming', 'bench-servers'));
if ('skipped' in kafka) {
  console.log(`Kafka skipped: ${kafka.skipped}`);
  console.log(JSON.stringify({ bench: 'messaging', skipped: kafka.skipped }));
  process.exit(0);
}
const { brokers } = kafka;
figures.kafka = kafka.source;
const dir = mkdtempSync(join(tmpdir(), 'wenming-bench-messaging-'));
console.log(
  `Messaging benchmark: Kafka ${kafka.source} ${brokers.join(',')}; ${EVENTS} events in appends of ${BATCH}; ` +
    `latency at ${RATE} events/s for ${SECONDS} s; relay lingerMs ${figures.relayLingerMs}, maxBatch ${figures.relayMaxBatch}`,
);

const store = new SqliteEventStore({ path: join(dir, 'events.db') });
const relayBus = new KafkaBus({ brokers, clientId: 'wenming-bench-relay' });
const consumerBus = new KafkaBus({ brokers, clientId: 'wenming-bench-consumer' });
const topic = `wenming.bench.events.${suffix}`;
const rawTopic = `wenming.bench.raw.${suffix}`;
let consumer: RunningConsumer | undefined;
let relay: Relay | undefined;
let raw: RawPair | undefined;

try {
  await relayBus.createTopics([
    { topic, numPartitions: PARTITIONS },
    { topic: rawTopic, numPartitions: PARTITIONS },
  ]);
  relay = startRelay({
    store,
    bus: relayBus,
    topicOf: () => topic,
    checkpoint: 'bench-relay',
    ...(LINGER_MS === undefined ? {} : { lingerMs: LINGER_MS }),
    ...(MAX_BATCH === undefined ? {} : { maxBatch: MAX_BATCH }),
    onError: (err) => console.error('relay error (it retries):', err),
  });
  raw = await kafkaRaw(brokers, rawTopic, `wenming-bench-raw-${suffix}`);
  const rawPair = raw;

  // --- the Wenming path: store → relay → KafkaBus → startEventConsumer ----------------
  let handled = 0;
  let lastHandledAt = 0;
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  consumer = await startEventConsumer({
    bus: consumerBus,
    groupId: `wenming-bench-${suffix}`,
    topics: [topic],
    accepts: { ProgressReported: 1 },
    handle: async (event) => {
      handled++;
      lastHandledAt = now();
      const sent = sentAt.get(event.id);
      if (sent !== undefined) {
        latencies.push(lastHandledAt - sent);
        sentAt.delete(event.id);
      }
    },
  });
  // --- the raw pair ----------------------------------------------------------------------
  let received = 0;
  let lastReceivedAt = 0;
  const rawDue = new Map<string, number>();
  const rawLatencies: number[] = [];
  await rawPair.consume(HEADER.eventId, (id) => {
    received++;
    lastReceivedAt = now();
    const due = rawDue.get(id);
    if (due !== undefined) {
      rawLatencies.push(lastReceivedAt - due);
      rawDue.delete(id);
    }
  });

  // Warm-up: connections, producer ids, the groups' first fetches.
  const warm = planBatches(WARMUP, 0);
  for (const b of warm) await store.append(b.streamId, b.events);
  await waitUntil(() => handled >= WARMUP, 60_000, 'warm-up through the relay');
  await rawPair.send(warm.flatMap((b) => b.events.map((e, j) => ({ key: e.metadata.unitId!, value: `warm-${j}`, headers: {} }))));
  await waitUntil(() => received >= WARMUP, 60_000, 'warm-up through the raw pair');

  // (a) Sustained throughput, in ROUNDS alternating rounds (this machine is shared and
  // noisy: the medians are compared).
  console.log(`\n(a) sustained throughput, ${EVENTS} events, ${ROUNDS} rounds (medians compared)`);
  const adapterRates: number[] = [];
  const rawRates: number[] = [];
  let measured: RecordedEvent[] = [];
  let beforeMeasured = 0;
  for (let r = 0; r < ROUNDS; r++) {
    beforeMeasured = (await store.checkpoints.load('bench-relay')) ?? 0;
    const batches = planBatches(EVENTS, r * 1000);
    handled = 0;
    const t0 = now();
    for (const b of batches) {
      await store.append(b.streamId, b.events);
      await yieldToLoop(); // each append is its own request, as in a service
    }
    const appendedAt = now();
    await waitUntil(() => handled >= EVENTS, 300_000, `${EVENTS} events through the relay to the consumer`);
    const seconds = (lastHandledAt - t0) / 1000;
    adapterRates.push(EVENTS / seconds);
    console.log(
      `  round ${r + 1}: store → relay → Kafka → consumer ${String(Math.round(EVENTS / seconds)).padStart(8)} events/s ` +
        `(${seconds.toFixed(2)} s; the appends alone took ${((appendedAt - t0) / 1000).toFixed(2)} s)`,
    );

    // The same envelopes, keys and headers the relay sent, in sends of BATCH.
    measured = [];
    for await (const e of store.readAll({ fromPosition: beforeMeasured + 1 })) measured.push(e);
    if (measured.length !== EVENTS) throw new Error(`read back ${measured.length} events, expected ${EVENTS}`);
    const rawMessages: RawMessage[][] = [];
    let bytes = 0;
    for (let i = 0; i < measured.length; i += BATCH) {
      rawMessages.push(
        measured.slice(i, i + BATCH).map((e) => {
          const m = eventToMessage(e);
          bytes += Buffer.byteLength(m.value);
          return { key: m.key, value: m.value, headers: m.headers ?? {} };
        }),
      );
    }
    figures.messageBytesAvg = Math.round(bytes / measured.length);
    received = 0;
    const r0 = now();
    for (const b of rawMessages) await rawPair.send(b);
    await waitUntil(() => received >= EVENTS, 300_000, `${EVENTS} messages through the raw pair`);
    const rawSeconds = (lastReceivedAt - r0) / 1000;
    rawRates.push(EVENTS / rawSeconds);
    console.log(
      `  round ${r + 1}: raw kafkajs producer → consumer    ${String(Math.round(EVENTS / rawSeconds)).padStart(8)} msgs/s   (${rawSeconds.toFixed(2)} s)`,
    );
  }
  const eventsPerSec = Math.round(median(adapterRates));
  const rawPerSec = Math.round(median(rawRates));
  const ratio = round(eventsPerSec / rawPerSec, 3);
  console.log(
    `  median ${eventsPerSec} events/s vs raw ${rawPerSec} msgs/s: throughput ratio ${ratio} (target ≥ 0.5); ` +
      `messages of ${figures.messageBytesAvg} bytes on average`,
  );
  figures.throughputEventsPerSec = eventsPerSec;
  figures.rawThroughputMessagesPerSec = rawPerSec;
  figures.throughputRatio = ratio;

  // (a') The same without the appends: the last round's events, already stored, relayed
  // by a fresh relay (own checkpoint) to a fresh topic and consumer. This separates the
  // messaging path's cost from the store's (whose appends share this one thread above).
  const catchUpTopic = `wenming.bench.catchup.${suffix}`;
  await relayBus.createTopics([{ topic: catchUpTopic, numPartitions: PARTITIONS }]);
  let caught = 0;
  let lastCaughtAt = 0;
  const catchUpConsumer = await startEventConsumer({
    bus: consumerBus,
    groupId: `wenming-bench-catchup-${suffix}`,
    topics: [catchUpTopic],
    accepts: { ProgressReported: 1 },
    handle: async () => {
      caught++;
      lastCaughtAt = now();
    },
  });
  await relayBus.publish(catchUpTopic, [eventToMessage(measured[0]!)]); // the group's first fetch
  await waitUntil(() => caught >= 1, 60_000, 'warm-up of the catch-up consumer');
  caught = 0;
  await store.checkpoints.store('bench-catchup', beforeMeasured);
  const c0 = now();
  const catchUpRelay = startRelay({
    store,
    bus: relayBus,
    topicOf: () => catchUpTopic,
    checkpoint: 'bench-catchup',
    ...(LINGER_MS === undefined ? {} : { lingerMs: LINGER_MS }),
    ...(MAX_BATCH === undefined ? {} : { maxBatch: MAX_BATCH }),
  });
  await waitUntil(() => caught >= EVENTS, 300_000, `${EVENTS} stored events through a catching-up relay`);
  await catchUpRelay.stop();
  await catchUpConsumer.stop();
  const catchUpPerSec = Math.round(EVENTS / ((lastCaughtAt - c0) / 1000));
  const catchUpRatio = round(catchUpPerSec / rawPerSec, 3);
  console.log(
    `  relay catching up on ${EVENTS} stored events → consumer: ${catchUpPerSec} events/s, ratio to the raw pair ${catchUpRatio}`,
  );
  figures.catchUpEventsPerSec = catchUpPerSec;
  figures.catchUpThroughputRatio = catchUpRatio;

  // (b) Latency at a steady pace.
  const total = Math.round(RATE * SECONDS);
  console.log(`\n(b) latency at ${RATE} events/s for ${SECONDS} s (${total} events)`);
  const paceEvents = Array.from({ length: total }, (_, i) => ({
    streamId: `rectification-p${i % STREAMS}`,
    event: newEvent(i, i % UNITS),
  }));
  handled = 0;
  let appendLagMax = 0;
  const appendMs: number[] = [];
  let loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const achieved = await paced(total, RATE, async (indices, dueAt) => {
    for (const i of indices) {
      const { streamId, event } = paceEvents[i]!;
      const t = now();
      appendLagMax = Math.max(appendLagMax, t - dueAt[i]!);
      sentAt.set(event.id, t);
      await store.append(streamId, [event]);
      appendMs.push(now() - t);
      await yieldToLoop();
    }
  });
  await waitUntil(() => handled >= total, 60_000, `${total} paced events through the relay`);
  loopDelay.disable();
  console.log(
    `  store.append → consumer handler (one event per append; ${Math.round(achieved)} events/s achieved, appends at most ${round(appendLagMax)} ms behind schedule)`,
  );
  latencyFigures('latency', latencies);
  appendMs.sort((a, b) => a - b);
  figures.latencyAchievedEventsPerSec = Math.round(achieved);
  figures.latencyAppendBehindScheduleMaxMs = round(appendLagMax);
  figures.latencyAppendP99Ms = round(percentile(appendMs, 99), 2);
  figures.latencyLoopDelayP99Ms = round(loopDelay.percentile(99) / 1e6);
  figures.latencyLoopDelayMaxMs = round(loopDelay.max / 1e6);
  console.log(
    `    (store.append itself p99 ${figures.latencyAppendP99Ms} ms; event loop delay p99 ${figures.latencyLoopDelayP99Ms} ms, max ${figures.latencyLoopDelayMaxMs} ms)`,
  );

  // The raw pair at the same pace, with the relay's envelopes of the same events.
  const paceMessages: RawMessage[] = [];
  for await (const e of store.readAll({ fromPosition: measured[measured.length - 1]!.position + 1 })) {
    const m = eventToMessage(e);
    paceMessages.push({ key: m.key, value: m.value, headers: m.headers ?? {} });
  }
  if (paceMessages.length !== total) throw new Error(`read ${paceMessages.length} paced events back, expected ${total}`);
  received = 0;
  loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const rawAchieved = await paced(total, RATE, async (indices, dueAt) => {
    for (const i of indices) rawDue.set(paceEvents[i]!.event.id, dueAt[i]!);
    await rawPair.send(indices.map((i) => paceMessages[i]!));
  });
  await waitUntil(() => received >= total, 60_000, `${total} paced messages through the raw pair`);
  loopDelay.disable();
  console.log(`  raw producer (due → receipt; ${Math.round(rawAchieved)} messages/s achieved)`);
  latencyFigures('rawLatency', rawLatencies);
  figures.rawLatencyLoopDelayMaxMs = round(loopDelay.max / 1e6);
  figures.rawLatencyAchievedMessagesPerSec = Math.round(rawAchieved);
  figures.latencyP99TargetMs = 250;
  figures.latencyP99VsRawRatio = round((figures.latencyP99Ms as number) / (figures.rawLatencyP99Ms as number), 2);
} finally {
  await consumer?.stop();
  await relay?.stop();
  await raw?.close();
  await relayBus.close();
  await consumerBus.close();
  await store.close();
  await kafka.stop();
  rmSync(dir, { recursive: true, force: true });
}
console.log(JSON.stringify({ bench: 'messaging', ...figures }));
