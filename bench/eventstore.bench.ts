// npm run bench:eventstore — the event store adapters beside their raw drivers.
//
// For SQLite and PostgreSQL: append BENCH_EVENTS events in batches of 100 and
// BENCH_SINGLE_EVENTS one per append, then read back one stream, the whole log
// and one unit's index. The raw driver does the equivalent inserts and selects on
// the same kind of table with the same durability settings, in the same run.
// Machines here are shared and noisy: read the ratios, not the absolute rates.
// The last line is one JSON object; adapter-to-raw ratios end in `Ratio`.
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { EventStore, NewEvent } from '@wenming/eventstore';
import { openEventStore } from '@wenming/eventstore';
import { providePostgres } from '@wenming/testing';
import type { RawBaseline, RawRow } from './raw/baseline.js';
import { postgresRaw } from './raw/postgres-raw.js';
import { sqliteRaw } from './raw/sqlite-raw.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const SINGLE_EVENTS = Number(process.env.BENCH_SINGLE_EVENTS ?? 100_000);
const BATCH = 100;
const STREAMS = 10;
const root = resolve(import.meta.dirname, '..');
const figures: Record<string, number | string> = { events: EVENTS, singleEvents: SINGLE_EVENTS, batchSize: BATCH };

interface Planned {
  streamId: string;
  event: NewEvent;
  revision: number;
}

function plan(count: number, prefix: string): Planned[] {
  const revisions = new Map<string, number>();
  return Array.from({ length: count }, (_, i) => {
    const streamId = `${prefix}-${Math.floor(i / BATCH) % STREAMS}`;
    const unitId = `unit-${prefix}-${Math.floor(i / BATCH) % STREAMS}`;
    const revision = revisions.get(streamId) ?? 0;
    revisions.set(streamId, revision + 1);
    return {
      streamId,
      revision,
      event: {
        id: randomUUID(),
        type: 'ProgressReported',
        occurredAt: '2026-04-01T09:30:00+08:00',
        data: { step: i, measures: '更换窗口服务指南，公开办事流程', evidence: [{ file: `photo-${i}.jpg`, sha256: 'cd'.repeat(32) }] },
        metadata: { unitId, campaignId: 'campaign-2026', actor: { id: 'staff-12', role: 'unit' }, correlationId: `cmd-${i}` },
      },
    };
  });
}

function toRaw(p: Planned): RawRow {
  return {
    id: p.event.id,
    streamId: p.streamId,
    revision: p.revision,
    type: p.event.type,
    unitId: p.event.metadata.unitId ?? '',
    occurredAt: p.event.occurredAt,
    data: p.event.data,
    metadata: p.event.metadata,
  };
}

function batches<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

async function rate(label: string, events: number, work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  const seconds = (performance.now() - started) / 1000;
  const perSec = Math.round(events / seconds);
  console.log(`  ${label.padEnd(44)} ${String(perSec).padStart(9)} events/s  (${seconds.toFixed(2)} s)`);
  return perSec;
}

async function count(iterable: AsyncIterable<unknown>): Promise<number> {
  let n = 0;
  for await (const _ of iterable) n++;
  return n;
}

async function compare(name: string, store: EventStore, raw: RawBaseline): Promise<void> {
  console.log(`\n${name}`);
  const single = plan(SINGLE_EVENTS, 'single');
  const batched = plan(EVENTS, 'batched');
  const pair = async (key: string, events: number, adapter: () => Promise<unknown>, baseline: () => Promise<unknown>) => {
    const a = await rate(`adapter ${key}`, events, adapter);
    const r = await rate(`raw driver ${key}`, events, baseline);
    const ratio = Math.round((a / r) * 1000) / 1000;
    console.log(`  ${''.padEnd(44)} ratio ${ratio}`);
    figures[`${name}${key}EventsPerSec`] = a;
    figures[`${name}Raw${key}EventsPerSec`] = r;
    figures[`${name}${key}Ratio`] = ratio;
  };
  await pair(
    'AppendBatch1',
    SINGLE_EVENTS,
    async () => {
      for (const p of single) await store.append(p.streamId, [p.event]);
    },
    async () => {
      for (const p of single) await raw.appendBatch([toRaw(p)]);
    },
  );
  await pair(
    'AppendBatch100',
    EVENTS,
    async () => {
      for (const b of batches(batched, BATCH))
        await store.append(
          b[0]!.streamId,
          b.map((p) => p.event),
        );
    },
    async () => {
      for (const b of batches(batched, BATCH)) await raw.appendBatch(b.map(toRaw));
    },
  );
  const perStream = EVENTS / STREAMS;
  const total = EVENTS + SINGLE_EVENTS;
  await pair(
    'ReadStream',
    perStream,
    () => expectCount(count(store.readStream('batched-0')), perStream),
    () => expectCount(raw.readStream('batched-0'), perStream),
  );
  await pair(
    'ReadAll',
    total,
    () => expectCount(count(store.readAll()), total),
    () => expectCount(raw.readAll(), total),
  );
  await pair(
    'ReadUnit',
    perStream,
    () => expectCount(count(store.readUnit('unit-batched-0')), perStream),
    () => expectCount(raw.readUnit('unit-batched-0'), perStream),
  );
}

async function expectCount(counted: Promise<number>, expected: number): Promise<void> {
  const n = await counted;
  if (n !== expected) throw new Error(`read ${n} events, expected ${expected}`);
}

const dir = join(root, '.bench', `eventstore-${process.pid}`);
mkdirSync(dir, { recursive: true });
console.log(`Event store benchmark: ${EVENTS} events in batches of ${BATCH}, ${SINGLE_EVENTS} single appends`);
try {
  const sqlite = await openEventStore(`sqlite:${join(dir, 'adapter.db')}`);
  const sqliteBaseline = sqliteRaw(join(dir, 'raw.db'));
  await compare('sqlite', sqlite, sqliteBaseline);
  await sqlite.close();
  await sqliteBaseline.close();

  // Its own server directory: a concurrent `npm test` stops the test servers when it ends.
  const pg = await providePostgres(join(root, '.wenming', 'bench-servers'));
  if ('skipped' in pg) {
    console.log(`\nPostgreSQL skipped: ${pg.skipped}`);
    figures.postgresql = `skipped: ${pg.skipped}`;
  } else {
    const schema = `bench_${process.pid}`;
    const { PostgresEventStore } = await import('@wenming/eventstore/postgres');
    const store = await PostgresEventStore.connect({ connectionString: pg.url, schema: `${schema}_adapter` });
    const baseline = await postgresRaw(pg.url, `${schema}_raw`);
    try {
      await compare('postgresql', store, baseline);
    } finally {
      await store.dropSchema();
      await store.close();
      await baseline.close();
      await pg.stop();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(JSON.stringify({ bench: 'eventstore', ...figures }));
