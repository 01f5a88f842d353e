// The row shape both SQL adapters store, its mapping back to a RecordedEvent, and
// the paged reads both adapters run over it.
import type { ExpectedRevision, ReadAllOptions, ReadStreamOptions, RecordedEvent } from './types.js';

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

/** Whether the stream's head revision (undefined: no stream) fails the writer's expectation. */
export function revisionMismatch(expected: ExpectedRevision, current: number | undefined): boolean {
  if (expected === 'any') return false;
  if (expected === 'no_stream') return current !== undefined;
  if (expected === 'stream_exists') return current === undefined;
  return current !== expected;
}

/** Rows per query of a paged read. */
const PAGE = 500;

/** At most `limit` rows from `from` on (a revision or a position, inclusive), in the read's order. */
type PageQuery = (from: number, limit: number) => EventRow[] | Promise<EventRow[]>;

/** readStream in pages: `forwards` and `backwards` query by revision, ascending and descending. */
export async function* readStreamPages(
  options: ReadStreamOptions,
  forwards: PageQuery,
  backwards: PageQuery,
): AsyncGenerator<RecordedEvent> {
  const isBackwards = options.direction === 'backwards';
  const page = isBackwards ? backwards : forwards;
  let next = options.fromRevision ?? (isBackwards ? Number.MAX_SAFE_INTEGER : 0);
  let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
  while (remaining > 0) {
    const limit = Math.min(PAGE, remaining);
    const rows = await page(next, limit);
    for (const row of rows) yield rowToEvent(row);
    remaining -= rows.length;
    if (rows.length < limit) return;
    const last = Number(rows[rows.length - 1]?.revision);
    next = isBackwards ? last - 1 : last + 1;
    if (next < 0) return;
  }
}

/** readAll and readUnit in pages: `page` queries by position, ascending. */
export async function* readPositionPages(options: ReadAllOptions, page: PageQuery): AsyncGenerator<RecordedEvent> {
  let from = options.fromPosition ?? 0;
  let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
  while (remaining > 0) {
    const limit = Math.min(PAGE, remaining);
    const rows = await page(from, limit);
    for (const row of rows) yield rowToEvent(row);
    remaining -= rows.length;
    if (rows.length < limit) return;
    from = Number(rows[rows.length - 1]?.position) + 1;
  }
}
