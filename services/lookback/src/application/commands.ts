// What the look-back's two command handlers, the reviews and the audit trail, share:
// the proto3 JSON they take from either edge, the key every command must carry, the
// actor its events record, and the reply they give (proto CommandResult).
import type { CommandResult, DomainEvent, Principal } from '@wenming/service-kit';
import { ValidationError } from '@wenming/service-kit';

// biome-ignore lint/suspicious/noExplicitAny: proto3 JSON from either edge; every field is checked where it is used
export type Json = Record<string, any>;

export interface CommandReply {
  streamId: string;
  nextExpectedRevision: number;
  eventIds: string[];
  deduplicated: boolean;
}

export function commandReply<E extends DomainEvent, S>(r: CommandResult<E, S>): CommandReply {
  return {
    streamId: r.streamId,
    nextExpectedRevision: r.nextExpectedRevision === 'no_stream' ? -1 : r.nextExpectedRevision,
    eventIds: r.eventIds,
    deduplicated: r.replayed,
  };
}

export function requireIdempotencyKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key.trim() === '') throw new ValidationError('idempotencyKey', 'is required on every command');
}

/** Who the events record as having acted: the caller, under its first role. */
export function actorOf(principal: Principal): { id: string; role: string } {
  return { id: principal.id, role: principal.roles[0] ?? 'none' };
}
