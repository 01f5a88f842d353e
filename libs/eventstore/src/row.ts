// The row shape both SQL adapters store, and its mapping back to a RecordedEvent.
import type { RecordedEvent } from './types.js';

export interface EventRow {
  position: number | string;
  id: string;
  stream_id: string;
  revision: number | string;
  type: string;
  occurred_at: string;
  recorded_at: string;
  data: string | unknown;
  metadata: string | unknown;
  prev_hash: string;
  hash: string;
}

export function rowToEvent(row: EventRow): RecordedEvent {
  const metadata = (typeof row.metadata === 'string' ? JSON.parse(row.metadata) : row.metadata) as RecordedEvent['metadata'];
  return {
    id: row.id,
    type: row.type,
    streamId: row.stream_id,
    revision: Number(row.revision),
    position: Number(row.position),
    occurredAt: row.occurred_at,
    recordedAt: row.recorded_at,
    data: typeof row.data === 'string' ? JSON.parse(row.data) : row.data,
    metadata: { ...metadata, prevHash: row.prev_hash, hash: row.hash },
  };
}

/** Checks the writer's expectation against the stream's head; returns an error description or undefined. */
export function revisionMismatch(expected: 'any' | 'no_stream' | 'stream_exists' | number, current: number | undefined): boolean {
  if (expected === 'any') return false;
  if (expected === 'no_stream') return current !== undefined;
  if (expected === 'stream_exists') return current === undefined;
  return current !== expected;
}
