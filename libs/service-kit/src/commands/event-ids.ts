// Event ids derived from the command's idempotency key, so a repeated command
// produces the very same ids and the event store treats its append as already done.
// Name-based UUIDs (RFC 9562 §5.5, version 5: SHA-1 over a namespace and a name),
// so they are valid uuids for every adapter, EventStoreDB included.
import { createHash } from 'node:crypto';

/** Wenming's namespace for command-derived event ids (random, fixed forever). */
const NAMESPACE = Buffer.from('8290e44bf91b4be38fcdb6862a4d43df', 'hex');

export function commandEventId(streamId: string, idempotencyKey: string, index: number): string {
  // JSON keeps the parts apart: no key can be crafted to collide with another stream's.
  const name = JSON.stringify([streamId, idempotencyKey, index]);
  const bytes = createHash('sha1').update(NAMESPACE).update(name, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
