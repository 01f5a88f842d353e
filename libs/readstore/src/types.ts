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

export interface ReadStore {
  readonly kind: 'sqlite' | 'mongodb';
  collection<T extends object>(name: string): Collection<T>;
  /** Last position each projection has fully applied. */
  readonly checkpoints: {
    load(projection: string): Promise<number | undefined>;
    store(projection: string, position: number): Promise<void>;
    reset(projection: string): Promise<void>;
  };
  /** Removes collections entirely, with their indexes and deletion markers (a rebuild starts from empty collections). */
  drop(collections: string[]): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** A read model: the collections it owns and how one event changes them. */
export interface Projection {
  /** Unique per process; also its checkpoint name. */
  readonly name: string;
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
