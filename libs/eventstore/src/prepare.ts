// Checks an append before any adapter touches storage, and turns each event into
// the exact JSON that will be stored and hashed. All adapters share it, so bad
// input fails the same way everywhere, and nothing is written.

import { canonicalJson } from './canonical-json.js';
import {
  DuplicateEventIdError,
  EventTooLargeError,
  InvalidAppendError,
  InvalidExpectedRevisionError,
  InvalidStreamIdError,
  MissingUnitIdError,
} from './errors.js';
import type { AppendOptions, EventMetadata, ExpectedRevision, NewEvent } from './types.js';

/** "<aggregate>-<id>": the category before the first dash names the aggregate. */
const STREAM_ID = /^[A-Za-z][A-Za-z0-9]{0,63}-[A-Za-z0-9][A-Za-z0-9._:@-]{0,199}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `id` can be an event's id (a uuid): anything else is looked up nowhere. */
export function isEventId(id: unknown): id is string {
  return typeof id === 'string' && UUID.test(id);
}
const EVENT_TYPE = /^[A-Z][A-Za-z0-9]{0,127}$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
// Control characters (NUL above all: PostgreSQL refuses it in text) and lone UTF-16
// surrogates (no valid UTF-8, no canonical JSON form) have no place in stored text.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const CONTROL_OR_LONE_SURROGATE = /[\u0000-\u001f\u007f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const METADATA_KEYS = new Set<keyof EventMetadata>([
  'unitId',
  'campaignId',
  'actor',
  'correlationId',
  'causationId',
  'traceparent',
  'schemaVersion',
]);

/** One event's stored JSON may not exceed 1 MiB (data and metadata together). */
export const MAX_EVENT_BYTES = 1024 * 1024;
export const MAX_EVENTS_PER_APPEND = 10_000;
/**
 * Objects and arrays inside one another in an event's data (or metadata). Every event
 * is canonicalised again on each integrity check and serialised on every read, and a
 * few thousand levels overflow the recursive serialisers readers use (JSON.stringify,
 * protobuf Struct, other languages' canonicalisers): refused at the append, naming the field.
 */
export const MAX_EVENT_DEPTH = 64;

export interface PreparedEvent {
  id: string;
  type: string;
  occurredAt: string;
  unitId: string | null;
  /** The writer's data, checked to be plain JSON (it reads back equal to this). */
  data: unknown;
  /** Writer metadata with schemaVersion filled in; without prevHash/hash. */
  metadata: EventMetadata & { schemaVersion: number };
  /**
   * RFC 8785 canonical JSON of data and metadata: the text that is stored and the
   * form the hash chain covers, computed here so no lock waits on them.
   */
  canonical: { data: string; metadata: string };
}

export function validateStreamId(streamId: unknown): asserts streamId is string {
  if (typeof streamId !== 'string' || !STREAM_ID.test(streamId)) throw new InvalidStreamIdError(streamId);
}

export function validateExpectedRevision(value: unknown): asserts value is ExpectedRevision {
  if (value === 'any' || value === 'no_stream' || value === 'stream_exists') return;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return;
  throw new InvalidExpectedRevisionError(value);
}

export function prepareAppend(
  streamId: unknown,
  events: readonly NewEvent[],
  options: AppendOptions | undefined,
): { expectedRevision: ExpectedRevision; events: PreparedEvent[] } {
  validateStreamId(streamId);
  const expectedRevision = options?.expectedRevision ?? 'any';
  validateExpectedRevision(expectedRevision);
  if (!Array.isArray(events) || events.length === 0) {
    throw new InvalidAppendError('events', 'an append needs at least one event');
  }
  if (events.length > MAX_EVENTS_PER_APPEND) {
    throw new InvalidAppendError('events', `at most ${MAX_EVENTS_PER_APPEND} events per append, got ${events.length}`);
  }
  const seen = new Set<string>();
  const prepared = events.map((event, index) => {
    const p = prepareEvent(event, index, options?.unitless === true);
    if (seen.has(p.id)) throw new DuplicateEventIdError(`events[${index}].id`, `${p.id} appears twice in one append`);
    seen.add(p.id);
    return p;
  });
  return { expectedRevision, events: prepared };
}

function prepareEvent(event: NewEvent, index: number, unitless: boolean): PreparedEvent {
  const at = `events[${index}]`;
  if (event === null || typeof event !== 'object') throw new InvalidAppendError(at, 'is not an event object');
  if (typeof event.id !== 'string' || !UUID.test(event.id)) {
    throw new InvalidAppendError(`${at}.id`, `${JSON.stringify(event.id)} is not a uuid`);
  }
  if (typeof event.type !== 'string' || !EVENT_TYPE.test(event.type)) {
    throw new InvalidAppendError(`${at}.type`, `${JSON.stringify(event.type)} is not an event type (PascalCase, past tense)`);
  }
  if (typeof event.occurredAt !== 'string' || !ISO_DATE_TIME.test(event.occurredAt) || Number.isNaN(Date.parse(event.occurredAt))) {
    throw new InvalidAppendError(`${at}.occurredAt`, `${JSON.stringify(event.occurredAt)} is not an ISO-8601 date-time with a time zone`);
  }
  const metadata = prepareMetadata(event.metadata, at);
  if (!unitless && metadata.unitId === undefined) throw new MissingUnitIdError(index);
  // The stored text is the RFC 8785 canonical form: the same string the hash chain
  // covers, so one pass checks the data and serves storage, hashing and the size limit.
  const bounded = { maxDepth: MAX_EVENT_DEPTH };
  const canonical = {
    data: canonicalJson(event.data, `${at}.data`, bounded),
    metadata: canonicalJson(metadata, `${at}.metadata`, bounded),
  };
  const bytes = Buffer.byteLength(canonical.data) + Buffer.byteLength(canonical.metadata);
  if (bytes > MAX_EVENT_BYTES) throw new EventTooLargeError(event.id, bytes, MAX_EVENT_BYTES, largestMember(event.data));
  return {
    id: event.id.toLowerCase(),
    type: event.type,
    occurredAt: event.occurredAt,
    unitId: metadata.unitId ?? null,
    data: event.data,
    metadata,
    canonical,
  };
}

function prepareMetadata(metadata: unknown, at: string): EventMetadata & { schemaVersion: number } {
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
    throw new InvalidAppendError(`${at}.metadata`, 'is required and must be an object');
  }
  const m = metadata as Record<string, unknown>;
  for (const key of Object.keys(m)) {
    if (!METADATA_KEYS.has(key as keyof EventMetadata)) {
      throw new InvalidAppendError(`${at}.metadata.${key}`, `is not a metadata field (known: ${[...METADATA_KEYS].join(', ')})`);
    }
  }
  for (const key of ['unitId', 'campaignId', 'correlationId', 'causationId', 'traceparent'] as const) {
    const v = m[key];
    if (v !== undefined && (typeof v !== 'string' || v.length === 0 || v.length > 200 || CONTROL_OR_LONE_SURROGATE.test(v))) {
      throw new InvalidAppendError(
        `${at}.metadata.${key}`,
        'must be a non-empty string of at most 200 characters, without control characters',
      );
    }
  }
  const actor = m.actor as Record<string, unknown> | undefined;
  if (
    actor !== undefined &&
    (actor === null ||
      typeof actor !== 'object' ||
      typeof actor.id !== 'string' ||
      typeof actor.role !== 'string' ||
      (actor.via !== undefined &&
        (typeof actor.via !== 'string' || actor.via === '' || actor.via.length > 200 || CONTROL_OR_LONE_SURROGATE.test(actor.via))) ||
      Object.keys(actor).length !== (actor.via === undefined ? 2 : 3))
  ) {
    throw new InvalidAppendError(`${at}.metadata.actor`, 'must be { id: string, role: string, via?: string }');
  }
  const schemaVersion = m.schemaVersion ?? 1;
  if (typeof schemaVersion !== 'number' || !Number.isSafeInteger(schemaVersion) || schemaVersion < 1) {
    throw new InvalidAppendError(`${at}.metadata.schemaVersion`, 'must be an integer >= 1');
  }
  // Rebuild in a fixed key order without undefined entries, so the stored JSON is stable.
  const out: EventMetadata & { schemaVersion: number } = { schemaVersion };
  for (const key of METADATA_KEYS) {
    if (key !== 'schemaVersion' && m[key] !== undefined) (out as unknown as Record<string, unknown>)[key] = m[key];
  }
  if (actor) out.actor = { id: actor.id as string, role: actor.role as string, ...(actor.via ? { via: actor.via as string } : {}) };
  return out;
}

/**
 * The path (`content.tasks[3].description`) of what makes `data` large: its largest
 * member, and within it the largest one for as long as one holds most of its parent's
 * bytes. Run only on the error path; bounded by MAX_EVENT_DEPTH.
 */
export function largestMember(data: unknown): string | undefined {
  let path = '';
  let node = data;
  let size = jsonBytes(node);
  for (let depth = 0; depth < MAX_EVENT_DEPTH && node !== null && typeof node === 'object'; depth++) {
    let best: { key: string | number; value: unknown; bytes: number } | undefined;
    for (const [key, value] of Array.isArray(node) ? node.entries() : Object.entries(node)) {
      const bytes = jsonBytes(value);
      if (!best || bytes > best.bytes) best = { key, value, bytes };
    }
    // Below the top level, stop where no single member holds most of the bytes.
    if (!best || (path !== '' && best.bytes * 2 < size)) break;
    path = typeof best.key === 'number' ? `${path}[${best.key}]` : path === '' ? best.key : `${path}.${best.key}`;
    node = best.value;
    size = best.bytes;
  }
  return path === '' ? undefined : path;
}

function jsonBytes(value: unknown): number {
  try {
    return Buffer.byteLength(JSON.stringify(value) ?? '');
  } catch {
    return 0;
  }
}
