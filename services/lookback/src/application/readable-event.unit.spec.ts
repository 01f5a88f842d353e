// An event stored before the store bounded nesting can hold thousands of levels; the
// timeline, GetEvent and StreamEvents must still answer (issue 12, item 2: the whole
// timeline answered INTERNAL), with the data shown as a note instead.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventEnvelope } from '@wenming/contracts/wenming/common/v1/envelope.js';
import { MAX_EVENT_DEPTH, type RecordedEvent } from '@wenming/eventstore';
import { nestsDeeperThan, readableEvent } from './history.js';

const event = (data: unknown): RecordedEvent => ({
  id: '0b4f6c1e-2f7d-4e0b-9d55-6a4c1e3b2a10',
  type: 'LookbackCheckRecorded',
  streamId: 'lookback-review-h1',
  revision: 1,
  position: 7,
  occurredAt: '2025-03-01T08:00:00.000Z',
  recordedAt: '2025-03-01T08:00:00.000Z',
  data,
  metadata: { unitId: 'u1', schemaVersion: 1, prevHash: '0'.repeat(64), hash: 'a'.repeat(64) },
});

describe('readableEvent', () => {
  it('serialises an event stored 20,000 levels deep, as JSON and as a protobuf envelope', () => {
    const stored = event(JSON.parse(`{"examined":[${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}]}`));
    const shown = readableEvent(stored);
    assert.match(JSON.stringify(shown.data), new RegExp(`more than ${MAX_EVENT_DEPTH} levels deep`));
    const envelope = EventEnvelope.fromJSON({ ...shown, data: shown.data });
    assert.equal(envelope.id, stored.id);
    assert.ok(JSON.stringify(EventEnvelope.toJSON(envelope)).length > 0);
  });

  it('leaves every event the store accepts as it is', () => {
    let data: unknown = 'x';
    for (let i = 1; i < MAX_EVENT_DEPTH; i++) data = { a: data };
    const stored = event(data);
    assert.equal(nestsDeeperThan(data, MAX_EVENT_DEPTH), false);
    assert.equal(readableEvent(stored), stored);
  });
});
