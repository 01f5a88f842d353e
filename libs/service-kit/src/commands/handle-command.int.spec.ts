// The command handler against the real SQLite event store: retries on conflict,
// none with an explicit expected revision, and idempotency keys that append once
// and answer with the first result.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type EventStore, type RecordedEvent, SqliteEventStore, WrongExpectedRevisionError } from '@wenming/eventstore';
import { ForbiddenTransitionError, ValidationError } from '../errors/domain-errors.js';
import type { Decider, DomainEvent } from './decider.js';
import { commandEventId } from './event-ids.js';
import { handleCommand } from './handle-command.js';

// ── a tally: Add appends Added, and Bonus too when it reaches a multiple of 10 ──
type Command = { type: 'Add'; data: { n: number } } | { type: 'Nothing'; data: Record<string, never> };
type Event =
  | DomainEvent<'Added', { n: number; total: number }>
  | DomainEvent<'Bonus', { at: number }>
  | DomainEvent<'Locked', Record<string, never>>;
type State = { total: number; locked: boolean };

function tally(onDecide: (state: State) => void = () => undefined): Decider<Command, Event, State> & { decisions: number } {
  const decider = {
    decisions: 0,
    initialState: (): State => ({ total: 0, locked: false }),
    decide(command: Command, state: State): Event[] {
      decider.decisions += 1;
      onDecide(state);
      if (state.locked) throw new ForbiddenTransitionError('locked', 'add');
      if (command.type === 'Nothing') return [];
      const total = state.total + command.data.n;
      const added: Event = { type: 'Added', data: { n: command.data.n, total } };
      return Math.floor(total / 10) > Math.floor(state.total / 10) ? [added, { type: 'Bonus', data: { at: total } }] : [added];
    },
    evolve(state: State, event: Event): State {
      if (event.type === 'Added') return { ...state, total: event.data.total };
      if (event.type === 'Locked') return { ...state, locked: true };
      return state;
    },
  };
  return decider;
}

const dirs: string[] = [];
const stores: EventStore[] = [];
after(async () => {
  for (const store of stores) await store.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function openStore(path?: string): { store: SqliteEventStore; path: string } {
  if (!path) {
    const dir = mkdtempSync(join(tmpdir(), 'wenming-commands-'));
    dirs.push(dir);
    path = join(dir, 'events.db');
  }
  const store = new SqliteEventStore({ path });
  stores.push(store);
  return { store, path };
}

let streams = 0;
const newStream = () => `tally-${++streams}`;
const metadata = { actor: { id: 'alice', role: 'office' }, unitId: 'unit-1' };
const add = (n: number): Command => ({ type: 'Add', data: { n } });

async function read(store: EventStore, streamId: string): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  for await (const e of store.readStream(streamId)) out.push(e);
  return out;
}

/** Released once `count` callers have arrived: lets two handlers read before either appends. */
function barrier(count: number): { arrive(): void; passed: Promise<void> } {
  let arrived = 0;
  let release!: () => void;
  const passed = new Promise<void>((resolve) => {
    release = resolve;
  });
  return {
    arrive: () => {
      if (++arrived >= count) release();
    },
    passed,
  };
}

/** The store, with appends held until the barrier passes. */
function gated(store: EventStore, gate: Promise<void>): EventStore {
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'append') {
        return async (...args: Parameters<EventStore['append']>) => {
          await gate;
          return target.append(...args);
        };
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe('handleCommand', () => {
  it('reads, decides on the folded state, appends at the revision read, and returns the new state', async () => {
    const { store } = openStore();
    const streamId = newStream();
    const decider = tally();
    const first = await handleCommand({ store, streamId, decider, command: add(4), idempotencyKey: 'k1', metadata });
    assert.deepEqual(first.events, [{ type: 'Added', data: { n: 4, total: 4 } }]);
    assert.equal(first.nextExpectedRevision, 0);
    assert.equal(first.replayed, false);
    const second = await handleCommand({ store, streamId, decider, command: add(7), idempotencyKey: 'k2', metadata });
    assert.deepEqual(
      second.events.map((e) => e.type),
      ['Added', 'Bonus'],
    );
    assert.deepEqual(second.state, { total: 11, locked: false });
    assert.equal(second.nextExpectedRevision, 2);
    assert.deepEqual(
      (await read(store, streamId)).map((e) => e.id),
      [...first.eventIds, ...second.eventIds],
    );
  });

  it('builds each event envelope from the command metadata and the injected clock', async () => {
    const { store } = openStore();
    const streamId = newStream();
    const now = () => new Date('2025-03-01T08:00:00.000Z');
    await handleCommand({ store, streamId, decider: tally(), command: add(1), idempotencyKey: 'cmd-1', metadata, now });
    await handleCommand({
      store,
      streamId,
      decider: tally(),
      command: add(1),
      idempotencyKey: 'cmd-2',
      metadata: {
        ...metadata,
        occurredAt: '2025-02-28T16:30:00.000Z',
        correlationId: 'corr-9',
        causationId: 'event-7',
        campaignId: 'camp-1',
      },
      now,
    });
    const [a, b] = await read(store, streamId);
    assert.equal(a?.occurredAt, '2025-03-01T08:00:00.000Z');
    assert.deepEqual(a?.metadata.actor, { id: 'alice', role: 'office' });
    assert.equal(a?.metadata.unitId, 'unit-1');
    assert.equal(a?.metadata.causationId, 'cmd-1', 'the idempotency key names the command');
    assert.equal(a?.metadata.correlationId, 'cmd-1');
    assert.equal(a?.metadata.traceparent, undefined, 'no active trace, no traceparent');
    assert.equal(b?.occurredAt, '2025-02-28T16:30:00.000Z');
    assert.deepEqual([b?.metadata.correlationId, b?.metadata.causationId, b?.metadata.campaignId], ['corr-9', 'event-7', 'camp-1']);
  });

  it('appends nothing when decide returns no event, and lets domain errors through', async () => {
    const { store } = openStore();
    const streamId = newStream();
    const nothing = await handleCommand({
      store,
      streamId,
      decider: tally(),
      command: { type: 'Nothing', data: {} },
      idempotencyKey: 'k',
      metadata,
    });
    assert.deepEqual([nothing.events, nothing.nextExpectedRevision], [[], 'no_stream']);
    await store.append(streamId, [{ id: crypto.randomUUID(), type: 'Locked', data: {}, occurredAt: '2025-01-01T00:00:00Z', metadata }]);
    await assert.rejects(
      handleCommand({ store, streamId, decider: tally(), command: add(1), idempotencyKey: 'k2', metadata }),
      (err) => err instanceof ForbiddenTransitionError && err.currentState === 'locked',
    );
    assert.equal((await read(store, streamId)).length, 1);
  });

  it('campaign-wide streams append without a unit when unitless', async () => {
    const { store } = openStore();
    const streamId = newStream();
    await assert.rejects(
      handleCommand({ store, streamId, decider: tally(), command: add(1), idempotencyKey: 'k', metadata: { actor: metadata.actor } }),
      { field: 'events[0].metadata.unitId' },
    );
    const ok = await handleCommand({
      store,
      streamId,
      decider: tally(),
      command: add(1),
      idempotencyKey: 'k',
      metadata: { actor: metadata.actor },
      unitless: true,
    });
    assert.equal(ok.nextExpectedRevision, 0);
  });

  it('requires an idempotency key on every command', async () => {
    const { store } = openStore();
    for (const key of ['', '   ', 'x'.repeat(201)]) {
      await assert.rejects(
        handleCommand({ store, streamId: newStream(), decider: tally(), command: add(1), idempotencyKey: key, metadata }),
        (err) => err instanceof ValidationError && err.field === 'idempotencyKey',
      );
    }
  });
});

describe('handleCommand under concurrency', () => {
  it('two handlers on two connections to one SQLite file: the loser re-reads, decides again and appends', async () => {
    const { store: one, path } = openStore();
    const { store: two } = openStore(path);
    const streamId = newStream();
    await handleCommand({ store: one, streamId, decider: tally(), command: add(1), idempotencyKey: 'seed', metadata });
    const bothRead = barrier(2);
    const decider = tally(() => bothRead.arrive());
    const [a, b] = await Promise.all([
      handleCommand({ store: gated(one, bothRead.passed), streamId, decider, command: add(2), idempotencyKey: 'a', metadata }),
      handleCommand({ store: gated(two, bothRead.passed), streamId, decider, command: add(3), idempotencyKey: 'b', metadata }),
    ]);
    assert.equal(decider.decisions, 3, 'both decided on revision 0; the one that lost decided again');
    // Seed 1, then +2 and +3 in either order: the winner sees 3 or 4, the loser 6.
    const [winner, loser] = [a.state.total, b.state.total].sort((x, y) => x - y);
    assert.ok(winner === 3 || winner === 4, `winner total ${winner}`);
    assert.equal(loser, 6);
    const totals = (await read(one, streamId)).map((e) => (e.data as { total: number }).total);
    assert.deepEqual(totals, [1, winner, 6]);
  });

  it('gives up after maxRetries re-reads with the conflict (ABORTED)', async () => {
    const { store } = openStore();
    const streamId = newStream();
    await handleCommand({ store, streamId, decider: tally(), command: add(1), idempotencyKey: 'seed', metadata });
    // Another writer gets in between every read and append.
    const intruder = () => {
      void store.append(streamId, [
        { id: crypto.randomUUID(), type: 'Added', data: { n: 0, total: 1 }, occurredAt: '2025-01-01T00:00:00Z', metadata },
      ]);
    };
    const decider = tally(intruder);
    await assert.rejects(
      handleCommand({ store, streamId, decider, command: add(1), idempotencyKey: 'k', metadata, maxRetries: 2 }),
      WrongExpectedRevisionError,
    );
    assert.equal(decider.decisions, 3);
  });

  it('does not retry when the caller sent an explicit expectedRevision', async () => {
    const { store } = openStore();
    const streamId = newStream();
    await handleCommand({ store, streamId, decider: tally(), command: add(1), idempotencyKey: 'seed', metadata });
    // Stale before decide: refused without deciding.
    await handleCommand({ store, streamId, decider: tally(), command: add(1), idempotencyKey: 'second', metadata });
    const unseen = tally();
    await assert.rejects(
      handleCommand({ store, streamId, decider: unseen, command: add(1), idempotencyKey: 'k', metadata, expectedRevision: 0 }),
      (err) => err instanceof WrongExpectedRevisionError && err.actual === 1,
    );
    assert.equal(unseen.decisions, 0);
    // Current at read, stale at append: refused, not retried.
    const intruder = tally(() => {
      void store.append(streamId, [
        { id: crypto.randomUUID(), type: 'Added', data: { n: 0, total: 2 }, occurredAt: '2025-01-01T00:00:00Z', metadata },
      ]);
    });
    await assert.rejects(
      handleCommand({ store, streamId, decider: intruder, command: add(1), idempotencyKey: 'k2', metadata, expectedRevision: 1 }),
      WrongExpectedRevisionError,
    );
    assert.equal(intruder.decisions, 1);
    const ok = await handleCommand({
      store,
      streamId,
      decider: tally(),
      command: add(1),
      idempotencyKey: 'k3',
      metadata,
      expectedRevision: 2,
    });
    assert.equal(ok.nextExpectedRevision, 3);
  });
});

describe('handleCommand idempotency', () => {
  it('the same key twice appends once and returns the first result', async () => {
    const { store } = openStore();
    const streamId = newStream();
    const decider = tally();
    const first = await handleCommand({ store, streamId, decider, command: add(12), idempotencyKey: 'pay-1', metadata });
    const again = await handleCommand({ store, streamId, decider, command: add(12), idempotencyKey: 'pay-1', metadata });
    assert.equal(decider.decisions, 1, 'the repeat is not decided again');
    assert.equal(again.replayed, true);
    assert.deepEqual({ ...again, replayed: false }, first);
    assert.equal((await read(store, streamId)).length, 2);
  });

  it('still answers with the first result after the stream has moved on', async () => {
    const { store } = openStore();
    const streamId = newStream();
    await handleCommand({ store, streamId, decider: tally(), command: add(5), idempotencyKey: 'a', metadata });
    const first = await handleCommand({ store, streamId, decider: tally(), command: add(5), idempotencyKey: 'b', metadata });
    await handleCommand({ store, streamId, decider: tally(), command: add(5), idempotencyKey: 'c', metadata });
    const again = await handleCommand({ store, streamId, decider: tally(), command: add(5), idempotencyKey: 'b', metadata });
    assert.deepEqual({ ...again, replayed: false }, first);
    assert.equal(again.state.total, 10, 'the state right after the first call, not today’s 15');
    assert.equal((await read(store, streamId)).length, 4);
    // Even with a stale explicit revision: the command was handled, so it answers.
    const stale = await handleCommand({
      store,
      streamId,
      decider: tally(),
      command: add(5),
      idempotencyKey: 'b',
      metadata,
      expectedRevision: 0,
    });
    assert.deepEqual(stale.eventIds, first.eventIds);
  });

  it('concurrent repeats of one key (both read before either appends) append once and agree', async () => {
    const { store: one, path } = openStore();
    const { store: two } = openStore(path);
    const streamId = newStream();
    const bothRead = barrier(2);
    const decider = tally(() => bothRead.arrive());
    const [a, b] = await Promise.all([
      handleCommand({ store: gated(one, bothRead.passed), streamId, decider, command: add(10), idempotencyKey: 'same', metadata }),
      handleCommand({ store: gated(two, bothRead.passed), streamId, decider, command: add(10), idempotencyKey: 'same', metadata }),
    ]);
    assert.deepEqual([a.replayed, b.replayed].sort(), [false, true]);
    assert.deepEqual({ ...a, replayed: false }, { ...b, replayed: false });
    assert.equal((await read(one, streamId)).length, 2);
  });

  it('keys are scoped to their stream', async () => {
    const { store } = openStore();
    const [s1, s2] = [newStream(), newStream()];
    const one = await handleCommand({ store, streamId: s1, decider: tally(), command: add(1), idempotencyKey: 'k', metadata });
    const two = await handleCommand({ store, streamId: s2, decider: tally(), command: add(1), idempotencyKey: 'k', metadata });
    assert.equal(two.replayed, false);
    assert.notDeepEqual(one.eventIds, two.eventIds);
  });
});

describe('commandEventId', () => {
  it('is a deterministic RFC 9562 version 5 uuid, distinct per stream, key and index', () => {
    const id = commandEventId('plan-1', 'key', 0);
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(commandEventId('plan-1', 'key', 0), id);
    const others = [commandEventId('plan-2', 'key', 0), commandEventId('plan-1', 'key2', 0), commandEventId('plan-1', 'key', 1)];
    assert.equal(new Set([id, ...others]).size, 4);
    // The parts cannot be shifted into one another.
    assert.notEqual(commandEventId('a-b', 'c', 0), commandEventId('a', 'b-c', 0));
  });
});
