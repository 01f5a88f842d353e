// The shared contract against the adapter over FakeEsdbClient: it exercises the
// adapter's own logic here, where no server can run. It proves nothing about
// EventStoreDB itself; esdb-event-store.int.spec.ts does, wherever a server is reachable.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { eventStoreContract } from '../contract/contract-suite.js';
import { collect, newEvent, newEvents, uniqueId } from '../contract/fixtures.js';
import { InvalidAppendError } from '../errors.js';
import { EventStoreDbEventStore, InvalidPositionError } from './esdb-event-store.js';
import { FakeEsdbClient } from './fake-esdb-client.js';
import { ensureUnitIndex } from './unit-index.js';

const fake = new FakeEsdbClient();

eventStoreContract({
  name: 'EventStoreDB adapter over an in-memory fake client (adapter logic only, not a server)',
  open: async () => {
    await ensureUnitIndex(fake.asClient());
    return new EventStoreDbEventStore(fake.asClient());
  },
  openAnother: async () => new EventStoreDbEventStore(fake.asClient()),
});

describe('EventStoreDB adapter specifics (over the fake client)', () => {
  const a = new EventStoreDbEventStore(fake.asClient());
  const b = new EventStoreDbEventStore(fake.asClient());
  after(() => Promise.all([a.close(), b.close()]));

  it("retries 'any' appends that lose races to another process, keeping one unbroken chain", async () => {
    const stream = uniqueId('complaint');
    const unit = uniqueId('unit');
    await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).append(stream, newEvents(unit, 2, i * 2))));
    assert.equal(await a.streamRevision(stream), 23);
    const verified = await a.verify(stream);
    assert.equal(verified.ok, true);
    assert.equal(verified.checked, 24);
  });

  it("refuses writes to the adapter's own index and checkpoint streams", async () => {
    await assert.rejects(a.append('wenming-unit-x', [newEvent('x', 0)]), InvalidAppendError);
    await assert.rejects(a.append('wenming-checkpoint-relay', [newEvent('x', 0)]), InvalidAppendError);
  });

  it('reads $all from an event position or one past it, and refuses any other position', async () => {
    const stream = uniqueId('plan');
    await a.append(stream, newEvents(uniqueId('unit'), 2));
    const [first, second] = await collect(a.readStream(stream));
    assert.equal((await collect(a.readAll({ fromPosition: first!.position, maxCount: 1 })))[0]?.id, first!.id);
    assert.equal((await collect(a.readAll({ fromPosition: first!.position + 1, maxCount: 1 })))[0]?.id, second!.id);
    await assert.rejects(collect(a.readAll({ fromPosition: first!.position + 2 })), InvalidPositionError);
  });
});
