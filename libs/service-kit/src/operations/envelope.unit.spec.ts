// The envelope mapping every gRPC answer uses: the stored role by name becomes the
// proto's Role enum, via is carried, and a payload that is not an object fits the Struct.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventEnvelope } from '@wenming/contracts/wenming/common/v1/envelope.js';
import type { RecordedEvent } from '@wenming/eventstore';
import { envelopeOf } from './envelope.js';

const event = (actor: { id: string; role: string; via?: string }, data: unknown = { a: 1 }): RecordedEvent => ({
  id: 'e1',
  type: 'RectificationRegressed',
  streamId: 'rectification-r1',
  revision: 3,
  position: 17,
  occurredAt: '2026-01-02T03:04:05.000Z',
  recordedAt: '2026-01-02T03:04:06.000Z',
  data,
  metadata: { unitId: 'u1', actor, schemaVersion: 1, prevHash: '0'.repeat(64), hash: 'f'.repeat(64) },
});

describe('envelopeOf', () => {
  it('maps every stored role to the Role enum and carries via', () => {
    for (const role of ['office', 'unit', 'inspector', 'supervisor', 'auditor', 'admin', 'system']) {
      const json = EventEnvelope.toJSON(envelopeOf(event({ id: 'x', role, via: 'service:lookback' }))) as {
        metadata: { actor: { role: string; via: string } };
      };
      assert.equal(json.metadata.actor.role, `ROLE_${role.toUpperCase()}`);
      assert.equal(json.metadata.actor.via, 'service:lookback');
    }
  });
  it('a role the enum lacks is ROLE_UNSPECIFIED, never an unknown number', () => {
    assert.equal(envelopeOf(event({ id: 'x', role: 'unknown' })).metadata?.actor?.role, 0);
  });
  it('a payload that is not an object is sent as { value }', () => {
    assert.deepEqual((EventEnvelope.toJSON(envelopeOf(event({ id: 'x', role: 'unit' }, 'text'))) as { data: unknown }).data, {
      value: 'text',
    });
  });
});
