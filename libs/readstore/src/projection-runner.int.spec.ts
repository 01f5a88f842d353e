// The projection runner on a real SQLite event store and a real SQLite read store.
// The oracle is a plain in-memory fold of the whole log with the same update
// functions, so every test asks one question: did each event reach each document
// exactly once, in order, whatever happened to the process in between?
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type NewEvent, type RecordedEvent, SqliteEventStore } from '@wenming/eventstore';
import { UnknownProjectionError } from './errors.js';
import { type ProjectionLogger, startProjections } from './projection-runner.js';
import { SqliteReadStore } from './sqlite/sqlite-read-store.js';
import type { Projection, ReadStore } from './types.js';

const root = mkdtempSync(join(tmpdir(), 'wenming-projections-'));
after(() => rmSync(root, { recursive: true, force: true }));

// ─── A small read model: per-unit counters and a list of open reports ─────────

const PROGRESS = 'test.unit-progress';
const REPORTS = 'test.reports';

interface Progress {
  unitId: string;
  steps: number;
  reports: number;
  lastStep: number | null;
  recent: string[];
}
interface Report {
  unitId: string;
  title: string;
  filedAt: string;
}

/**
 * `clean`: the fixed version, which turns a note an older release wrote as an object
 * (`{ 'bad.note': 1 }`, a key the read store refuses) into text.
 */
function nextProgress(event: RecordedEvent, current: Progress | undefined, clean = false): Progress {
  const data = event.data as { step?: number; note?: string | Record<string, unknown> };
  const base: Progress = current ?? { unitId: event.metadata.unitId!, steps: 0, reports: 0, lastStep: null, recent: [] };
  if (event.type === 'ReportFiled') return { ...base, reports: base.reports + 1 };
  const raw = data.note ?? '';
  const note = clean && typeof raw === 'object' ? Object.keys(raw).join(' ').replaceAll('.', ' ') : (raw as string);
  return { ...base, steps: base.steps + 1, lastStep: data.step ?? null, recent: [...base.recent, note].slice(-3) };
}

function nextReport(event: RecordedEvent): Report | null {
  const data = event.data as { title?: string };
  return event.type === 'ReportFiled' ? { unitId: event.metadata.unitId!, title: data.title ?? '', filedAt: event.recordedAt } : null;
}

interface Counted extends Projection {
  calls: number;
  /** Swaps in the fixed update (see nextProgress). */
  clean?: boolean;
}

function progressProjection(): Counted {
  const p: Counted = {
    name: 'test-unit-progress',
    collections: [PROGRESS],
    handles: ['ProgressReported', 'ReportFiled'],
    indexes: { [PROGRESS]: [['reports'], ['lastStep', 'steps']] },
    calls: 0,
    async apply(event, store) {
      p.calls += 1;
      await store.collection<Progress>(PROGRESS).apply(event.metadata.unitId!, event.position, (cur) => nextProgress(event, cur, p.clean));
    },
  };
  return p;
}

function reportsProjection(): Counted {
  const p: Counted = {
    name: 'test-reports',
    collections: [REPORTS],
    handles: ['ReportFiled', 'ReportWithdrawn'],
    indexes: { [REPORTS]: [['unitId']] },
    calls: 0,
    async apply(event, store) {
      p.calls += 1;
      const { reportId } = event.data as { reportId: string };
      await store.collection<Report>(REPORTS).apply(reportId, event.position, () => nextReport(event));
    },
  };
  return p;
}

// ─── The log ────────────────────────────────────────────────────────────────

/** Progress, reports filed and withdrawn (some never filed), and events nobody handles, over 7 units. */
function historyEvent(n: number): NewEvent {
  const unitId = `unit-${n % 7}`;
  const base = { id: randomUUID(), occurredAt: '2026-03-01T09:00:00+08:00', metadata: { unitId, actor: { id: 'u-7', role: 'unit' } } };
  switch (n % 6) {
    case 3:
      return { ...base, type: 'ReportFiled', data: { reportId: `r-${n}`, title: `整改报告 ${n}` } };
    case 4:
      return { ...base, type: 'CampaignNoted', data: { n } };
    case 5:
      return { ...base, type: 'ReportWithdrawn', data: { reportId: n >= 8 ? `r-${n - 8}` : `r-never-${n}` } };
    default:
      return { ...base, type: 'ProgressReported', data: { step: n, note: `step ${n}` } };
  }
}

class Log {
  private next = 0;
  constructor(readonly store: SqliteEventStore) {}

  /** Appends `count` events, ten per stream, and returns the last position. */
  async append(count: number): Promise<number> {
    let position = 0;
    for (let done = 0; done < count; done += 10) {
      const batch = Array.from({ length: Math.min(10, count - done) }, () => historyEvent(this.next++));
      position = (await this.store.append(`rectification-${this.next}`, batch)).position;
    }
    return position;
  }

  async all(): Promise<RecordedEvent[]> {
    const out: RecordedEvent[] = [];
    for await (const e of this.store.readAll()) out.push(e);
    return out;
  }
}

type Dump = Record<string, object[]>;

async function dump(store: ReadStore): Promise<Dump> {
  return {
    [PROGRESS]: await store.collection<Progress>(PROGRESS).find({}, { sort: { _id: 1 } }),
    [REPORTS]: await store.collection<Report>(REPORTS).find({}, { sort: { _id: 1 } }),
  };
}

/** What the read models must hold after the whole log: a plain fold in memory (without the events a projection skipped). */
function oracle(events: RecordedEvent[], clean = false): Dump {
  const progress = new Map<string, Progress & { _position: number }>();
  const reports = new Map<string, (Report & { _position: number }) | null>();
  for (const e of events) {
    if (e.type === 'ProgressReported' || e.type === 'ReportFiled') {
      const id = e.metadata.unitId!;
      const cur = progress.get(id);
      progress.set(id, { ...nextProgress(e, cur && strip(cur), clean), _position: e.position });
    }
    if (e.type === 'ReportFiled' || e.type === 'ReportWithdrawn') {
      const next = nextReport(e);
      reports.set((e.data as { reportId: string }).reportId, next && { ...next, _position: e.position });
    }
  }
  const sorted = <T>(m: Map<string, T | null>) =>
    [...m]
      .filter((entry): entry is [string, T] => entry[1] !== null)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([_id, doc]) => ({ _id, ...doc }));
  return { [PROGRESS]: sorted(progress), [REPORTS]: sorted(reports) };
}

function strip(doc: Progress & { _position: number }): Progress {
  const { _position, ...rest } = doc;
  return rest;
}

async function eventually(check: () => Promise<void>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

function capture(): ProjectionLogger & { lines: Array<{ level: string; msg: string; obj: object }> } {
  const lines: Array<{ level: string; msg: string; obj: object }> = [];
  return {
    lines,
    info: (obj, msg) => lines.push({ level: 'info', msg, obj }),
    error: (obj, msg) => lines.push({ level: 'error', msg, obj }),
  };
}

/** An event whose note the read store refuses: an object with a dotted key, as an older release wrote it. */
async function appendPoison(store: SqliteEventStore, unitId: string): Promise<RecordedEvent> {
  const id = randomUUID();
  const { position } = await store.append(`poison-${id}`, [
    {
      id,
      type: 'ProgressReported',
      occurredAt: '2026-03-01T09:00:00+08:00',
      data: { step: -1, note: { 'bad.note': 1 } },
      metadata: { unitId, actor: { id: 'u-7', role: 'unit' } },
    },
  ]);
  for await (const event of store.readAll({ fromPosition: position, maxCount: 1 })) return event;
  throw new Error(`no event at ${position}`);
}

/** A fresh data directory with an event store and a read store in it. */
function open(name: string) {
  const dir = join(root, name);
  const eventStore = new SqliteEventStore({ path: join(dir, 'events.db'), pollIntervalMs: 20 });
  const readStore = new SqliteReadStore({ path: join(dir, 'read-models.db') });
  return { dir, eventStore, readStore, log: new Log(eventStore) };
}

// ─── Tests ──────────────────────────────────────────────────────────────────

describe('projection runner (SQLite event store → SQLite read store)', () => {
  it('catches up from an existing log, becomes ready and stores its checkpoints', async () => {
    const { eventStore, readStore, log } = open('catch-up');
    const last = await log.append(600);
    const progress = progressProjection();
    const reports = reportsProjection();
    const runner = startProjections({ eventStore, readStore, projections: [progress, reports] });
    assert.equal(runner.ready(), false);
    await runner.caughtUp;
    assert.equal(runner.ready(), true);
    assert.deepEqual(await dump(readStore), oracle(await log.all()));
    assert.equal((await dump(readStore))[REPORTS]!.length > 0, true);
    assert.equal(await readStore.checkpoints.load('test-unit-progress'), last);
    assert.equal(await readStore.checkpoints.load('test-reports'), last);
    assert.deepEqual(
      runner.status().map((s) => [s.name, s.state, s.position]),
      [
        ['test-unit-progress', 'live', last],
        ['test-reports', 'live', last],
      ],
    );
    await runner.stop();
    assert.equal(runner.ready(), false);
    await eventStore.close();
    await readStore.close();
  });

  it('skips event types a projection does not handle, yet moves its checkpoint past them', async () => {
    const { eventStore, readStore, log } = open('skips');
    await log.append(12);
    const events = await log.all();
    const progress = progressProjection();
    const runner = startProjections({ eventStore, readStore, projections: [progress] });
    await runner.caughtUp;
    assert.equal(progress.calls, events.filter((e) => progress.handles.includes(e.type)).length);
    assert.ok(progress.calls < events.length);
    assert.equal(await readStore.checkpoints.load(progress.name), events.at(-1)!.position);
    await runner.stop();
    await eventStore.close();
    await readStore.close();
  });

  it('follows live appends, and stores the checkpoint every N events and after a short idle', async () => {
    const { eventStore, readStore, log } = open('live');
    await log.append(30);
    const runner = startProjections({
      eventStore,
      readStore,
      projections: [progressProjection(), reportsProjection()],
      checkpointEvery: 1_000,
      checkpointIdleMs: 30,
    });
    await runner.caughtUp;
    for (let round = 0; round < 5; round++) {
      const last = await log.append(40);
      await eventually(async () => assert.deepEqual(await dump(readStore), oracle(await log.all())));
      // Far below checkpointEvery: only the idle timer stores it.
      await eventually(async () => assert.equal(await readStore.checkpoints.load('test-reports'), last));
    }
    assert.equal(runner.ready(), true);
    await runner.stop();
    await eventStore.close();
    await readStore.close();
  });

  it('survives a restart: stop, append more, start again gives what one run gives', async () => {
    const { dir, eventStore, readStore, log } = open('restart');
    await log.append(250);
    const first = startProjections({ eventStore, readStore, projections: [progressProjection(), reportsProjection()], checkpointEvery: 7 });
    await first.caughtUp;
    await log.append(100);
    await first.stop();
    await log.append(150);
    await readStore.close();
    const reopened = new SqliteReadStore({ path: join(dir, 'read-models.db') });
    const second = startProjections({ eventStore, readStore: reopened, projections: [progressProjection(), reportsProjection()] });
    await second.caughtUp;
    const restarted = await dump(reopened);

    const fresh = new SqliteReadStore({ path: join(dir, 'one-run.db') });
    const single = startProjections({ eventStore, readStore: fresh, projections: [progressProjection(), reportsProjection()] });
    await single.caughtUp;
    assert.deepEqual(restarted, await dump(fresh));
    assert.deepEqual(restarted, oracle(await log.all()));
    await Promise.all([second.stop(), single.stop()]);
    await Promise.all([reopened.close(), fresh.close(), eventStore.close()]);
  });

  it('rebuilds on start a read store written by another version of a projection, and only then', async () => {
    const { eventStore, readStore, log } = open('versions');
    await log.append(120);
    // An older release wrote these documents in another shape.
    const legacy: Projection = {
      ...progressProjection(),
      async apply(event, store) {
        await store.collection<object>(PROGRESS).apply(event.metadata.unitId!, event.position, () => ({ legacyShape: true }));
      },
    };
    const first = startProjections({ eventStore, readStore, projections: [legacy] });
    await first.caughtUp;
    await first.stop();
    // The same version (1, the default): the documents are trusted as they are.
    const same = progressProjection();
    const second = startProjections({ eventStore, readStore, projections: [same] });
    await second.caughtUp;
    await second.stop();
    assert.equal(same.calls, 0);
    assert.ok(
      (await readStore.collection<object>(PROGRESS).find({})).every((d) => 'legacyShape' in d),
      'same version kept the documents',
    );
    // Version 2: dropped and rebuilt from the log, once.
    const upgraded: Counted = Object.assign(progressProjection(), { version: 2 });
    const lines = capture();
    const third = startProjections({ eventStore, readStore, projections: [upgraded], logger: lines });
    await third.caughtUp;
    await third.stop();
    assert.ok(upgraded.calls > 0, 'the upgraded projection replayed the log');
    assert.deepEqual((await dump(readStore))[PROGRESS], oracle(await log.all())[PROGRESS]);
    assert.ok(
      lines.lines.some((l) => l.msg.includes('another version')),
      'the rebuild is logged',
    );
    const again: Counted = Object.assign(progressProjection(), { version: 2 });
    const fourth = startProjections({ eventStore, readStore, projections: [again] });
    await fourth.caughtUp;
    await fourth.stop();
    assert.equal(again.calls, 0, 'a second start of version 2 rebuilt again');
    await Promise.all([readStore.close(), eventStore.close()]);
  });

  it('rebuilds from zero to exactly the same documents, while appends go on', async () => {
    const { eventStore, readStore, log } = open('rebuild');
    await log.append(500);
    const progress = progressProjection();
    const reports = reportsProjection();
    const logger = capture();
    const runner = startProjections({ eventStore, readStore, projections: [progress, reports], logger });
    await runner.caughtUp;
    const before = await dump(readStore);
    assert.deepEqual(before, oracle(await log.all()));

    const callsBefore = progress.calls;
    await runner.rebuild('all');
    assert.equal(runner.ready(), true);
    assert.deepEqual(await dump(readStore), before);
    assert.equal(progress.calls, 2 * callsBefore, 'a rebuild applies every handled event again');
    assert.ok(logger.lines.some((l) => l.msg.includes('dropped for a rebuild')));

    // better-sqlite3 appends complete without leaving the microtask queue: the writer
    // sleeps between batches, as a server between requests, or nothing else would run.
    let appending = true;
    const writer = (async () => {
      while (appending) {
        await log.append(10);
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    await runner.rebuild('test-reports');
    await runner.rebuild('test-unit-progress');
    appending = false;
    await writer;
    await eventually(async () => assert.deepEqual(await dump(readStore), oracle(await log.all())));
    assert.equal(runner.ready(), true);
    await assert.rejects(runner.rebuild('no-such-projection'), UnknownProjectionError);
    await runner.stop();
    await eventStore.close();
    await readStore.close();
  });

  it('changes nothing when a replay overlaps the checkpoint (checkpoint moved back, nothing dropped)', async () => {
    const { eventStore, readStore, log } = open('overlap');
    await log.append(300);
    const events = await log.all();
    const run = async () => {
      const progress = progressProjection();
      const runner = startProjections({ eventStore, readStore, projections: [progress, reportsProjection()] });
      await runner.caughtUp;
      await runner.stop();
      return progress.calls;
    };
    await run();
    const expected = await dump(readStore);
    assert.deepEqual(expected, oracle(events));

    // The checkpoint lagging by half the log, as after a crash between checkpoints.
    await readStore.checkpoints.store('test-unit-progress', events[150]!.position);
    await readStore.checkpoints.store('test-reports', events[150]!.position);
    assert.ok((await run()) > 0, 'the overlapping events were applied again');
    assert.deepEqual(await dump(readStore), expected);

    // No checkpoint at all: the whole log again over the existing documents.
    await readStore.checkpoints.reset('test-unit-progress');
    await readStore.checkpoints.reset('test-reports');
    await run();
    assert.deepEqual(await dump(readStore), expected);
    await eventStore.close();
    await readStore.close();
  });

  it('gives projections text a read store can hold: a NUL stored before the edges checked text applies as U+FFFD', async () => {
    const { eventStore, readStore, log } = open('nul-text');
    await log.append(10);
    const id = randomUUID();
    await eventStore.append(`nul-${id}`, [
      {
        id,
        type: 'ProgressReported',
        occurredAt: '2026-03-01T09:00:00+08:00',
        data: { step: 7, note: '市\u0000税务局' },
        metadata: { unitId: 'unit-nul', actor: { id: 'u-7', role: 'unit' } },
      },
    ]);
    const runner = startProjections({ eventStore, readStore, projections: [progressProjection()] });
    await runner.caughtUp;
    assert.deepEqual(runner.status()[0]?.failedEvents, 0);
    assert.deepEqual((await readStore.collection<Progress>(PROGRESS).get('unit-nul'))?.recent, ['市\uFFFD税务局']);
    const stored: RecordedEvent[] = [];
    for await (const e of eventStore.readStream(`nul-${id}`)) stored.push(e);
    assert.equal((stored[0]!.data as { note: string }).note, '市\u0000税务局', 'the event itself keeps what was sent');
    await runner.stop();
    await Promise.all([readStore.close(), eventStore.close()]);
  });

  it('records a poison event as failed and goes on: ready, later events applied, details kept across a restart, a retry after the fix clears it', async () => {
    const { dir, eventStore, readStore, log } = open('poison');
    await log.append(30);
    // A note the read store refuses (MongoDB cannot hold a key with a dot), on a unit no other event touches.
    const poison = await appendPoison(eventStore, 'unit-poison');
    await log.append(30);
    const progress = progressProjection();
    const logger = capture();
    const runner = startProjections({ eventStore, readStore, projections: [progress, reportsProjection()], logger });
    await runner.caughtUp;
    assert.equal(runner.ready(), true);
    assert.deepEqual(
      runner.status().map((s) => [s.name, s.state, s.failedEvents]),
      [
        ['test-unit-progress', 'live', 1],
        ['test-reports', 'live', 0],
      ],
    );
    const without = (skipped: number[]) => async () => oracle((await log.all()).filter((e) => !skipped.includes(e.position)));
    assert.deepEqual(await dump(readStore), await without([poison.position])());
    const [failure, ...none] = await readStore.failedEvents.list('test-unit-progress');
    assert.deepEqual(none, []);
    assert.ok(failure);
    assert.equal(failure.projection, 'test-unit-progress');
    assert.equal(failure.position, poison.position);
    assert.equal(failure.eventId, poison.id);
    assert.equal(failure.type, 'ProgressReported');
    assert.equal(failure.streamId, poison.streamId);
    assert.match(failure.error, /keys must/);
    assert.equal(failure.attempts, 3, 'three immediate attempts, then recorded');
    assert.ok(!Number.isNaN(Date.parse(failure.firstFailedAt)));
    assert.ok(
      logger.lines.some((l) => l.level === 'error' && (l.obj as { position?: number }).position === poison.position),
      'the failure is logged with its position',
    );
    // Its position is passed: the checkpoint goes on past it.
    assert.equal(await readStore.checkpoints.load('test-unit-progress'), await eventStore.headPosition());

    // Live: a second poison, on a unit that later events go on changing.
    const movedOn = await appendPoison(eventStore, 'unit-3');
    await log.append(20);
    await eventually(async () => assert.deepEqual(await dump(readStore), await without([poison.position, movedOn.position])()));
    assert.equal(runner.status()[0]?.failedEvents, 2);
    assert.equal(runner.ready(), true);
    await runner.stop();

    // A restart on the same stores starts, catches up and is ready: the failures stay recorded.
    await readStore.close();
    const reopened = new SqliteReadStore({ path: join(dir, 'read-models.db') });
    const restarted = startProjections({ eventStore, readStore: reopened, projections: [progress, reportsProjection()] });
    await restarted.caughtUp;
    assert.equal(restarted.ready(), true);
    assert.equal(restarted.status()[0]?.failedEvents, 2);
    assert.deepEqual(
      (await reopened.failedEvents.list('test-unit-progress')).map((f) => [f.position, f.eventId, f.attempts]),
      [
        [poison.position, poison.id, 3],
        [movedOn.position, movedOn.id, 3],
      ],
    );

    // The fix: a retry applies the first (its document did not move) and clears it. The
    // second stays: unit-3 has since applied later events, so the position guard makes the
    // old event a no-op there; only a rebuild applies it in order.
    progress.clean = true;
    assert.deepEqual(await restarted.retry('test-unit-progress'), [
      { projection: 'test-unit-progress', retried: 2, applied: 1, stillFailing: 1, movedOn: 1 },
    ]);
    assert.equal(restarted.status()[0]?.failedEvents, 1);
    const left = await reopened.failedEvents.list('test-unit-progress');
    assert.deepEqual(
      left.map((f) => f.position),
      [movedOn.position],
    );
    assert.match(left[0]!.error, /rebuild/);
    assert.deepEqual((await reopened.collection<Progress>(PROGRESS).get('unit-poison'))?.recent, ['bad note']);
    await restarted.rebuild('test-unit-progress');
    assert.equal(restarted.status()[0]?.failedEvents, 0);
    assert.deepEqual(await reopened.failedEvents.list('test-unit-progress'), []);
    assert.deepEqual(await dump(reopened), oracle(await log.all(), true));
    await restarted.stop();
    await eventStore.close();
    await reopened.close();
  });

  it('completes a rebuild of all projections over a poison event and records it again', async () => {
    const { eventStore, readStore, log } = open('poison-rebuild');
    await log.append(40);
    const poison = await appendPoison(eventStore, 'unit-2');
    await log.append(40);
    const runner = startProjections({ eventStore, readStore, projections: [progressProjection(), reportsProjection()] });
    await runner.caughtUp;
    const [before] = await readStore.failedEvents.list('test-unit-progress');
    await runner.rebuild('all');
    assert.equal(runner.ready(), true);
    const after = await readStore.failedEvents.list('test-unit-progress');
    assert.deepEqual(
      after.map((f) => [f.position, f.attempts]),
      [[poison.position, 3]],
      'cleared by the rebuild and recorded afresh',
    );
    assert.ok(before && after[0]!.firstFailedAt >= before.firstFailedAt);
    assert.deepEqual(await dump(readStore), oracle((await log.all()).filter((e) => e.position !== poison.position)));
    await runner.stop();
    await eventStore.close();
    await readStore.close();
  });

  it('waits, not ready, while the read store is unavailable, records nothing, and goes on when it is back', async () => {
    const { eventStore, readStore, log } = open('store-down');
    await log.append(10);
    let down = false;
    const outage = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:27017'), { name: 'MongoNetworkError' });
    const flaky: ReadStore = new Proxy(readStore, {
      get(target, prop) {
        if (prop === 'ping') return async () => (down ? Promise.reject(outage()) : target.ping());
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const progress = progressProjection();
    const inner = progress.apply.bind(progress);
    let refused = 0;
    progress.apply = async (event, store) => {
      if (down) {
        refused += 1;
        throw outage();
      }
      await inner(event, store);
    };
    const logger = capture();
    const runner = startProjections({
      eventStore,
      readStore: flaky,
      projections: [progress],
      logger,
      unavailableRetryMs: { first: 5, max: 20 },
    });
    await runner.caughtUp;
    down = true;
    await log.append(10);
    await eventually(async () => assert.equal(runner.status()[0]?.state, 'waiting'));
    assert.equal(runner.ready(), false);
    assert.match(runner.status()[0]?.error ?? '', /ECONNREFUSED/);
    await eventually(async () => assert.ok(refused > 5, 'it keeps trying'));
    down = false;
    await eventually(async () => assert.equal(runner.ready(), true));
    assert.deepEqual((await dump(readStore))[PROGRESS], oracle(await log.all())[PROGRESS]);
    assert.equal(runner.status()[0]?.failedEvents, 0);
    assert.deepEqual(await readStore.failedEvents.list('test-unit-progress'), []);
    assert.ok(logger.lines.some((l) => l.msg.includes('unavailable')));
    await runner.stop();
    await eventStore.close();
    await readStore.close();
  });

  it('goes on applying when storing its checkpoint fails (the guards make the replay after a restart safe)', async () => {
    const { eventStore, readStore, log } = open('checkpoint-fails');
    await log.append(20);
    const noCheckpoints: ReadStore = new Proxy(readStore, {
      get(target, prop) {
        if (prop === 'checkpoints') {
          return { ...target.checkpoints, store: async () => Promise.reject(new Error('disk I/O error')) };
        }
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const logger = capture();
    const runner = startProjections({
      eventStore,
      readStore: noCheckpoints,
      projections: [progressProjection()],
      logger,
      checkpointEvery: 1,
    });
    await runner.caughtUp;
    assert.equal(runner.ready(), true);
    assert.deepEqual((await dump(readStore))[PROGRESS], oracle(await log.all())[PROGRESS]);
    assert.ok(logger.lines.some((l) => l.msg.includes('checkpoint failed')));
    await runner.stop();
    await eventStore.close();
    await readStore.close();
  });

  it('stops promptly while waiting for the read store', async () => {
    const { eventStore, readStore, log } = open('stop-while-waiting');
    await log.append(10);
    const stuck: Projection = {
      name: 'test-stuck',
      collections: ['test.stuck'],
      handles: ['ProgressReported'],
      async apply() {
        throw Object.assign(new Error('socket closed'), { name: 'MongoNetworkError' });
      },
    };
    const flaky: ReadStore = new Proxy(readStore, {
      get(target, prop) {
        if (prop === 'ping') return async () => Promise.reject(new Error('no server'));
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const runner = startProjections({
      eventStore,
      readStore: flaky,
      projections: [stuck],
      unavailableRetryMs: { first: 60_000, max: 60_000 },
    });
    await eventually(async () => assert.equal(runner.status()[0]?.state, 'waiting'));
    const t0 = Date.now();
    await runner.stop();
    assert.ok(Date.now() - t0 < 2_000, 'stop does not wait out the back-off');
    await runner.caughtUp;
    assert.deepEqual(await readStore.failedEvents.list('test-stuck'), []);
    await eventStore.close();
    await readStore.close();
  });

  it('refuses two projections with one name, or sharing a collection', async () => {
    const { eventStore, readStore } = open('refuse');
    assert.throws(
      () => startProjections({ eventStore, readStore, projections: [progressProjection(), progressProjection()] }),
      /two projections/,
    );
    const thief = { ...reportsProjection(), name: 'test-thief', collections: [PROGRESS] };
    assert.throws(() => startProjections({ eventStore, readStore, projections: [progressProjection(), thief] }), /belongs to both/);
    await Promise.all([eventStore.close(), readStore.close()]);
  });
});
