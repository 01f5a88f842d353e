// What the look-back's two command handlers, the reviews and the audit trail, share
// beyond service-kit's commandReply: the key every command must carry and the actor
// its events record.
import type { Principal } from '@wenming/service-kit';
import { ValidationError } from '@wenming/service-kit';

export function requireIdempotencyKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key.trim() === '') throw new ValidationError('idempotencyKey', 'is required on every command');
}

/** Who the events record as having acted: the caller, under its first role. */
export function actorOf(principal: Principal): { id: string; role: string } {
  return { id: principal.id, role: principal.roles[0] ?? 'none' };
}
