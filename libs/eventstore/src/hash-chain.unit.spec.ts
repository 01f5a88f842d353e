// The chain must be re-checkable offline by an auditor with sha256 and any RFC 8785
// canonicaliser: the hand-assembled canonical string must equal canonicalize() of
// the whole object, whatever the data holds.
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import canonicalize from 'canonicalize';
import { eventHash, GENESIS_HASH, type HashedFields, verifyChain } from './hash-chain.js';
import type { RecordedEvent } from './types.js';

function fields(revision: number, data: unknown): HashedFields {
  return {
    id: randomUUID(),
    type: 'VerificationFailed',
    streamId: 'rectification-9',
    revision,
    occurredAt: '2026-06-01T08:00:00+08:00',
    recordedAt: '2026-06-01T00:00:01.123Z',
    data,
    metadata: { schemaVersion: 1, unitId: '市民政局-窗口3', actor: { id: 'insp-2', role: 'inspector' } },
  };
}

function chain(datas: unknown[]): RecordedEvent[] {
  let prevHash = GENESIS_HASH;
  return datas.map((data, revision) => {
    const f = fields(revision, data);
    const hash = eventHash(prevHash, f);
    const event: RecordedEvent = { ...f, position: revision + 1, metadata: { ...f.metadata, schemaVersion: 1, prevHash, hash } };
    prevHash = hash;
    return event;
  });
}

async function* iterate(events: RecordedEvent[]) {
  yield* events;
}

describe('hash chain', () => {
  const samples: unknown[] = [
    { reasons: ['照片不清晰', 'no name plate'], score: 7.5, nested: { z: 1, a: [true, null, { b: 'x' }] } },
    { big: 1e21, small: 1e-7, neg: -0, emoji: '👍', escape: 'line\nbreak "quoted" \\ \u0001' },
    [],
    'just a string',
  ];
  for (const [i, data] of samples.entries()) {
    it(`equals sha256 of the RFC 8785 form of the whole event (sample ${i})`, () => {
      const f = fields(3, data);
      const whole = canonicalize({
        prevHash: GENESIS_HASH,
        id: f.id,
        type: f.type,
        streamId: f.streamId,
        revision: f.revision,
        occurredAt: f.occurredAt,
        recordedAt: f.recordedAt,
        data: f.data,
        metadata: f.metadata,
      });
      assert.equal(eventHash(GENESIS_HASH, f), createHash('sha256').update(whole!).digest('hex'));
    });
  }

  it('verifies an intact chain and counts its events', async () => {
    const result = await verifyChain('rectification-9', iterate(chain(samples)));
    assert.deepEqual(result.ok && result.checked, 4);
  });

  it('names an edited event as a hash mismatch', async () => {
    const events = chain(samples);
    events[2] = { ...events[2]!, data: ['added later'] };
    const result = await verifyChain('rectification-9', iterate(events));
    assert.equal(result.ok, false);
    assert.deepEqual(!result.ok && [result.firstBroken.revision, result.firstBroken.reason, result.checked], [2, 'hash-mismatch', 2]);
  });

  it('names a removed event as a revision gap', async () => {
    const events = chain(samples);
    events.splice(1, 1);
    const result = await verifyChain('rectification-9', iterate(events));
    assert.deepEqual(!result.ok && [result.firstBroken.revision, result.firstBroken.reason], [2, 'revision-gap']);
  });

  it('names a re-hashed replacement by its broken link to the previous event', async () => {
    const events = chain(samples);
    const forged = chain(['forged', 'forged too', 'x', 'y']);
    events[1] = { ...forged[1]!, id: events[1]!.id };
    const result = await verifyChain('rectification-9', iterate(events));
    assert.deepEqual(!result.ok && [result.firstBroken.revision, result.firstBroken.reason], [1, 'prev-hash-mismatch']);
  });
});
