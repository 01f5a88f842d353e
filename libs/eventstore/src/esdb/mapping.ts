// Pure translations between the port's shapes and @eventstore/db-client's. They do
// no I/O, so esdb-mapping.unit.spec.ts checks them on a machine where no
// EventStoreDB server can run.
import {
  type AppendExpectedRevision,
  type CurrentRevision,
  type JSONType,
  jsonEvent,
  NO_STREAM,
  type Position,
} from '@eventstore/db-client';
import { eventHash, GENESIS_HASH } from '../hash-chain.js';
import type { PreparedEvent } from '../prepare.js';
import type { EventMetadata, ExpectedRevision, RecordedEvent } from '../types.js';

/** Streams the adapter keeps for itself: the unit index (projection links) and subscription checkpoints. */
export const UNIT_STREAM_PREFIX = 'wenming-unit-';
export const CHECKPOINT_STREAM_PREFIX = 'wenming-checkpoint-';

export const unitStream = (unitId: string): string => `${UNIT_STREAM_PREFIX}${unitId}`;
export const checkpointStream = (name: string): string => `${CHECKPOINT_STREAM_PREFIX}${name}`;

/** Not part of Wenming's log: ESDB system streams/events (`$…`, links are `$>`) and the adapter's own streams. */
export function isInternal(streamId: string, type: string): boolean {
  return (
    streamId.startsWith('$') ||
    type.startsWith('$') ||
    streamId.startsWith(UNIT_STREAM_PREFIX) ||
    streamId.startsWith(CHECKPOINT_STREAM_PREFIX)
  );
}

/**
 * What ESDB stores as an event's custom metadata: the writer's metadata (with
 * schemaVersion) plus the fields ESDB has no place for. ESDB's own `created` is
 * the server's clock, not our injected `recordedAt`, so both times live here.
 */
export interface StoredMetadata extends EventMetadata {
  schemaVersion: number;
  occurredAt: string;
  recordedAt: string;
  prevHash: string;
  hash: string;
}

/** Chains the batch to the head it read: revisions, recordedAt, prevHash and hash, as ESDB event data. */
export function chainBatch(streamId: string, batch: readonly PreparedEvent[], head: RecordedEvent | undefined, recordedAt: string) {
  let revision = head ? head.revision : -1;
  let prevHash = head ? head.metadata.hash : GENESIS_HASH;
  const data = batch.map((event) => {
    revision += 1;
    const hash = eventHash(prevHash, { ...event, streamId, revision, recordedAt });
    const metadata: StoredMetadata = { ...event.metadata, occurredAt: event.occurredAt, recordedAt, prevHash, hash };
    prevHash = hash;
    return jsonEvent({ id: event.id, type: event.type, data: event.data as JSONType, metadata });
  });
  return { data, lastRevision: revision };
}

/** The fields of an ESDB RecordedEvent this adapter reads (structurally, so tests can build one by hand). */
export interface EsdbRecord {
  id: string;
  type: string;
  streamId: string;
  revision: bigint;
  isJson: boolean;
  data: unknown;
  metadata: unknown;
  position?: Position | undefined;
}

function isStoredMetadata(m: unknown): m is StoredMetadata {
  if (m === null || typeof m !== 'object' || Array.isArray(m)) return false;
  const s = m as Record<string, unknown>;
  return (
    typeof s.occurredAt === 'string' &&
    typeof s.recordedAt === 'string' &&
    typeof s.prevHash === 'string' &&
    typeof s.hash === 'string' &&
    typeof s.schemaVersion === 'number'
  );
}

/** A Wenming event as the port returns it, or undefined for anything this adapter did not write. */
export function toRecordedEvent(record: EsdbRecord | undefined): RecordedEvent | undefined {
  if (!record?.isJson || isInternal(record.streamId, record.type) || !isStoredMetadata(record.metadata)) return undefined;
  const { occurredAt, recordedAt, prevHash, hash, ...writer } = record.metadata;
  return {
    id: record.id,
    type: record.type,
    streamId: record.streamId,
    revision: Number(record.revision),
    position: positionToNumber(record.position, `event ${record.id}`),
    occurredAt,
    recordedAt,
    data: record.data,
    metadata: { ...writer, prevHash, hash },
  };
}

/**
 * Our `position` is ESDB's commit position. Every event ESDB ≥ 20 writes is its own
 * implicit commit, so commit == prepare == the event's byte offset in the
 * transaction log, and one number round-trips to `{commit, prepare}`. It is a JS
 * number: exact up to 2^53 bytes (8 PiB of log), far beyond a city's records.
 * Servers before 22.6 return no position on stream reads (2^64-1), which we refuse.
 */
export function positionToNumber(position: Position | undefined, what: string): number {
  const commit = position?.commit;
  if (commit === undefined || commit < 0n || commit > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new Error(
      `EventStoreDB returned no usable log position for ${what} (got ${String(commit)}); Wenming needs EventStoreDB 22.6 or newer`,
    );
  }
  return Number(commit);
}

export function toEsdbPosition(position: number): Position {
  return { commit: BigInt(position), prepare: BigInt(position) };
}

/** The exact expectation sent to ESDB: the head revision this append read and chained its hashes to. */
export function expectedHead(head: number | undefined): AppendExpectedRevision {
  return head === undefined ? NO_STREAM : BigInt(head);
}

/** ESDB's "current revision" from a WrongExpectedVersionError, in the port's terms. */
export function actualRevision(current: CurrentRevision): number | 'no_stream' {
  return current === NO_STREAM ? 'no_stream' : Number(current);
}

/**
 * Whether a lost race may be retried on the new head: only when the caller did not
 * name a revision ('any', or 'stream_exists' which still holds after someone appended).
 */
export function retriesOnConflict(expected: ExpectedRevision): boolean {
  return expected === 'any' || expected === 'stream_exists';
}

/** The 6.x client knows only esdb:// and esdb+discover://; KurrentDB's scheme names the same protocol. */
export function esdbConnectionString(url: string): string {
  return url.replace(/^kurrentdb(\+discover)?:\/\//, (_m, discover: string | undefined) => `esdb${discover ?? ''}://`);
}

/**
 * The log position in a projection's checkpoint as ESDB reports it ("C:1234/P:1234",
 * or `{"$c":1234,…}` in JSON form); undefined when there is none yet.
 */
export function parseProjectionPosition(text: string | undefined): number | undefined {
  const match = /C:(\d+)\/P:\d+/.exec(text ?? '') ?? /"\$c"\s*:\s*(\d+)/.exec(text ?? '');
  if (!match?.[1]) return undefined;
  const value = Number(match[1]);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** Errors ESDB gives for a $all position that is not the start of a record (e.g. `p + 1`). */
export function isInvalidPosition(err: unknown): boolean {
  return /invalid position|InvalidPosition|too large length/i.test(String((err as Error | undefined)?.message ?? err));
}
