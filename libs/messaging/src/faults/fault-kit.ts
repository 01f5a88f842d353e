// Shared pieces of the fault tests (issue 3, item 7): the real-broker gate (the Kafka
// contract spec's too), bounded waits, child processes that report on stdout, and an
// independent collector that reads a topic with plain kafkajs (its own group, from the
// beginning), so what it proves does not depend on the code under test.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import type { EventStore, NewEvent } from '@wenming/eventstore';
import { Kafka, logLevel } from 'kafkajs';
import { HEADER } from '../envelope.js';

export const requireReal = process.env.WENMING_REQUIRE_REAL_SERVERS === '1';

/**
 * The brokers `npm test` passes in KAFKA_BROKERS, or undefined with a printed reason;
 * with WENMING_REQUIRE_REAL_SERVERS=1 a missing broker registers a failing test instead.
 */
export function sharedBrokers(suite: string): { brokers: string[]; skip?: undefined } | { brokers?: undefined; skip: string } {
  const brokers = process.env.KAFKA_BROKERS?.split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  if (brokers && brokers.length > 0) return { brokers };
  const skip = 'KAFKA_BROKERS not set (npm test starts a broker; see README)';
  skipOrFail(suite, skip);
  return { skip };
}

/** Prints why `suite` is skipped; under WENMING_REQUIRE_REAL_SERVERS=1 registers a test that fails with the reason. */
export function skipOrFail(suite: string, reason: string): void {
  console.log(`${suite} SKIPPED: ${reason}`);
  if (requireReal) {
    test(`${suite}: a real Kafka broker is required (WENMING_REQUIRE_REAL_SERVERS=1)`, () => {
      throw new Error(reason);
    });
  }
}

export const uniqueName = (prefix: string) => `${prefix}.${randomBytes(4).toString('hex')}`;

/** Polls `condition` every 20 ms; rejects with `what` and `detail()` once `timeoutMs` passed. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
  detail?: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms${detail ? ` (${detail()})` : ''}`);
    await sleep(20);
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Settles like `promise`, or rejects after `ms` saying what did not happen. */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function progressEvent(unitId: string, n: number): NewEvent {
  return {
    id: randomUUID(),
    type: 'ProgressReported',
    occurredAt: '2026-05-01T10:00:00+08:00',
    data: { step: n, measures: '更换窗口服务指南，公开办事流程' },
    metadata: { unitId, campaignId: 'campaign-2026', actor: { id: 'staff-12', role: 'unit' } },
  };
}

/**
 * Appends `total` events over `units` units with `streamsPerUnit` streams each, in
 * batches of 1..maxBatch events, the units in turn, each batch to a random stream of
 * its unit (`rectification-u<unit>s<stream>`).
 */
export async function appendSpread(
  store: EventStore,
  total: number,
  units: number,
  streamsPerUnit: number,
  maxBatch: number,
): Promise<void> {
  for (let n = 0, batch = 0; n < total; batch++) {
    const unit = batch % units;
    const stream = Math.floor(Math.random() * streamsPerUnit);
    const size = Math.min(total - n, 1 + Math.floor(Math.random() * maxBatch));
    await store.append(
      `rectification-u${unit}s${stream}`,
      Array.from({ length: size }, (_, i) => progressEvent(`unit-${unit}`, n + i)),
    );
    n += size;
  }
}

/** A child process running a script with tsx, its stdout as lines. */
export interface Child {
  readonly process: ChildProcess;
  /** Resolves with the exit signal (or code) once it exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first line that satisfies `match`, rejects if the child exits first or after `timeoutMs`. */
  line(match: (line: string) => boolean, timeoutMs: number, what: string): Promise<string>;
}

export function startChild(
  script: string,
  args: string[],
  onLine: (line: string) => void = () => undefined,
  options: { nodeArgs?: string[]; env?: NodeJS.ProcessEnv } = {},
): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', ...(options.nodeArgs ?? []), script, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: options.env ?? process.env,
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const waiters = new Set<(line: string) => void>();
  createInterface({ input: child.stdout! }).on('line', (line) => {
    onLine(line);
    for (const w of [...waiters]) w(line);
  });
  return {
    process: child,
    exited,
    line: (match, timeoutMs, what) =>
      within(
        timeoutMs,
        what,
        new Promise<string>((resolve, reject) => {
          const waiter = (line: string) => {
            if (match(line)) {
              waiters.delete(waiter);
              resolve(line);
            }
          };
          waiters.add(waiter);
          exited.then(({ code, signal }) => {
            if (waiters.delete(waiter)) reject(new Error(`${what}: the child exited first (code ${code}, signal ${signal})`));
          });
        }),
      ),
  };
}

/** Kills the child (if it still runs) and waits for it to exit; for `after` hooks. */
export async function reap(child: Child | undefined): Promise<void> {
  if (!child) return;
  if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
  await child.exited;
}

export interface Collected {
  eventId: string;
  unitId: string;
  position: number;
  partition: number;
  offset: number;
}

/** Total number of messages in `topic` (the sum of its partitions' high watermarks), per partition too. */
export async function topicEnd(brokers: string[], topic: string): Promise<{ total: number; high: Map<number, number> }> {
  const admin = new Kafka({ clientId: 'wenming-fault-admin', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    const high = new Map(offsets.map((o) => [o.partition, Number(o.high)]));
    return { total: [...high.values()].reduce((a, b) => a + b, 0), high };
  } finally {
    await admin.disconnect();
  }
}

/** Messages committed by `groupId` on `topic` (the sum of its committed offsets). */
export async function committedCount(brokers: string[], groupId: string, topic: string): Promise<number> {
  const admin = new Kafka({ clientId: 'wenming-fault-admin', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return (entry?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
  } finally {
    await admin.disconnect();
  }
}

/**
 * An independent consumer: plain kafkajs, a fresh group, from the beginning. It keeps
 * every message (duplicates included) with its partition and offset.
 */
export class Collector {
  readonly messages: Collected[] = [];
  /** Next offset to read, per partition. */
  private readonly next = new Map<number, number>();
  private readonly kafka: Kafka;
  private consumer: ReturnType<Kafka['consumer']> | undefined;

  constructor(
    private readonly brokers: string[],
    private readonly topic: string,
  ) {
    this.kafka = new Kafka({ clientId: 'wenming-fault-collector', brokers, logLevel: logLevel.NOTHING });
  }

  async start(): Promise<void> {
    const consumer = this.kafka.consumer({ groupId: uniqueName('wenming-fault-collector'), maxWaitTimeInMs: 100 });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: [this.topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const headers = message.headers ?? {};
        const header = (name: string) => headers[name]?.toString() ?? '';
        this.messages.push({
          eventId: header(HEADER.eventId),
          unitId: message.key?.toString() ?? '',
          position: Number(header(HEADER.position)),
          partition,
          offset: Number(message.offset),
        });
        this.next.set(partition, Number(message.offset) + 1);
      },
    });
  }

  /** Waits until everything in the topic now has been read; returns the topic's message count. */
  async drain(timeoutMs: number): Promise<number> {
    const { total, high } = await topicEnd(this.brokers, this.topic);
    await waitFor(
      () => [...high].every(([p, end]) => (this.next.get(p) ?? 0) >= end),
      timeoutMs,
      `the collector reads all ${total} messages of ${this.topic}`,
      () => `read ${this.messages.length}`,
    );
    return total;
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    this.consumer = undefined;
  }
}

/**
 * Every stored event arrived, and per unit the first arrival of each event follows the
 * store's global order, each unit on a single partition. Returns the duplicate count.
 */
export async function assertCompleteInUnitOrder(store: EventStore, collected: Collected[], units: string[]): Promise<number> {
  const stored: string[] = [];
  for await (const e of store.readAll()) stored.push(e.id);
  const arrived = new Set(collected.map((m) => m.eventId));
  const missing = stored.filter((id) => !arrived.has(id));
  assert.equal(
    missing.length,
    0,
    `${missing.length} of ${stored.length} stored events never arrived (e.g. ${missing.slice(0, 3).join(', ')})`,
  );
  assert.equal(arrived.size, stored.length, 'nothing arrived that the store does not hold');

  const byUnit = new Map<string, Collected[]>();
  for (const m of collected) {
    const list = byUnit.get(m.unitId);
    if (list) list.push(m);
    else byUnit.set(m.unitId, [m]);
  }
  for (const unit of units) {
    const mine = (byUnit.get(unit) ?? []).sort((a, b) => a.offset - b.offset);
    assert.equal(new Set(mine.map((m) => m.partition)).size, 1, `${unit} stays on one partition`);
    const firsts: string[] = [];
    const seen = new Set<string>();
    for (const m of mine) {
      if (!seen.has(m.eventId)) {
        seen.add(m.eventId);
        firsts.push(m.eventId);
      }
    }
    const expected: string[] = [];
    for await (const e of store.readUnit(unit)) expected.push(e.id);
    assert.deepEqual(firsts, expected, `${unit}: first arrivals in the store's global order`);
  }
  return collected.length - stored.length;
}
