// npm run bench:lookback — the look-back service on a SQLite log of
// BENCH_LOOKBACK_EVENTS events (default 1,000,000) across 2,000 units, one unit
// holding a tenth of them (100,000) and one a hundredth (10,000).
//
// Measures, in one run: the timeline replay (summaries included) beside the raw
// adapter read (readUnit / readAll alone) for the big unit and the whole log; the
// as-of state of the 10,000-event unit at 50 random instants (p50/p99); the
// integrity verification of every stream of the big unit. The log is built with
// batched appends through the adapter (1,000 events per append).
// The last line is one JSON object: ratios end in `Ratio`, latencies in `Ms`.
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type NewEvent, SqliteEventStore } from '@wenming/eventstore';
import { stateAsOf, timeline, toEntry, verifyUnit } from '@wenming/lookback';

const EVENTS = Number(process.env.BENCH_LOOKBACK_EVENTS ?? 1_000_000);
const UNITS = 2000;
const BATCH = 1000;
const BIG = 'u-big';
const MID = 'u-mid';
const bigEvents = Math.floor(EVENTS / 10);
const midEvents = Math.floor(EVENTS / 100);
const root = resolve(import.meta.dirname, '..');
const dir = join(root, '.wenming', 'bench-lookback', String(process.pid));
const figures: Record<string, number | string> = {
  events: EVENTS,
  units: UNITS,
  bigUnitEvents: bigEvents,
  asOfUnitEvents: midEvents,
  batchSize: BATCH,
};

const TYPES: [string, (i: number, unit: string) => Record<string, unknown>][] = [
  [
    'RectificationOrdered',
    (i, u) => ({
      rectificationId: `r${i}`,
      unitId: u,
      requirements: '更新窗口公示栏信息',
      deadlineDate: '2025-04-30',
      publicConcern: i % 3 === 0,
    }),
  ],
  ['RectificationProgressReported', (i) => ({ rectificationId: `r${i - 1}`, step: 1, percentComplete: 50, description: '已完成一半' })],
  [
    'CriterionScored',
    (i, u) => ({
      inspectionId: `i${i % 50}`,
      unitId: u,
      score: { criterionId: `k${i % 20}`, points: { hundredths: 800 }, maxPoints: { hundredths: 1000 } },
    }),
  ],
  ['ComplaintReceived', (i, u) => ({ complaintId: `c${i}`, unitId: u, summary: '办事排长队', publicConcern: true })],
  ['RectificationClosed', (i) => ({ rectificationId: `r${i - 4}`, comment: '验收通过' })],
  ['BenchUnknownEventRecorded', (i) => ({ note: 'a type look-back does not know', n: i })],
];

function event(i: number, unit: string): NewEvent {
  const [type, data] = TYPES[i % TYPES.length]!;
  return {
    id: randomUUID(),
    type,
    data: data(i, unit),
    occurredAt: '2025-03-01T08:00:00.000Z',
    metadata: { unitId: unit, actor: { id: 'bench', role: 'inspector' } },
  };
}

async function main(): Promise<void> {
  mkdirSync(dir, { recursive: true });
  // One simulated second per append, so recorded times spread and as-of instants cut histories.
  let tick = Date.UTC(2025, 0, 1);
  const store = new SqliteEventStore({
    path: join(dir, 'events.db'),
    now: () => {
      tick += 1000;
      return new Date(tick);
    },
  });
  try {
    // ── Build ──
    const buildStart = performance.now();
    let written = 0;
    let bigLeft = bigEvents;
    let midLeft = midEvents;
    let batchNo = 0;
    let other = 0;
    while (written < EVENTS) {
      const size = Math.min(BATCH, EVENTS - written);
      const events: NewEvent[] = [];
      // Interleave: every tenth batch is the big unit's, some are the mid unit's, the rest round-robin over 1,998 units.
      let unitOf: (k: number) => string;
      let stream: string;
      if (bigLeft > 0 && batchNo % 10 === 0) {
        unitOf = () => BIG;
        stream = `rectification-big-${batchNo}`;
        bigLeft -= size;
      } else if (midLeft > 0 && batchNo % 10 === 5) {
        unitOf = () => MID;
        stream = `inspection-mid-${batchNo}`;
        midLeft -= size;
      } else {
        unitOf = () => `u-${(other++ % (UNITS - 2)) + 1}`;
        stream = `complaint-batch-${batchNo}`;
      }
      for (let k = 0; k < size; k++) events.push(event(written + k, unitOf(k)));
      await store.append(stream, events, { expectedRevision: 'no_stream' });
      written += size;
      batchNo += 1;
      if (batchNo % 100 === 0) process.stderr.write(`\rbuilt ${written}/${EVENTS}`);
    }
    figures.buildSeconds = round((performance.now() - buildStart) / 1000);
    figures.buildEventsPerSec = Math.round(EVENTS / Number(figures.buildSeconds));
    console.log(`\nbuilt ${EVENTS} events in ${figures.buildSeconds} s (${figures.buildEventsPerSec} events/s)`);

    // ── Timeline beside the raw adapter read ──
    const rate = async (label: string, run: () => Promise<number>) => {
      const t = performance.now();
      const n = await run();
      const perSec = Math.round(n / ((performance.now() - t) / 1000));
      figures[label] = perSec;
      console.log(`${label}: ${perSec} events/s (${n} events)`);
      return perSec;
    };
    const count = async (it: AsyncIterable<unknown>) => {
      let n = 0;
      for await (const _ of it) n++;
      return n;
    };
    const rawUnit = await rate('rawReadUnitEventsPerSec', () => count(store.readUnit(BIG)));
    const tlUnit = await rate('timelineBigUnitEventsPerSec', () => count(timeline(store, { unitId: BIG })));
    figures.timelineBigUnitRatio = round(tlUnit / rawUnit);
    const rawAll = await rate('rawReadAllEventsPerSec', () => count(store.readAll()));
    const tlAll = await rate('timelineWholeLogEventsPerSec', async () => {
      let n = 0;
      for await (const e of store.readAll()) {
        toEntry(e);
        n++;
      }
      return n;
    });
    figures.timelineWholeLogRatio = round(tlAll / rawAll);

    // ── As of ──
    const first = Date.UTC(2025, 0, 1);
    const latencies: number[] = [];
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 50; i++) {
      const at = new Date(first + random() * (tick - first)).toISOString();
      const t = performance.now();
      await stateAsOf(store, MID, at);
      latencies.push(performance.now() - t);
    }
    latencies.sort((a, b) => a - b);
    figures.asOfP50Ms = round(latencies[Math.floor(latencies.length * 0.5)]!);
    figures.asOfP99Ms = round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))]!);
    figures.asOfMaxMs = round(latencies.at(-1)!);
    console.log(`as-of (${midEvents}-event unit, 50 instants): p50 ${figures.asOfP50Ms} ms, p99 ${figures.asOfP99Ms} ms`);

    // ── Integrity ──
    const t = performance.now();
    const integrity = await verifyUnit(store, BIG);
    figures.integrityEventsPerSec = Math.round(integrity.eventsChecked / ((performance.now() - t) / 1000));
    figures.integrityStreams = integrity.streamsChecked;
    figures.integrityIntact = String(integrity.intact);
    console.log(
      `integrity: ${figures.integrityEventsPerSec} events/s over ${integrity.streamsChecked} streams (${integrity.eventsChecked} events), intact ${integrity.intact}`,
    );
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(JSON.stringify(figures));
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

await main();
