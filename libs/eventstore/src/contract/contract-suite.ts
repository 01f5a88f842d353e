// One contract, every adapter: SQLite, PostgreSQL and EventStoreDB run exactly
// these tests (see each adapter's *.int.spec.ts). Adapters differ in storage, never
// in behaviour.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  DuplicateEventIdError,
  EventTooLargeError,
  InvalidAppendError,
  InvalidEventDataError,
  InvalidExpectedRevisionError,
  InvalidStreamIdError,
  MissingUnitIdError,
  WrongExpectedRevisionError,
} from '../errors.js';
import { GENESIS_HASH } from '../hash-chain.js';
import type { EventStore, RecordedEvent } from '../types.js';
import { collect, newEvent, newEvents, uniqueId } from './fixtures.js';

export interface ContractTarget {
  name: string;
  /** Why this adapter cannot be tested here; the suite prints it and skips. */
  skip?: string | undefined;
  /** A store on fresh storage (a new file, a new schema) or a shared server. */
  open(): Promise<EventStore>;
  /** A second store on the same storage (another connection), for racing writers. */
  openAnother?(): Promise<EventStore>;
  /** Edits one stored event's data behind the store's back, as an attacker with database access would. */
  tamper?(streamId: string, revision: number): Promise<void>;
}

export function eventStoreContract(target: ContractTarget): void {
  describe(`event store contract: ${target.name}`, { skip: target.skip ?? false }, () => {
    let store: EventStore;
    const opened: EventStore[] = [];
    before(async () => {
      store = await target.open();
      opened.push(store);
    });
    after(async () => {
      await Promise.all(opened.map((s) => s.close()));
    });

    describe('append and read a stream', () => {
      it('stores events with revisions, increasing positions, recordedAt and a linked hash chain', async () => {
        const unit = uniqueId('unit');
        const stream = uniqueId('rectification');
        const events = newEvents(unit, 3);
        const result = await store.append(stream, events, { expectedRevision: 'no_stream' });
        assert.equal(result.nextExpectedRevision, 2);
        assert.equal(result.written, true);
        const read = await collect(store.readStream(stream));
        assert.deepEqual(
          read.map((e) => [e.id, e.revision, e.type]),
          events.map((e, i) => [e.id, i, e.type]),
        );
        assert.equal(read[2]?.position, result.position);
        assert.ok(read[0]!.position < read[1]!.position && read[1]!.position < read[2]!.position);
        assert.deepEqual(read[1]?.data, events[1]?.data);
        assert.equal(read[0]?.occurredAt, '2026-03-01T09:00:00+08:00');
        assert.ok(!Number.isNaN(Date.parse(read[0]!.recordedAt)));
        assert.equal(read[0]?.metadata.unitId, unit);
        assert.deepEqual(read[0]?.metadata.actor, { id: 'u-7', role: 'unit' });
        assert.equal(read[0]?.metadata.schemaVersion, 1);
        assert.equal(read[0]?.metadata.prevHash, GENESIS_HASH);
        assert.equal(read[1]?.metadata.prevHash, read[0]?.metadata.hash);
        assert.match(read[2]!.metadata.hash, /^[0-9a-f]{64}$/);
        assert.equal(await store.streamRevision(stream), 2);
      });

      it('reads forwards and backwards from a revision, with a maximum count', async () => {
        const stream = uniqueId('plan');
        await store.append(stream, newEvents(uniqueId('unit'), 10));
        const fwd = await collect(store.readStream(stream, { fromRevision: 4, maxCount: 3 }));
        assert.deepEqual(
          fwd.map((e) => e.revision),
          [4, 5, 6],
        );
        const back = await collect(store.readStream(stream, { direction: 'backwards', fromRevision: 4 }));
        assert.deepEqual(
          back.map((e) => e.revision),
          [4, 3, 2, 1, 0],
        );
        const last = await collect(store.readStream(stream, { direction: 'backwards', maxCount: 2 }));
        assert.deepEqual(
          last.map((e) => e.revision),
          [9, 8],
        );
      });

      it('reads a stream that does not exist as empty, and its revision as undefined', async () => {
        const stream = uniqueId('plan');
        assert.deepEqual(await collect(store.readStream(stream)), []);
        assert.equal(await store.streamRevision(stream), undefined);
      });

      it('reads long streams across pages without loss', async () => {
        const stream = uniqueId('inspection');
        const unit = uniqueId('unit');
        for (let i = 0; i < 3; i++) await store.append(stream, newEvents(unit, 450, i * 450));
        const read = await collect(store.readStream(stream));
        assert.equal(read.length, 1350);
        assert.ok(read.every((e, i) => e.revision === i));
        const back = await collect(store.readStream(stream, { direction: 'backwards' }));
        assert.equal(back.length, 1350);
        assert.equal(back[0]?.revision, 1349);
      });
    });

    describe('expected revision', () => {
      it('accepts any, no_stream on a new stream, stream_exists and the exact revision', async () => {
        const unit = uniqueId('unit');
        const stream = uniqueId('plan');
        await store.append(stream, [newEvent(unit, 0)], { expectedRevision: 'no_stream' });
        await store.append(stream, [newEvent(unit, 1)], { expectedRevision: 'stream_exists' });
        await store.append(stream, [newEvent(unit, 2)], { expectedRevision: 1 });
        const r = await store.append(stream, [newEvent(unit, 3)], { expectedRevision: 'any' });
        assert.equal(r.nextExpectedRevision, 3);
      });

      for (const [label, expected, setup] of [
        ['no_stream on an existing stream', 'no_stream', 1],
        ['stream_exists on a missing stream', 'stream_exists', 0],
        ['a stale exact revision', 0, 2],
        ['an exact revision on a missing stream', 0, 0],
        ['a revision ahead of the stream', 5, 2],
      ] as const) {
        it(`refuses ${label} with a typed concurrency error and writes nothing`, async () => {
          const unit = uniqueId('unit');
          const stream = uniqueId('plan');
          if (setup > 0) await store.append(stream, newEvents(unit, setup));
          const attempt = newEvent(unit, 99);
          await assert.rejects(store.append(stream, [attempt], { expectedRevision: expected }), (err: unknown) => {
            assert.ok(err instanceof WrongExpectedRevisionError, `got ${String(err)}`);
            assert.equal(err.code, 'CONCURRENCY_CONFLICT');
            assert.equal(err.streamId, stream);
            assert.equal(err.actual, setup > 0 ? setup - 1 : 'no_stream');
            return true;
          });
          const read = await collect(store.readStream(stream));
          assert.equal(read.length, setup);
          assert.ok(!read.some((e) => e.id === attempt.id));
        });
      }

      it('lets exactly one of two racing writers win; the other gets the concurrency error', async () => {
        const second = target.openAnother ? await target.openAnother() : store;
        if (second !== store) opened.push(second);
        const unit = uniqueId('unit');
        for (let round = 0; round < 10; round++) {
          const stream = uniqueId('rectification');
          await store.append(stream, [newEvent(unit, 0)]);
          const a = newEvents(unit, 3, 1);
          const b = newEvents(unit, 3, 1);
          const results = await Promise.allSettled([
            store.append(stream, a, { expectedRevision: 0 }),
            second.append(stream, b, { expectedRevision: 0 }),
          ]);
          const won = results.filter((r) => r.status === 'fulfilled');
          const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
          assert.equal(won.length, 1, `round ${round}: ${results.map((r) => r.status).join(',')}`);
          assert.ok(lost[0]?.reason instanceof WrongExpectedRevisionError, String(lost[0]?.reason));
          const read = await collect(store.readStream(stream));
          assert.equal(read.length, 4);
          const winner = results[0]?.status === 'fulfilled' ? a : b;
          assert.deepEqual(
            read.slice(1).map((e) => e.id),
            winner.map((e) => e.id),
          );
        }
      });
    });

    describe('idempotent append', () => {
      it('stores a batch once when it is appended again, even with a now-stale expected revision', async () => {
        const unit = uniqueId('unit');
        const stream = uniqueId('complaint');
        const batch = newEvents(unit, 3);
        const first = await store.append(stream, batch, { expectedRevision: 'no_stream' });
        const again = await store.append(stream, batch, { expectedRevision: 'no_stream' });
        assert.equal(again.written, false);
        assert.equal(again.nextExpectedRevision, first.nextExpectedRevision);
        assert.equal(again.position, first.position);
        const read = await collect(store.readStream(stream));
        assert.equal(read.length, 3);
      });

      it('refuses a batch that is only partly stored, writing nothing', async () => {
        const unit = uniqueId('unit');
        const stream = uniqueId('complaint');
        const batch = newEvents(unit, 2);
        await store.append(stream, batch);
        const mixed = [batch[1]!, newEvent(unit, 5)];
        await assert.rejects(store.append(stream, mixed), DuplicateEventIdError);
        assert.equal((await collect(store.readStream(stream))).length, 2);
      });

      it('reads one event by its id, in any case, through the id index; an unknown or malformed id is undefined', async () => {
        const unit = uniqueId('unit');
        const stream = uniqueId('complaint');
        const batch = newEvents(unit, 3);
        await store.append(stream, batch);
        const found = await store.readEventById(batch[1]!.id.toUpperCase());
        assert.equal(found?.id, batch[1]!.id.toLowerCase());
        assert.equal(found?.streamId, stream);
        assert.equal(found?.revision, 1);
        assert.deepEqual(found?.data, batch[1]!.data);
        assert.equal(await store.readEventById(newEvent(unit, 9).id), undefined);
        assert.equal(await store.readEventById('not-a-uuid'), undefined);
        assert.equal(await store.readEventById("'; DROP TABLE events; --"), undefined);
      });

      it('refuses an id already stored in another stream', async () => {
        const unit = uniqueId('unit');
        const event = newEvent(unit, 0);
        await store.append(uniqueId('complaint'), [event]);
        const other = uniqueId('complaint');
        await assert.rejects(store.append(other, [event]), DuplicateEventIdError);
        assert.equal(await store.streamRevision(other), undefined);
      });
    });

    describe('global log and unit index', () => {
      it('reads the global log from a position, in order, across pages', async () => {
        const unit = uniqueId('unit');
        const streams = [uniqueId('plan'), uniqueId('inspection')];
        const written: string[] = [];
        let first = -1;
        for (let i = 0; i < 6; i++) {
          const batch = newEvents(unit, 110, i * 110);
          const r = await store.append(streams[i % 2]!, batch);
          if (first < 0) first = (await collect(store.readStream(streams[0]!, { maxCount: 1 })))[0]!.position;
          written.push(...batch.map((e) => e.id));
          assert.ok(r.position > first);
        }
        const mine = (await collect(store.readAll({ fromPosition: first }))).filter((e) => e.metadata.unitId === unit);
        assert.deepEqual(
          mine.map((e) => e.id),
          written,
        );
        assert.ok(mine.every((e, i) => i === 0 || e.position > mine[i - 1]!.position));
        const two = await collect(store.readAll({ fromPosition: first, maxCount: 2 }));
        assert.equal(two.length, 2);
        assert.equal(two[0]?.id, written[0]);
        const later = await collect(store.readAll({ fromPosition: mine[500]!.position, maxCount: 1 }));
        assert.equal(later[0]?.id, written[500]);
      });

      it('reports the position of the last event in the log as its head', async () => {
        const first = await store.append(uniqueId('plan'), newEvents(uniqueId('unit'), 2));
        assert.equal(await store.headPosition(), first.position);
        const second = await store.append(uniqueId('inspection'), [newEvent(uniqueId('unit'), 0)]);
        assert.ok(second.position > first.position);
        assert.equal(await store.headPosition(), second.position);
      });

      it("reads one unit's events across streams in global order, and only that unit's", async () => {
        const unitA = uniqueId('unit');
        const unitB = uniqueId('unit');
        const planA = uniqueId('plan');
        const rectA = uniqueId('rectification');
        const planB = uniqueId('plan');
        const expected: string[] = [];
        for (let i = 0; i < 4; i++) {
          const a1 = newEvent(unitA, i);
          const b = newEvent(unitB, i);
          const a2 = newEvent(unitA, 10 + i);
          await store.append(planA, [a1]);
          await store.append(planB, [b]);
          await store.append(rectA, [a2]);
          expected.push(a1.id, a2.id);
        }
        const read = await collect(store.readUnit(unitA));
        assert.deepEqual(
          read.map((e) => e.id),
          expected,
        );
        assert.ok(read.every((e) => e.metadata.unitId === unitA));
        const from = await collect(store.readUnit(unitA, { fromPosition: read[3]!.position }));
        assert.deepEqual(
          from.map((e) => e.id),
          expected.slice(3),
        );
        assert.deepEqual(await collect(store.readUnit(uniqueId('unit'))), []);
      });

      it('stores unitless events only when the append says so', async () => {
        const stream = uniqueId('campaign');
        const event = newEvent('x', 0, { metadata: { actor: { id: 'o-1', role: 'office' } } });
        await assert.rejects(store.append(stream, [event]), MissingUnitIdError);
        assert.equal(await store.streamRevision(stream), undefined);
        await store.append(stream, [event], { unitless: true });
        const [read] = await collect(store.readStream(stream));
        assert.equal(read?.metadata.unitId, undefined);
      });
    });

    describe('catch-up subscription', () => {
      const mine = (prefix: string) => (e: RecordedEvent) => e.streamId.startsWith(prefix);

      it('catches up from the beginning, turns live, and resumes after its checkpoint with no gap or duplicate', async () => {
        const prefix = uniqueId('sub');
        const unit = uniqueId('unit');
        const start = await lastPosition(store);
        await store.append(`${prefix}-a`, newEvents(unit, 20));
        const seen: RecordedEvent[] = [];
        const name = uniqueId('relay');
        const sub = store.subscribeToAll({
          checkpoint: name,
          afterPosition: start,
          handler: (e) => {
            if (mine(prefix)(e)) seen.push(e);
          },
        });
        await sub.caughtUp;
        assert.equal(seen.length, 20);
        await store.append(`${prefix}-b`, newEvents(unit, 5));
        await waitFor(() => seen.length === 25);
        await sub.stop();
        await store.append(`${prefix}-a`, newEvents(unit, 5, 20));
        const resumed = store.subscribeToAll({
          checkpoint: name,
          handler: (e) => {
            if (mine(prefix)(e)) seen.push(e);
          },
        });
        await resumed.caughtUp;
        await waitFor(() => seen.length === 30);
        await resumed.stop();
        assert.equal(new Set(seen.map((e) => e.id)).size, 30);
        assert.ok(seen.every((e, i) => i === 0 || e.position > seen[i - 1]!.position));
        assert.ok((await store.checkpoints.load(name))! >= seen[29]!.position);
      });

      it('delivers every event once, in order, while appends race its catch-up', async () => {
        const prefix = uniqueId('race');
        const unit = uniqueId('unit');
        const start = await lastPosition(store);
        const writer = target.openAnother ? await target.openAnother() : store;
        if (writer !== store) opened.push(writer);
        await store.append(`${prefix}-0`, newEvents(unit, 300));
        const seen: RecordedEvent[] = [];
        const sub = store.subscribeToAll({
          afterPosition: start,
          pageSize: 50,
          handler: async (e) => {
            if (!mine(prefix)(e)) return;
            seen.push(e);
            if (seen.length % 25 === 0) await new Promise((r) => setTimeout(r, 1));
          },
        });
        const appends: Promise<unknown>[] = [];
        for (let i = 1; i <= 40; i++) appends.push(writer.append(`${prefix}-${i % 4}`, newEvents(unit, 5, i * 5)));
        await Promise.all(appends);
        await waitFor(() => seen.length >= 500);
        await sub.stop();
        assert.equal(seen.length, 500);
        assert.equal(new Set(seen.map((e) => e.id)).size, 500);
        assert.ok(seen.every((e, i) => i === 0 || e.position > seen[i - 1]!.position));
        const log = (await collect(store.readAll({ fromPosition: start + 1 }))).filter(mine(prefix));
        assert.deepEqual(
          seen.map((e) => e.id),
          log.map((e) => e.id),
        );
      });

      it('stops with the error of a failing handler and keeps the progress made before it', async () => {
        const prefix = uniqueId('fail');
        const unit = uniqueId('unit');
        const start = await lastPosition(store);
        const events = newEvents(unit, 5);
        await store.append(`${prefix}-a`, events);
        const name = uniqueId('projection');
        let handled = 0;
        const sub = store.subscribeToAll({
          checkpoint: name,
          afterPosition: start,
          handler: (e) => {
            if (!mine(prefix)(e)) return;
            if (e.id === events[3]!.id) throw new Error('projection broke on purpose');
            handled++;
          },
        });
        await assert.rejects(sub.done, /projection broke on purpose/);
        assert.equal(handled, 3);
        const [third] = await collect(store.readStream(`${prefix}-a`, { fromRevision: 2, maxCount: 1 }));
        assert.equal(await store.checkpoints.load(name), third!.position);
      });
    });

    describe('hash chain', () => {
      it('verifies an intact stream across several appends', async () => {
        const stream = uniqueId('rectification');
        const unit = uniqueId('unit');
        await store.append(stream, newEvents(unit, 3));
        await store.append(stream, newEvents(unit, 4, 3));
        const result = await store.verify(stream);
        assert.equal(result.ok, true);
        assert.equal(result.checked, 7);
      });

      it('names the first broken link when a stored event was edited', {
        skip: target.tamper ? false : 'this adapter offers no way to edit stored events',
      }, async () => {
        const stream = uniqueId('rectification');
        await store.append(stream, newEvents(uniqueId('unit'), 6));
        await target.tamper!(stream, 3);
        const result = await store.verify(stream);
        assert.equal(result.ok, false);
        if (result.ok) return;
        assert.equal(result.firstBroken.revision, 3);
        assert.equal(result.firstBroken.reason, 'hash-mismatch');
        assert.equal(result.checked, 3);
      });
    });

    describe('bad input is refused by name, and nothing is written', () => {
      const cases: Array<[string, () => { stream: unknown; events: unknown[]; options?: unknown }, new (...a: never[]) => Error, RegExp]> =
        [
          ['a stream id without a category', () => ({ stream: 'nodash', events: [newEvent('u', 0)] }), InvalidStreamIdError, /streamId/],
          ['a stream id with spaces', () => ({ stream: 'plan-a b', events: [newEvent('u', 0)] }), InvalidStreamIdError, /streamId/],
          ['a system stream id', () => ({ stream: '$plan-1', events: [newEvent('u', 0)] }), InvalidStreamIdError, /streamId/],
          ['a non-string stream id', () => ({ stream: 42, events: [newEvent('u', 0)] }), InvalidStreamIdError, /streamId/],
          [
            'an unknown expected revision',
            () => ({ stream: uniqueId('plan'), events: [newEvent('u', 0)], options: { expectedRevision: 'latest' } }),
            InvalidExpectedRevisionError,
            /expectedRevision/,
          ],
          [
            'a negative expected revision',
            () => ({ stream: uniqueId('plan'), events: [newEvent('u', 0)], options: { expectedRevision: -1 } }),
            InvalidExpectedRevisionError,
            /expectedRevision/,
          ],
          [
            'an event over 1 MiB',
            () => ({ stream: uniqueId('plan'), events: [newEvent('u', 0, { data: { blob: 'x'.repeat(1024 * 1024) } })] }),
            EventTooLargeError,
            /over the limit/,
          ],
          [
            'a bigint in data',
            () => ({ stream: uniqueId('plan'), events: [newEvent('u', 0, { data: { amount: 10n } })] }),
            InvalidEventDataError,
            /data\.amount/,
          ],
          [
            'a circular reference',
            () => {
              const data: Record<string, unknown> = { a: 1 };
              data.self = data;
              return { stream: uniqueId('plan'), events: [newEvent('u', 0, { data })] };
            },
            InvalidEventDataError,
            /data\.self.*circular/,
          ],
          [
            'data nested deeper than MAX_EVENT_DEPTH',
            () => {
              let deep: unknown = 'core';
              for (let i = 0; i < 5000; i++) deep = { a: deep };
              return { stream: uniqueId('plan'), events: [newEvent('u', 0, { data: { deep } })] };
            },
            InvalidEventDataError,
            /data\.deep(\.a)+: is nested more than 64 levels deep/,
          ],
          [
            'a Date in data',
            () => ({ stream: uniqueId('plan'), events: [newEvent('u', 0, { data: { when: new Date() } })] }),
            InvalidEventDataError,
            /data\.when.*Date/,
          ],
          [
            'NaN in data',
            () => ({ stream: uniqueId('plan'), events: [newEvent('u', 0, { data: { score: Number.NaN } })] }),
            InvalidEventDataError,
            /data\.score/,
          ],
          [
            'a function in data',
            () => ({ stream: uniqueId('plan'), events: [newEvent('u', 0, { data: { f: () => 1 } })] }),
            InvalidEventDataError,
            /data\.f/,
          ],
          [
            'a missing unit id',
            () => ({ stream: uniqueId('plan'), events: [newEvent('u', 0, { metadata: {} })] }),
            MissingUnitIdError,
            /metadata\.unitId/,
          ],
          [
            'an id that is not a uuid',
            () => ({ stream: uniqueId('plan'), events: [newEvent('u', 0, { id: 'evt-1' })] }),
            InvalidAppendError,
            /events\[1\]\.id/,
          ],
          [
            'an occurredAt without a time zone',
            () => ({ stream: uniqueId('plan'), events: [newEvent('u', 0, { occurredAt: '2026-03-01 09:00' })] }),
            InvalidAppendError,
            /occurredAt/,
          ],
          [
            'an unknown metadata field',
            () => ({ stream: uniqueId('plan'), events: [newEvent('u', 0, { metadata: { unitId: 'u', userName: 'x' } as never })] }),
            InvalidAppendError,
            /metadata\.userName/,
          ],
          ['an empty batch', () => ({ stream: uniqueId('plan'), events: [] }), InvalidAppendError, /at least one event/],
        ];
      for (const [label, make, type, message] of cases) {
        it(`refuses ${label}`, async () => {
          const { stream, events, options } = make();
          const good = newEvent('u', 1);
          await assert.rejects(
            store.append(stream as string, (events.length > 0 ? [good, ...events] : []) as never[], options as never),
            (err: unknown) => {
              assert.ok(err instanceof type, `expected ${type.name}, got ${String(err)}`);
              assert.match((err as Error).message, message);
              return true;
            },
          );
          if (typeof stream === 'string' && /^[a-z]+-[\w-]+$/.test(stream)) assert.equal(await store.streamRevision(stream), undefined);
          assert.deepEqual(
            (await collect(store.readUnit('u'))).filter((e) => e.id === good.id),
            [],
          );
        });
      }
    });

    it('answers ping', async () => {
      await store.ping();
    });
  });
}

async function lastPosition(store: EventStore): Promise<number> {
  // Appending a marker gives a lower bound of the log's end without scanning it.
  const r = await store.append(uniqueId('marker'), [newEvent('marker', 0)]);
  return r.position;
}

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
