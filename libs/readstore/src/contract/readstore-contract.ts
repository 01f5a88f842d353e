// One contract, every read-store adapter: the embedded SQLite store and MongoDB
// (FerretDB in tests) run exactly these tests. Each test works in collections and
// checkpoints of its own, so the suite also runs against a shared server.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { InvalidApplyError, InvalidCollectionNameError, InvalidDocumentError, InvalidQueryError } from '../errors.js';
import type { Collection, FailedAttempt, Filter, ReadStore } from '../types.js';
import { MAX_FAILURE_TEXT } from '../validation.js';

export interface ReadStoreContractTarget {
  name: string;
  /** Why this adapter cannot be tested here; the suite prints it and skips. */
  skip?: string | undefined;
  /** A store on fresh storage, or on a shared server. */
  open(): Promise<ReadStore>;
  /** A second store on the same storage, opened after the first was closed: data must survive. */
  reopen?(): Promise<ReadStore>;
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

interface Unit {
  name: string;
  district: string;
  score: number;
  active: boolean;
  leader?: { name: string; rank: number } | null;
  tags?: string[];
}

const UNITS: Array<[string, Unit]> = [
  ['u1', { name: '市教育局', district: 'east', score: 90, active: true, leader: { name: 'Li', rank: 3 }, tags: ['a'] }],
  ['u2', { name: '市卫健委', district: 'west', score: 75, active: false, leader: { name: 'Wang', rank: 1 } }],
  ['u3', { name: '区税务局', district: 'east', score: 60, active: true, leader: null }],
  ['u4', { name: '区法院', district: 'north', score: 82.5, active: true }],
  ['u5', { name: '街道办', district: 'east', score: 75, active: false, leader: { name: 'Zhao', rank: 2 } }],
];

export function readStoreContract(target: ReadStoreContractTarget): void {
  describe(`read store contract: ${target.name}`, { skip: target.skip ?? false }, () => {
    let store: ReadStore;
    before(async () => {
      store = await target.open();
    });
    after(async () => {
      await store?.close();
    });

    /** A fresh collection holding UNITS, each written at position 10 + its index. */
    const seeded = async (): Promise<Collection<Unit>> => {
      const units = store.collection<Unit>(uniqueName('units'));
      for (const [i, [id, unit]] of UNITS.entries()) assert.equal(await units.apply(id, 10 + i, () => unit), true);
      return units;
    };
    const ids = (docs: Array<{ _id: string }>) => docs.map((d) => d._id);
    const findIds = async (units: Collection<Unit>, filter: Filter) => ids(await units.find(filter, { sort: { _id: 1 } }));

    describe('get, find and count', () => {
      it('gets a document with its _id and _position, and undefined for an absent one', async () => {
        const units = await seeded();
        assert.deepEqual(await units.get('u1'), { _id: 'u1', _position: 10, ...UNITS[0]![1] });
        assert.equal(await units.get('nope'), undefined);
        assert.equal(await store.collection(uniqueName('never-written')).get('x'), undefined);
      });

      it('finds everything with no filter, in _id order, and counts it', async () => {
        const units = await seeded();
        assert.deepEqual(ids(await units.find()), ['u1', 'u2', 'u3', 'u4', 'u5']);
        assert.equal(await units.count(), 5);
        assert.equal(await units.count({}), 5);
        const empty = store.collection(uniqueName('empty'));
        assert.deepEqual(await empty.find(), []);
        assert.equal(await empty.count(), 0);
      });

      it('filters by equality on strings, numbers and booleans', async () => {
        const units = await seeded();
        assert.deepEqual(await findIds(units, { district: 'east' }), ['u1', 'u3', 'u5']);
        assert.deepEqual(await findIds(units, { score: 75 }), ['u2', 'u5']);
        assert.deepEqual(await findIds(units, { score: 82.5 }), ['u4']);
        assert.deepEqual(await findIds(units, { active: false }), ['u2', 'u5']);
        assert.deepEqual(await findIds(units, { active: true, district: 'east' }), ['u1', 'u3']);
        assert.deepEqual(await findIds(units, { name: '区法院' }), ['u4']);
        assert.equal(await units.count({ district: 'east' }), 3);
        assert.equal(await units.count({ district: 'south' }), 0);
      });

      it('compares by type, as MongoDB does: 1 is neither "1" nor true', async () => {
        const things = store.collection<{ v: unknown }>(uniqueName('typed'));
        await things.apply('num', 1, () => ({ v: 1 }));
        await things.apply('str', 2, () => ({ v: '1' }));
        await things.apply('bool', 3, () => ({ v: true }));
        await things.apply('obj', 4, () => ({ v: { x: 1 } }));
        await things.apply('big', 5, () => ({ v: 9 }));
        await things.apply('word', 6, () => ({ v: 'zzz' }));
        const q = async (filter: Filter) => ids(await things.find(filter, { sort: { _id: 1 } }));
        assert.deepEqual(await q({ v: 1 }), ['num']);
        assert.deepEqual(await q({ v: '1' }), ['str']);
        assert.deepEqual(await q({ v: true }), ['bool']);
        assert.deepEqual(await q({ v: { $in: [1, '1'] } }), ['num', 'str']);
        assert.deepEqual(await q({ v: { $gt: 0 } }), ['big', 'num']);
        assert.deepEqual(await q({ v: { $gte: '' } }), ['str', 'word']);
        assert.deepEqual(await q({ v: { $lt: 'a' } }), ['str']);
      });

      it('matches null to null and to a missing field', async () => {
        const units = await seeded();
        assert.deepEqual(await findIds(units, { leader: null }), ['u3', 'u4']);
        assert.deepEqual(await findIds(units, { 'leader.name': null }), ['u3', 'u4']);
        assert.deepEqual(await findIds(units, { missing: null }), ['u1', 'u2', 'u3', 'u4', 'u5']);
      });

      it('filters on dotted fields of nested objects', async () => {
        const units = await seeded();
        assert.deepEqual(await findIds(units, { 'leader.name': 'Wang' }), ['u2']);
        assert.deepEqual(await findIds(units, { 'leader.rank': { $gte: 2 } }), ['u1', 'u5']);
      });

      it('filters with $in, including an empty $in that matches nothing', async () => {
        const units = await seeded();
        assert.deepEqual(await findIds(units, { district: { $in: ['west', 'north'] } }), ['u2', 'u4']);
        assert.deepEqual(await findIds(units, { score: { $in: [60, 90] } }), ['u1', 'u3']);
        assert.deepEqual(await findIds(units, { _id: { $in: ['u5', 'u1', 'zz'] } }), ['u1', 'u5']);
        assert.deepEqual(await findIds(units, { district: { $in: [] } }), []);
        assert.equal(await units.count({ district: { $in: ['east'] } }), 3);
      });

      it('filters by ranges: $lt, $lte, $gt, $gte, alone and combined, on numbers and strings', async () => {
        const units = await seeded();
        assert.deepEqual(await findIds(units, { score: { $lt: 75 } }), ['u3']);
        assert.deepEqual(await findIds(units, { score: { $lte: 75 } }), ['u2', 'u3', 'u5']);
        assert.deepEqual(await findIds(units, { score: { $gt: 82.5 } }), ['u1']);
        assert.deepEqual(await findIds(units, { score: { $gte: 82.5 } }), ['u1', 'u4']);
        assert.deepEqual(await findIds(units, { score: { $gt: 60, $lt: 90 } }), ['u2', 'u4', 'u5']);
        assert.deepEqual(await findIds(units, { district: { $gte: 'north', $lte: 'west' } }), ['u2', 'u4']);
        assert.equal(await units.count({ score: { $gte: 75 }, active: false }), 2);
      });

      it('filters and sorts on _id and _position', async () => {
        const units = await seeded();
        assert.deepEqual(await findIds(units, { _id: 'u3' }), ['u3']);
        assert.deepEqual(await findIds(units, { _position: { $gte: 12 } }), ['u3', 'u4', 'u5']);
        assert.deepEqual(ids(await units.find({}, { sort: { _position: -1 } })), ['u5', 'u4', 'u3', 'u2', 'u1']);
        assert.deepEqual(ids(await units.find({}, { sort: { _id: -1 }, limit: 2 })), ['u5', 'u4']);
      });

      it('sorts ascending and descending, by several keys and dotted fields, ties by _id', async () => {
        const units = await seeded();
        assert.deepEqual(ids(await units.find({}, { sort: { score: 1 } })), ['u3', 'u2', 'u5', 'u4', 'u1']);
        assert.deepEqual(ids(await units.find({}, { sort: { score: -1 } })), ['u1', 'u4', 'u2', 'u5', 'u3']);
        assert.deepEqual(ids(await units.find({}, { sort: { district: 1, score: -1 } })), ['u1', 'u5', 'u3', 'u4', 'u2']);
        assert.deepEqual(ids(await units.find({ district: 'east' }, { sort: { 'leader.rank': -1 } })), ['u1', 'u5', 'u3']);
      });

      it('pages with limit and skip', async () => {
        const units = await seeded();
        const sort = { score: -1 } as const;
        assert.deepEqual(ids(await units.find({}, { sort, limit: 2 })), ['u1', 'u4']);
        assert.deepEqual(ids(await units.find({}, { sort, skip: 2, limit: 2 })), ['u2', 'u5']);
        assert.deepEqual(ids(await units.find({}, { sort, skip: 4, limit: 2 })), ['u3']);
        assert.deepEqual(ids(await units.find({}, { sort, skip: 3 })), ['u5', 'u3']);
        assert.deepEqual(ids(await units.find({}, { sort, skip: 9 })), []);
        assert.deepEqual(await units.find({}, { limit: 0 }), []);
        assert.deepEqual(ids(await units.find({ district: 'east' }, { sort, skip: 1, limit: 1 })), ['u5']);
      });

      it('refuses filters, sorts and pages outside the port with a typed error', async () => {
        const units = await seeded();
        const bad: Array<[string, () => Promise<unknown>]> = [
          ['$ne', () => units.find({ score: { $ne: 1 } } as unknown as Filter)],
          ['$regex', () => units.find({ name: { $regex: 'x' } } as unknown as Filter)],
          ['empty condition', () => units.find({ score: {} } as unknown as Filter)],
          ['object equality', () => units.find({ leader: { name: 'Li' } } as unknown as Filter)],
          ['array equality', () => units.find({ tags: ['a'] } as unknown as Filter)],
          ['$in of objects', () => units.find({ leader: { $in: [{}] } } as unknown as Filter)],
          ['$gt of boolean', () => units.count({ active: { $gt: true } } as unknown as Filter)],
          ['$-field', () => units.find({ $where: 'x' })],
          ['quote in field', () => units.find({ "a'b": 1 })],
          ['array index path', () => units.find({ 'tags.0': 'a' })],
          ['empty segment', () => units.find({ 'leader..name': 'a' })],
          ['bad sort direction', () => units.find({}, { sort: { score: 0 as 1 } })],
          ['bad sort field', () => units.find({}, { sort: { 'a b': 1 } })],
          ['negative limit', () => units.find({}, { limit: -1 })],
          ['fractional skip', () => units.find({}, { skip: 1.5 })],
          ['bad index field', () => units.ensureIndex(['a-b'])],
        ];
        for (const [label, attempt] of bad) {
          await assert.rejects(attempt(), InvalidQueryError, label);
        }
      });
    });

    describe('apply', () => {
      it('creates, updates and deletes one document, passing the current document without _id and _position', async () => {
        const c = store.collection<{ n: number }>(uniqueName('counters'));
        const seen: unknown[] = [];
        assert.equal(
          await c.apply('a', 5, (cur) => {
            seen.push(cur);
            return { n: (cur?.n ?? 0) + 1 };
          }),
          true,
        );
        assert.equal(
          await c.apply('a', 7, (cur) => {
            seen.push(cur);
            return { n: (cur?.n ?? 0) + 1 };
          }),
          true,
        );
        assert.deepEqual(seen, [undefined, { n: 1 }]);
        assert.deepEqual(await c.get('a'), { _id: 'a', _position: 7, n: 2 });
        assert.equal(await c.apply('a', 9, () => null), true);
        assert.equal(await c.get('a'), undefined);
      });

      it('is idempotent: the same position twice has one effect', async () => {
        const c = store.collection<{ n: number }>(uniqueName('counters'));
        const inc = (cur: { n: number } | undefined) => ({ n: (cur?.n ?? 0) + 1 });
        assert.equal(await c.apply('a', 5, inc), true);
        assert.equal(await c.apply('a', 5, inc), false);
        assert.deepEqual(await c.get('a'), { _id: 'a', _position: 5, n: 1 });
      });

      it('ignores an older position after a newer one, without calling update', async () => {
        const c = store.collection<{ n: number }>(uniqueName('counters'));
        await c.apply('a', 8, () => ({ n: 8 }));
        let called = false;
        assert.equal(
          await c.apply('a', 3, () => {
            called = true;
            return { n: 3 };
          }),
          false,
        );
        assert.equal(called, false);
        assert.deepEqual(await c.get('a'), { _id: 'a', _position: 8, n: 8 });
      });

      it('keeps a deleted document deleted when an older create is replayed', async () => {
        const c = store.collection<{ n: number }>(uniqueName('reports'));
        await c.apply('r', 4, () => ({ n: 1 }));
        await c.apply('r', 6, () => null);
        assert.equal(await c.apply('r', 4, () => ({ n: 1 })), false);
        assert.equal(await c.apply('r', 5, () => ({ n: 2 })), false);
        assert.equal(await c.get('r'), undefined);
        assert.deepEqual(await c.find(), []);
        assert.equal(await c.count(), 0);
        assert.equal(await c.count({ n: 1 }), 0);
        // A newer event may create it again, from nothing.
        let current: unknown = 'not called';
        assert.equal(
          await c.apply('r', 7, (cur) => {
            current = cur;
            return { n: 3 };
          }),
          true,
        );
        assert.equal(current, undefined);
        assert.deepEqual(await c.get('r'), { _id: 'r', _position: 7, n: 3 });
      });

      it('remembers the position of a delete of a document that never existed', async () => {
        const c = store.collection<{ n: number }>(uniqueName('reports'));
        assert.equal(await c.apply('ghost', 6, () => null), true);
        assert.equal(await c.apply('ghost', 5, () => ({ n: 1 })), false);
        assert.equal(await c.get('ghost'), undefined);
      });

      it('takes _id and _position from the store, never from the returned document', async () => {
        const c = store.collection<{ n: number; _id?: string; _position?: number }>(uniqueName('counters'));
        await c.apply('a', 5, () => ({ n: 1, _id: 'other', _position: 999 }));
        assert.deepEqual(await c.get('a'), { _id: 'a', _position: 5, n: 1 });
        assert.equal(await c.get('other'), undefined);
        assert.equal(await c.apply('a', 6, () => ({ n: 2 })), true);
      });

      it('stores nested objects, arrays of objects, unicode and large integers as they are', async () => {
        const c = store.collection<Record<string, unknown>>(uniqueName('shapes'));
        const doc = {
          title: "文明单位 “评选” \\ 'quoted'",
          steps: [{ at: '2026-03-01T09:00:00+08:00', by: { id: 'u-7', role: 'unit' } }, { at: null }],
          count: 2 ** 40,
          ratio: -0.25,
          empty: {},
          none: [],
        };
        await c.apply('x', 1, () => doc);
        assert.deepEqual(await c.get('x'), { _id: 'x', _position: 1, ...doc });
        assert.deepEqual(ids(await c.find({ title: doc.title })), ['x']);
      });

      it('leaves the document unchanged when update throws', async () => {
        const c = store.collection<{ n: number }>(uniqueName('counters'));
        await c.apply('a', 1, () => ({ n: 1 }));
        await assert.rejects(
          c.apply('a', 2, () => {
            throw new Error('projection bug');
          }),
          /projection bug/,
        );
        assert.deepEqual(await c.get('a'), { _id: 'a', _position: 1, n: 1 });
        assert.equal(await c.apply('a', 2, () => ({ n: 2 })), true);
      });

      it('refuses documents MongoDB or FerretDB would refuse or change, writing nothing', async () => {
        const c = store.collection<Record<string, unknown>>(uniqueName('invalid'));
        const bad: Array<[string, unknown]> = [
          ['undefined (forgot to return)', undefined],
          ['an array', [1]],
          ['a string', 'x'],
          ['a key with a dot', { 'a.b': 1 }],
          ['a nested key with a dot', { a: { 'b.c': 1 } }],
          ['a key starting with $', { $set: { a: 1 } }],
          ['a nested array', { a: [[1, 2]] }],
          ['a Date', { at: new Date(0) }],
          ['NaN', { n: Number.NaN }],
          ['Infinity', { a: [{ n: Number.POSITIVE_INFINITY }] }],
          ['a bigint', { n: 1n }],
          ['a NUL character', { s: 'a\0b' }],
          ['a class instance', { m: new Map() }],
        ];
        for (const [label, doc] of bad) {
          await assert.rejects(
            c.apply('d', 1, () => doc as Record<string, unknown>),
            InvalidDocumentError,
            label,
          );
        }
        assert.equal(await c.get('d'), undefined);
        assert.equal(await c.apply('d', 1, () => ({ ok: true })), true);
      });

      it('refuses an empty id and a position that is not an integer >= 0', async () => {
        const c = store.collection<{ n: number }>(uniqueName('counters'));
        for (const [id, position] of [
          ['', 1],
          ['a', -1],
          ['a', 1.5],
          ['a', Number.NaN],
        ] as const) {
          await assert.rejects(
            c.apply(id, position, () => ({ n: 1 })),
            InvalidApplyError,
          );
        }
      });

      it('keeps per-document guards independent', async () => {
        const c = store.collection<{ n: number }>(uniqueName('counters'));
        await c.apply('a', 10, () => ({ n: 10 }));
        assert.equal(await c.apply('b', 3, () => ({ n: 3 })), true);
        assert.deepEqual(ids(await c.find({}, { sort: { n: 1 } })), ['b', 'a']);
      });
    });

    describe('collections and indexes', () => {
      it('accepts names of letters, digits, _ . - and refuses others with a typed error', async () => {
        for (const name of ['units', 'inspection.unit-summary', 'plan_submission.v2', 'A1', uniqueName('x')]) {
          store.collection(name);
        }
        for (const name of [
          '',
          'has space',
          'a$b',
          'a/b',
          'system.users',
          '.hidden',
          '_internal',
          '-x',
          'a..b',
          'a.',
          'é',
          'x'.repeat(101),
          42,
        ]) {
          assert.throws(() => store.collection(name as string), InvalidCollectionNameError, String(name));
        }
        await assert.rejects(store.drop(['bad name']), InvalidCollectionNameError);
      });

      it('declares indexes idempotently, on top-level and dotted fields, before or after writes', async () => {
        const units = store.collection<Unit>(uniqueName('units'));
        await units.ensureIndex(['district']);
        for (const [i, [id, unit]] of UNITS.entries()) await units.apply(id, 10 + i, () => unit);
        await units.ensureIndex(['district']);
        await units.ensureIndex(['district', 'score']);
        await units.ensureIndex(['leader.rank']);
        await units.ensureIndex(['_position']);
        assert.deepEqual(await findIds(units, { district: 'east' }), ['u1', 'u3', 'u5']);
        assert.deepEqual(ids(await units.find({ district: 'east' }, { sort: { score: -1 } })), ['u1', 'u5', 'u3']);
        assert.deepEqual(await findIds(units, { 'leader.rank': 1 }), ['u2']);
      });

      it('drops collections: documents, deletion markers and all', async () => {
        const aName = uniqueName('a');
        const a = store.collection<{ n: number }>(aName);
        const bName = uniqueName('b');
        const b = store.collection<{ n: number }>(bName);
        const keep = store.collection<{ n: number }>(uniqueName('keep'));
        await a.apply('x', 10, () => ({ n: 1 }));
        await a.apply('gone', 11, () => null);
        await b.ensureIndex(['n']);
        await b.apply('y', 10, () => ({ n: 2 }));
        await keep.apply('z', 10, () => ({ n: 3 }));
        await store.drop([aName, bName]);
        await store.drop([bName, uniqueName('never-existed')]);
        assert.deepEqual(await a.find(), []);
        assert.equal(await b.count(), 0);
        assert.equal(await b.get('y'), undefined);
        // A rebuild replays from zero into the dropped collection: old positions apply again.
        assert.equal(await b.apply('y', 1, () => ({ n: 20 })), true);
        assert.deepEqual(await b.get('y'), { _id: 'y', _position: 1, n: 20 });
        await b.ensureIndex(['n']);
        assert.deepEqual(await keep.get('z'), { _id: 'z', _position: 10, n: 3 });
      });

      it('forgets deleted documents on drop, so a rebuild can create them again', async () => {
        const name = uniqueName('reports');
        const c = store.collection<{ n: number }>(name);
        await c.apply('r', 4, () => ({ n: 1 }));
        await c.apply('r', 6, () => null);
        await store.drop([name]);
        assert.equal(await c.apply('r', 4, () => ({ n: 1 })), true);
        assert.deepEqual(await c.get('r'), { _id: 'r', _position: 4, n: 1 });
      });
    });

    describe('checkpoints', () => {
      it('loads undefined, stores, overwrites and resets a projection checkpoint', async () => {
        const p = uniqueName('projection');
        const other = uniqueName('projection');
        assert.equal(await store.checkpoints.load(p), undefined);
        await store.checkpoints.store(p, 42);
        await store.checkpoints.store(other, 7);
        assert.equal(await store.checkpoints.load(p), 42);
        await store.checkpoints.store(p, 99);
        assert.equal(await store.checkpoints.load(p), 99);
        await store.checkpoints.reset(p);
        assert.equal(await store.checkpoints.load(p), undefined);
        assert.equal(await store.checkpoints.load(other), 7);
        await store.checkpoints.reset(uniqueName('never-stored'));
      });

      it('keeps checkpoints apart from collections of any name', async () => {
        const p = uniqueName('projection');
        await store.checkpoints.store(p, 5);
        for (const name of ['checkpoints', 'checkpoints_', 'readstore.checkpoints']) await store.drop([name]);
        assert.equal(await store.checkpoints.load(p), 5);
      });
    });

    describe('failed events', () => {
      const attempt = (projection: string, position: number, extra: Partial<FailedAttempt> = {}): FailedAttempt => ({
        projection,
        position,
        eventId: `e-${position}`,
        type: 'PlanDrafted',
        streamId: `plan-${position}`,
        error: `cannot apply ${position}`,
        failedAt: '2026-03-01T01:00:00.000Z',
        attempts: 3,
        ...extra,
      });

      it('records, lists in position order, counts, removes and clears one projection’s failures', async () => {
        const p = uniqueName('projection');
        const other = uniqueName('projection');
        assert.deepEqual(await store.failedEvents.list(p), []);
        assert.equal(await store.failedEvents.count(p), 0);
        for (const position of [30, 10, 20]) await store.failedEvents.record(attempt(p, position));
        await store.failedEvents.record(attempt(other, 10));
        assert.deepEqual(
          (await store.failedEvents.list(p)).map((f) => f.position),
          [10, 20, 30],
        );
        assert.deepEqual((await store.failedEvents.list(p))[0], {
          projection: p,
          position: 10,
          eventId: 'e-10',
          type: 'PlanDrafted',
          streamId: 'plan-10',
          error: 'cannot apply 10',
          firstFailedAt: '2026-03-01T01:00:00.000Z',
          lastFailedAt: '2026-03-01T01:00:00.000Z',
          attempts: 3,
        });
        assert.deepEqual(
          (await store.failedEvents.list(p, { afterPosition: 10, limit: 1 })).map((f) => f.position),
          [20],
        );
        assert.equal(await store.failedEvents.count(p), 3);
        assert.equal(await store.failedEvents.remove(p, 20), true);
        assert.equal(await store.failedEvents.remove(p, 20), false);
        assert.equal(await store.failedEvents.count(p), 2);
        await store.failedEvents.clear(p);
        assert.deepEqual(await store.failedEvents.list(p), []);
        assert.equal(await store.failedEvents.count(other), 1);
      });

      it('adds a repeated failure to the record: attempts summed, latest error and time, first time kept', async () => {
        const p = uniqueName('projection');
        await store.failedEvents.record(attempt(p, 7));
        await store.failedEvents.record(attempt(p, 7, { error: 'still broken', failedAt: '2026-03-02T01:00:00.000Z', attempts: 1 }));
        const [failure, ...rest] = await store.failedEvents.list(p);
        assert.deepEqual(rest, []);
        assert.equal(failure?.attempts, 4);
        assert.equal(failure?.error, 'still broken');
        assert.equal(failure?.firstFailedAt, '2026-03-01T01:00:00.000Z');
        assert.equal(failure?.lastFailedAt, '2026-03-02T01:00:00.000Z');
      });

      it('stores any error text: NUL and lone surrogates replaced, long messages cut', async () => {
        const p = uniqueName('projection');
        await store.failedEvents.record(attempt(p, 1, { error: `a\u0000b\uD800c${'x'.repeat(5_000)}`, streamId: 'plan-\u0000' }));
        const [failure] = await store.failedEvents.list(p);
        assert.equal(failure?.error.slice(0, 5), 'a\uFFFDb\uFFFDc');
        assert.equal(failure?.error.length, MAX_FAILURE_TEXT);
        assert.equal(failure?.streamId, 'plan-\uFFFD');
      });

      it('refuses a bad position or attempt count with a typed error', async () => {
        const p = uniqueName('projection');
        await assert.rejects(store.failedEvents.record(attempt(p, -1)), InvalidApplyError);
        await assert.rejects(store.failedEvents.record(attempt(p, 1, { attempts: 0 })), InvalidQueryError);
        await assert.rejects(store.failedEvents.list(p, { limit: 0 }), InvalidQueryError);
        assert.equal(await store.failedEvents.count(p), 0);
      });

      it('tells an error of this write from the store being unavailable', () => {
        assert.equal(store.isUnavailable(new InvalidDocumentError('c', 'id', 'name', 'NUL')), false);
        assert.equal(store.isUnavailable(new Error('cannot read properties of undefined')), false);
        assert.equal(store.isUnavailable(undefined), false);
      });
    });

    it('answers ping', async () => {
      await store.ping();
    });

    if (target.reopen) {
      it('keeps documents, deletion markers, checkpoints and failed events across close and reopen', async () => {
        const name = uniqueName('durable');
        const p = uniqueName('projection');
        const c = store.collection<{ n: number }>(name);
        await c.apply('a', 3, () => ({ n: 1 }));
        await c.apply('b', 4, () => null);
        await store.checkpoints.store(p, 4);
        await store.failedEvents.record({
          projection: p,
          position: 2,
          eventId: 'e-2',
          type: 'T',
          streamId: 's',
          error: 'x',
          failedAt: '2026-03-01T00:00:00.000Z',
          attempts: 1,
        });
        await store.close();
        store = await target.reopen!();
        const again = store.collection<{ n: number }>(name);
        assert.deepEqual(await again.get('a'), { _id: 'a', _position: 3, n: 1 });
        assert.equal(await again.apply('b', 2, () => ({ n: 2 })), false);
        assert.equal(await store.checkpoints.load(p), 4);
        assert.deepEqual(
          (await store.failedEvents.list(p)).map((f) => f.eventId),
          ['e-2'],
        );
      });
    }
  });
}
