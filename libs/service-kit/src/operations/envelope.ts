// A stored event as common.v1.EventEnvelope, in one place for every gRPC answer that
// carries envelopes (the history streams, look-back's timeline and audit trail). The
// store keeps some fields in a form of its own; this turns each into the proto3 JSON
// mapping of the envelope's field, so gRPC carries what HTTP shows:
// - metadata.actor.role is kept by name ('unit'); the proto's Actor.role is the Role
//   enum (ROLE_UNIT). A role the enum lacks is ROLE_UNSPECIFIED, never an unknown number.
// - metadata.actor.via (the service that acted on the actor's behalf) is carried as is.
// - data is a google.protobuf.Struct, an object: a payload that is not one is sent as { value }.
import { Role, roleFromJSON } from '@wenming/contracts/wenming/common/v1/common.js';
import { EventEnvelope } from '@wenming/contracts/wenming/common/v1/envelope.js';
import type { RecordedEvent } from '@wenming/eventstore';
import type { Json } from '../requests.js';

/** The proto's Role enum name (proto3 JSON) for a role as the store keeps it ('unit' → ROLE_UNIT). */
export function roleEnumName(role: string): string {
  const name = `ROLE_${role.toUpperCase().replace(/-/g, '_')}`;
  return roleFromJSON(name) === Role.UNRECOGNIZED ? 'ROLE_UNSPECIFIED' : name;
}

/** common.v1.Actor as proto3 JSON, from an actor as the store keeps it. */
export function actorJson(actor: { id: string; role: string; via?: string }): Json {
  return { id: actor.id, role: roleEnumName(actor.role), ...(actor.via ? { via: actor.via } : {}) };
}

/** The proto3 JSON of common.v1.EventEnvelope for a stored event. */
export function envelopeJson(e: RecordedEvent): Json {
  const actor = e.metadata.actor;
  return {
    id: e.id,
    type: e.type,
    streamId: e.streamId,
    revision: e.revision,
    position: e.position,
    occurredAt: e.occurredAt,
    recordedAt: e.recordedAt,
    data: typeof e.data === 'object' && e.data !== null && !Array.isArray(e.data) ? e.data : { value: e.data },
    metadata: {
      ...e.metadata,
      ...(actor ? { actor: actorJson(actor) } : {}),
    },
  };
}

/** A stored event as common.v1.EventEnvelope. */
export function envelopeOf(e: RecordedEvent): EventEnvelope {
  return EventEnvelope.fromJSON(envelopeJson(e));
}
