// The production read store: MongoDB (FerretDB v1.24 in tests), one collection per
// read-model collection, each document stored as
//
//   { _id, _position, doc }      doc: the read model's document, or null once deleted
//
// so the store's own fields never mix with the document's, and a delete leaves a
// tombstone (doc null, `_position` kept) that get/find/count never show: the position
// guard needs the position of the delete, or replaying an older "created" event would
// bring the document back. Tombstones go only with `drop`, which a rebuild does before
// replaying from zero.
//
// Only what MongoDB and FerretDB 1.24 both do (DESIGN §4, INFRA-NOTES): no
// transactions, sessions or change streams. `apply` is optimistic: read the document,
// run `update`, then replace it only if its `_position` is still the one read (or
// insert it when there was none); a write that matches nothing or hits a duplicate
// key lost a race with another writer, so it reads again and retries, and the guard
// decides anew. `update` is pure (the port says so), so calling it again is harmless.
// That compare-and-set is atomic on MongoDB (per document). FerretDB 1.24 runs an
// update as a query and then a write by _id in a separate SQLite transaction, so
// there two writers racing on one document can both "match" and one write is lost;
// only the insert (unique _id) is atomic. On FerretDB, keep one writer per document
// (one projection instance per collection, as the runner does).
//
// Queries follow the port's semantics, which the SQLite adapter also implements:
// comparisons are typed (MongoDB's own rule), `null` matches null and missing, and
// paths go through nested objects, never into arrays. MongoDB would match a scalar
// condition against an array's elements, so every path is guarded against arrays.
import {
  type Db,
  type Document,
  MongoClient,
  type Collection as MongoCollection,
  MongoError,
  MongoNetworkError,
  MongoNotConnectedError,
  MongoServerError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
} from 'mongodb';
import { InvalidQueryError } from '../errors.js';
import type { Collection, FailedEvent, Filter, FindOptions, ReadStore, StoredDoc } from '../types.js';
import {
  type Condition,
  type FieldPath,
  parseFieldPath,
  parseFilter,
  parseFindOptions,
  toStoredDocument,
  validateApply,
  validateCollectionName,
  validateFailedAttempt,
  validateFailureListOptions,
  validatePosition,
  validateProjectionName,
} from '../validation.js';

export interface MongoReadStoreOptions {
  /** mongodb:// URL; the database below overrides one named in it. */
  url: string;
  /** Database holding the read models; default: the URL's, else "wenming". */
  database?: string;
  /** How long to wait for a server at connect and on each operation (default 30 s). */
  serverSelectionTimeoutMS?: number;
}

interface Row {
  _id: string;
  _position: number;
  doc: Record<string, unknown> | null;
}

interface CheckpointRow {
  _id: string;
  position: number;
  updatedAt: string;
}

/** `_id`: projection and position, so a record is one document written by one upsert. */
type FailedRow = FailedEvent & { _id: string };

/** Starts with `_`, which no collection name may (validateCollectionName), so no read model can clash with it. */
const CHECKPOINTS = '_wenming_checkpoints';
const FAILED_EVENTS = '_wenming_failed_events';
const DUPLICATE_KEY = 11000;
/**
 * HostUnreachable, HostNotFound, NetworkTimeout, ShutdownInProgress, PrimarySteppedDown,
 * ExceededTimeLimit, SocketException, NotWritablePrimary, InterruptedAtShutdown,
 * InterruptedDueToReplStateChange, NotPrimaryNoSecondaryOk, NotPrimaryOrSecondary, OutOfDiskSpace.
 */
const UNAVAILABLE_CODES = new Set([6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436, 14031]);
const NAMESPACE_NOT_FOUND = 26;
/** Lost races in a row before apply gives up: only a writer storm on one document gets there. */
const MAX_ATTEMPTS = 100;

export class MongoReadStore implements ReadStore {
  readonly kind = 'mongodb' as const;
  readonly checkpoints: ReadStore['checkpoints'];
  readonly failedEvents: ReadStore['failedEvents'];
  private readonly checkpointRows: MongoCollection<CheckpointRow>;
  private readonly failedRows: MongoCollection<FailedRow>;

  private constructor(
    private readonly client: MongoClient,
    private readonly db: Db,
  ) {
    this.checkpointRows = db.collection<CheckpointRow>(CHECKPOINTS);
    this.checkpoints = {
      load: async (projection) => (await this.checkpointRows.findOne({ _id: validateProjectionName(projection) }))?.position,
      store: async (projection, position) => {
        validatePosition(position);
        await this.checkpointRows.replaceOne(
          { _id: validateProjectionName(projection) },
          { position, updatedAt: new Date().toISOString() },
          { upsert: true },
        );
      },
      reset: async (projection) => {
        await this.checkpointRows.deleteOne({ _id: validateProjectionName(projection) });
      },
    };
    this.failedRows = db.collection<FailedRow>(FAILED_EVENTS);
    const failedId = (projection: string, position: number) => `${position}@${projection}`;
    this.failedEvents = {
      record: async (attempt) => {
        const { failedAt, attempts, ...a } = validateFailedAttempt(attempt);
        await this.failedRows.updateOne(
          { _id: failedId(a.projection, a.position) },
          { $set: { ...a, lastFailedAt: failedAt }, $setOnInsert: { firstFailedAt: failedAt }, $inc: { attempts } },
          { upsert: true },
        );
      },
      list: async (projection, options) => {
        const { afterPosition, limit } = validateFailureListOptions(options);
        let cursor = this.failedRows
          .find({ projection: validateProjectionName(projection), position: { $gt: afterPosition } })
          .sort({ position: 1 });
        if (limit !== undefined) cursor = cursor.limit(limit);
        return (await cursor.toArray()).map(({ _id, ...failure }) => failure);
      },
      count: async (projection) => this.failedRows.countDocuments({ projection: validateProjectionName(projection) }),
      remove: async (projection, position) => {
        validatePosition(position);
        return (await this.failedRows.deleteOne({ _id: failedId(validateProjectionName(projection), position) })).deletedCount > 0;
      },
      clear: async (projection) => {
        await this.failedRows.deleteMany({ projection: validateProjectionName(projection) });
      },
    };
  }

  /**
   * The driver's own "cannot reach a server" errors, and server answers that say it
   * cannot take writes now (shutting down, stepping down, out of disk, timed out):
   * the codes the driver itself retries on, plus the out-of-disk and time-limit ones.
   */
  isUnavailable(err: unknown): boolean {
    if (
      err instanceof MongoNetworkError ||
      err instanceof MongoServerSelectionError ||
      err instanceof MongoNotConnectedError ||
      err instanceof MongoTopologyClosedError
    ) {
      return true;
    }
    if (err instanceof MongoError && (err.hasErrorLabel('RetryableWriteError') || err.hasErrorLabel('ResetPool'))) return true;
    return err instanceof MongoServerError && typeof err.code === 'number' && UNAVAILABLE_CODES.has(err.code);
  }

  static async connect(options: MongoReadStoreOptions): Promise<MongoReadStore> {
    const client = new MongoClient(options.url, {
      // Keys whose value is undefined are left out, as JSON.stringify (the SQLite adapter) does.
      ignoreUndefined: true,
      serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 30_000,
      appName: 'wenming-readstore',
    });
    await client.connect();
    try {
      const database = options.database ?? (client.options.dbName && client.options.dbName !== 'test' ? client.options.dbName : 'wenming');
      const db = client.db(database);
      await db.command({ ping: 1 });
      // Idempotent; listing a projection's failures in position order reads through it.
      await db.collection(FAILED_EVENTS).createIndex([
        ['projection', 1],
        ['position', 1],
      ]);
      return new MongoReadStore(client, db);
    } catch (err) {
      await client.close().catch(() => undefined);
      throw err;
    }
  }

  collection<T extends object>(name: string): Collection<T> {
    validateCollectionName(name);
    // A MongoDB collection handle is only a name: after a drop it writes into a new, empty collection.
    const rows = this.db.collection<Row>(name);
    return {
      get: async (id) => {
        if (typeof id !== 'string') return undefined;
        const row = await rows.findOne({ _id: id });
        return row?.doc == null ? undefined : toDoc<T>(row);
      },
      find: async (filter, options) => find<T>(rows, filter, options),
      count: async (filter) => rows.countDocuments(toQuery(parseFilter(filter))),
      apply: async (id, position, update) => {
        validateApply(id, position);
        return apply(name, rows, id, position, update as (current: object | undefined) => object | null);
      },
      ensureIndex: async (fields) => {
        if (!Array.isArray(fields) || fields.length === 0) throw new InvalidQueryError('fields', 'ensureIndex needs at least one field');
        const keys: Array<[string, 1]> = fields.map((f) => [mongoPath(parseFieldPath(f)), 1]);
        // MongoDB always has the index on _id alone, and refuses to declare it again with other options.
        if (keys.length === 1 && keys[0]![0] === '_id') return;
        await rows.createIndex(keys);
      },
    };
  }

  async drop(collections: string[]): Promise<void> {
    for (const name of collections) validateCollectionName(name);
    for (const name of collections) {
      try {
        await this.db.collection(name).drop();
      } catch (err) {
        if (!isNamespaceNotFound(err)) throw err;
      }
    }
  }

  async ping(): Promise<void> {
    await this.db.command({ ping: 1 });
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

async function apply(
  name: string,
  rows: MongoCollection<Row>,
  id: string,
  position: number,
  update: (current: object | undefined) => object | null,
): Promise<boolean> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const row = await rows.findOne({ _id: id });
    if (row && row._position >= position) return false;
    const next = update(row?.doc ?? undefined);
    const doc = next === null ? null : toStoredDocument(name, id, next);
    if (row) {
      const result = await rows.replaceOne({ _id: id, _position: row._position }, { _position: position, doc });
      if (result.matchedCount === 1) return true;
    } else {
      try {
        await rows.insertOne({ _id: id, _position: position, doc });
        return true;
      } catch (err) {
        if (!(err instanceof MongoServerError && err.code === DUPLICATE_KEY)) throw err;
      }
    }
  }
  throw new Error(`${name}/${id}: lost the race to write position ${position} ${MAX_ATTEMPTS} times in a row`);
}

async function find<T extends object>(rows: MongoCollection<Row>, filter?: Filter, options?: FindOptions): Promise<Array<T & StoredDoc>> {
  const query = toQuery(parseFilter(filter));
  const { sort, limit, skip } = parseFindOptions(options);
  // The driver reads limit 0 as "no limit".
  if (limit === 0) return [];
  // parseFindOptions ends the keys with _id, so ties come out in the same order as on SQLite.
  let cursor = rows.find(query).sort(sort.map((k): [string, 1 | -1] => [mongoPath(k.path), k.direction]));
  if (skip > 0) cursor = cursor.skip(skip);
  if (limit !== undefined) cursor = cursor.limit(limit);
  return (await cursor.toArray()).map((row) => toDoc<T>(row));
}

function toDoc<T>(row: Row): T & StoredDoc {
  return { _id: row._id, ...(row.doc as T), _position: row._position };
}

function mongoPath(path: FieldPath): string {
  if (path.kind === 'id') return '_id';
  if (path.kind === 'position') return '_position';
  return `doc.${path.segments.join('.')}`;
}

/** The stored path of each object the path goes through, and of the field itself: `a.b` → `doc.a`, `doc.a.b`. */
function prefixes(path: FieldPath & { kind: 'doc' }): string[] {
  return path.segments.map((_, i) => `doc.${path.segments.slice(0, i + 1).join('.')}`);
}

const notArray = (p: string): Document => ({ [p]: { $not: { $type: 'array' } } });

/**
 * The MongoDB query for a parsed filter. Tombstones never match. A document path
 * matches only when no step of it is an array, as on SQLite, whose json_extract does
 * not look into arrays: there `{tags: 'a'}` does not match `tags: ['a']`, and
 * `{'a.b': null}` matches when `a` is an array (the path leads nowhere).
 */
function toQuery(conditions: Condition[]): Document {
  const terms: Document[] = [{ doc: { $type: 'object' } }];
  for (const c of conditions) {
    const path = mongoPath(c.path);
    const operator = toOperator(c);
    if (c.path.kind !== 'doc') {
      terms.push({ [path]: operator });
      continue;
    }
    const steps = prefixes(c.path);
    const matched: Document = { $and: [...steps.map(notArray), { [path]: operator }] };
    if (c.op === 'eq' && c.value === null && steps.length > 1) {
      // An array on the way makes the path lead nowhere: that is null too.
      terms.push({ $or: [matched, ...steps.slice(0, -1).map((p) => ({ [p]: { $type: 'array' } }))] });
    } else {
      terms.push(matched);
    }
  }
  return terms.length === 1 ? terms[0]! : { $and: terms };
}

function toOperator(c: Condition): Document {
  switch (c.op) {
    case 'eq':
      return { $eq: c.value };
    case 'in':
      return { $in: c.values };
    case '$lt':
    case '$lte':
    case '$gt':
    case '$gte':
      return { [c.op]: c.value };
    default: {
      const never: never = c;
      throw new Error(`unhandled condition ${JSON.stringify(never)}`);
    }
  }
}

function isNamespaceNotFound(err: unknown): boolean {
  return err instanceof MongoServerError && (err.code === NAMESPACE_NOT_FOUND || /ns not found|namespace not found/i.test(err.message));
}
