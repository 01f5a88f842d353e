// The read-model port. Read models are documents in named collections, each
// document carrying the global position of the last event applied to it, so a
// projection that sees an event again (after a crash, a redelivery, a rebuild that
// overlaps) changes nothing. The port asks only for what MongoDB and FerretDB both
// do without transactions or change streams (DESIGN §4): single-document writes,
// equality filters, sort, limit.
import type { RecordedEvent } from '@wenming/eventstore';

/** Every stored document has an id and the position of the last event applied to it. */
export interface StoredDoc {
  _id: string;
  _position: number;
}

/**
 * Equality on top-level or dotted fields (`'leader.name'`); `{ $in: [...] }` for one-of; `{ $lte / $gte / $lt / $gt }` for ranges.
 * As in MongoDB, comparisons are typed (`1` matches neither `'1'` nor `true`; `{ $gt: 5 }` matches no string) and
 * `null` also matches a missing field. Paths go through nested objects, not into arrays. `_id` and `_position` can be
 * filtered and sorted on too. Anything else (`$ne`, `$regex`, ...) is refused with an InvalidQueryError.
 */
export type FieldCondition =
  | string
  | number
  | boolean
  | null
  | { $in: Array<string | number> }
  | { $lt?: string | number; $lte?: string | number; $gt?: string | number; $gte?: string | number };
export type Filter = Record<string, FieldCondition>;

/** Results come in `sort` order, ties broken by `_id` (so pages are stable on every adapter); `limit: 0` returns nothing. */
export interface FindOptions {
  sort?: Record<string, 1 | -1>;
  limit?: number;
  skip?: number;
}

export interface Collection<T extends object> {
  get(id: string): Promise<(T & StoredDoc) | undefined>;
  find(filter?: Filter, options?: FindOptions): Promise<Array<T & StoredDoc>>;
  count(filter?: Filter): Promise<number>;
  /**
   * Applies one event's effect to one document, once: when the stored document's
   * `_position` is already >= `position`, nothing happens and it returns false.
   * `update` gets the current document (undefined when absent) and returns the new
   * one, or `null` to delete it.
   *
   * `update` must be pure and synchronous: an adapter without transactions may call
   * it again after losing a race. `current` has no `_id`/`_position` (the store sets
   * them; returned ones are ignored). A deleted document keeps its position, so an
   * older event replayed later does not bring it back. Documents must be plain JSON
   * that MongoDB and FerretDB keep unchanged: no Dates (store ISO strings), no keys
   * with `.` or a leading `$`, no arrays directly inside arrays, no NaN/Infinity;
   * every adapter refuses these with an InvalidDocumentError.
   */
  apply(id: string, position: number, update: (current: T | undefined) => T | null): Promise<boolean>;
  /** Declares an index on fields the queries filter or sort by (idempotent). */
  ensureIndex(fields: string[]): Promise<void>;
}

/**
 * An event a projection could not apply, kept beside its checkpoint so it survives
 * restarts (the projection went on past it). String fields are made storable: NUL
 * and lone surrogates become U+FFFD, and each is cut to MAX_FAILURE_TEXT characters.
 */
export interface FailedEvent {
  projection: string;
  position: number;
  eventId: string;
  type: string;
  streamId: string;
  /** The last error's message. */
  error: string;
  /** ISO-8601. */
  firstFailedAt: string;
  lastFailedAt: string;
  /** Applications tried and failed, over every run, rebuild and retry since it was first recorded. */
  attempts: number;
}

/** What a caller records: one or more failed attempts, at `failedAt`. */
export type FailedAttempt = Omit<FailedEvent, 'firstFailedAt' | 'lastFailedAt'> & { failedAt: string };

export interface ReadStore {
  readonly kind: 'sqlite' | 'mongodb';
  collection<T extends object>(name: string): Collection<T>;
  /** Last position each projection has fully applied. */
  readonly checkpoints: {
    load(projection: string): Promise<number | undefined>;
    store(projection: string, position: number): Promise<void>;
    reset(projection: string): Promise<void>;
  };
  /** Events each projection could not apply, keyed by projection and position. */
  readonly failedEvents: {
    /**
     * Records the attempts, or adds them to the record this projection already has for
     * this position: attempts summed, the latest error and time kept, firstFailedAt unchanged.
     */
    record(attempt: FailedAttempt): Promise<void>;
    /** In position order, from after `afterPosition`, at most `limit`. */
    list(projection: string, options?: { afterPosition?: number; limit?: number }): Promise<FailedEvent[]>;
    count(projection: string): Promise<number>;
    /** True when there was a record to remove. */
    remove(projection: string, position: number): Promise<boolean>;
    /** Every record of the projection (a rebuild starts afresh). */
    clear(projection: string): Promise<void>;
  };
  /**
   * True when `err` says the store cannot serve now (connection lost, server down or
   * stepping down, disk full, database busy) rather than that this write can never
   * succeed. The projection runner waits and tries again on these; anything else,
   * after a few attempts, marks the event as failed for the projection.
   */
  isUnavailable(err: unknown): boolean;
  /** Removes collections entirely, with their indexes and deletion markers (a rebuild starts from empty collections). */
  drop(collections: string[]): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** A read model: the collections it owns and how one event changes them. */
export interface Projection {
  /** Unique per process; also its checkpoint name. */
  readonly name: string;
  /**
   * The shape of its documents (default 1). Raise it when a change to `apply` would
   * give existing documents a different shape (a new field): at start, a read store
   * built by another version is dropped and rebuilt from the log, so an upgraded
   * deployment never serves documents the new code did not write.
   */
  readonly version?: number;
  readonly collections: readonly string[];
  /** Event types it reacts to; others are skipped without a call. */
  readonly handles: readonly string[];
  /** Indexes to create at start: collection → lists of fields. */
  readonly indexes?: Readonly<Record<string, readonly (readonly string[])[]>>;
  /**
   * Writes through `Collection.apply(id, event.position, ...)` only, so a replayed
   * event changes nothing. The runner may replay events after a restart; each
   * document's guard makes that harmless, as long as an update derives the new
   * document from the event and the current document alone.
   */
  apply(event: RecordedEvent, store: ReadStore): Promise<void>;
}
