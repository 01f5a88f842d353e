// Idempotent append: when every event id of a batch is already stored, in this
// stream, the append is a no-op that reports where those events are. A batch only
// partly stored, or an id stored in another stream, would duplicate or split a
// write, so it is refused and nothing is written.
import { DuplicateEventIdError } from './errors.js';
import type { PreparedEvent } from './prepare.js';
import type { AppendResult } from './types.js';

export interface StoredId {
  id: string;
  streamId: string;
  revision: number;
  position: number;
}

export function idempotentResult(streamId: string, batch: readonly PreparedEvent[], stored: readonly StoredId[]): AppendResult | undefined {
  if (stored.length === 0) return undefined;
  const elsewhere = stored.find((s) => s.streamId !== streamId);
  if (elsewhere) {
    throw new DuplicateEventIdError('events.id', `event ${elsewhere.id} is already stored in stream ${elsewhere.streamId}`);
  }
  if (stored.length !== batch.length) {
    const storedIds = new Set(stored.map((s) => s.id));
    const missing = batch.filter((e) => !storedIds.has(e.id)).map((e) => e.id);
    throw new DuplicateEventIdError(
      'events.id',
      `${stored.length} of ${batch.length} events are already stored in ${streamId}; a retried append must resend the same batch (not stored: ${missing.slice(0, 3).join(', ')})`,
    );
  }
  const last = stored.reduce((a, b) => (b.position > a.position ? b : a));
  return { nextExpectedRevision: last.revision, position: last.position, written: false };
}
