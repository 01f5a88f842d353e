// The embedded read store: one SQLite file, one table per collection, each row a
// JSON document with the position of the last event applied to it.
//
// Durability: WAL with synchronous=NORMAL. A power cut may lose the last few
// commits, but WAL never reorders them, and the checkpoints live in the same file,
// so what survives is a consistent earlier state: the checkpoint is never ahead of
// the documents, and the projection runner replays the lost tail from it. Read
// models are rebuildable from the event store, so they do not pay for FULL.
//
// Deletes leave a tombstone (doc NULL, `_position` kept) that get/find/count never
// show: the position guard needs the position of the delete, or replaying an older
// "created" event (after a checkpoint that lagged, or a redelivery) would bring the
// document back. Tombstones go only with `drop`, which a rebuild does before
// replaying from zero.
import { createHash } from 'node:crypto';
import { openSqliteFile } from '@wenming/eventstore';
import type Database from 'better-sqlite3';
import { InvalidCollectionNameError, InvalidQueryError } from '../errors.js';
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

export interface SqliteReadStoreOptions {
  /** File path, or ':memory:' for tests that need no file. */
  path: string;
}

interface Row {
  _id: string;
  _position: number;
  doc: string | null;
}

/** A collection's table and its prepared statements; forgotten when the collection is dropped. */
interface Table {
  readonly name: string;
  readonly sqlName: string;
  readonly get: Database.Statement<[string], Row>;
  readonly apply: (id: string, position: number, update: (current: object | undefined) => object | null) => boolean;
  readonly queries: Map<string, Database.Statement<unknown[], Row | { n: number }>>;
}

const MAX_CACHED_QUERIES = 200;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS _checkpoints (
  projection  TEXT PRIMARY KEY,
  position    INTEGER NOT NULL,
  updated_at  TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS _failed_events (
  projection       TEXT NOT NULL,
  position         INTEGER NOT NULL,
  event_id         TEXT NOT NULL,
  type             TEXT NOT NULL,
  stream_id        TEXT NOT NULL,
  error            TEXT NOT NULL,
  first_failed_at  TEXT NOT NULL,
  last_failed_at   TEXT NOT NULL,
  attempts         INTEGER NOT NULL,
  PRIMARY KEY (projection, position)
) WITHOUT ROWID;
`;

interface FailedRow {
  projection: string;
  position: number;
  event_id: string;
  type: string;
  stream_id: string;
  error: string;
  first_failed_at: string;
  last_failed_at: string;
  attempts: number;
}

/**
 * Result codes that say the file cannot be used now, not that one write is wrong:
 * another writer holds it, the disk is full or failing, it cannot be opened or written.
 * (SQLITE_CONSTRAINT, SQLITE_TOOBIG, SQLITE_ERROR... are about the statement or data.)
 */
const UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|READONLY|NOMEM|PROTOCOL|INTERRUPT|NOLFS|CORRUPT|NOTADB)/;

export class SqliteReadStore implements ReadStore {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly tables = new Map<string, Table>();
  private readonly stmt;
  readonly checkpoints: ReadStore['checkpoints'];
  readonly failedEvents: ReadStore['failedEvents'];

  constructor(options: SqliteReadStoreOptions) {
    this.db = openSqliteFile(options.path, 'NORMAL');
    this.db.exec(SCHEMA);
    const db = this.db;
    this.stmt = {
      loadCheckpoint: db.prepare<[string], { position: number }>('SELECT position FROM _checkpoints WHERE projection = ?'),
      storeCheckpoint: db.prepare<[string, number]>(
        `INSERT INTO _checkpoints (projection, position, updated_at) VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
         ON CONFLICT (projection) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
      ),
      resetCheckpoint: db.prepare<[string]>('DELETE FROM _checkpoints WHERE projection = ?'),
      // SQLite table names ignore case; MongoDB collection names do not.
      tableNamed: db.prepare<[string], { name: string }>(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name = ? COLLATE NOCASE`),
      ping: db.prepare('SELECT count(*) FROM _checkpoints'),
      recordFailure: db.prepare<[string, number, string, string, string, string, string, string, number]>(
        `INSERT INTO _failed_events (projection, position, event_id, type, stream_id, error, first_failed_at, last_failed_at, attempts)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (projection, position) DO UPDATE SET event_id = excluded.event_id, type = excluded.type,
           stream_id = excluded.stream_id, error = excluded.error, last_failed_at = excluded.last_failed_at,
           attempts = attempts + excluded.attempts`,
      ),
      listFailures: db.prepare<[string, number, number], FailedRow>(
        'SELECT * FROM _failed_events WHERE projection = ? AND position > ? ORDER BY position LIMIT ?',
      ),
      countFailures: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM _failed_events WHERE projection = ?'),
      removeFailure: db.prepare<[string, number]>('DELETE FROM _failed_events WHERE projection = ? AND position = ?'),
      clearFailures: db.prepare<[string]>('DELETE FROM _failed_events WHERE projection = ?'),
    };
    this.checkpoints = {
      load: async (projection) => this.stmt.loadCheckpoint.get(validateProjectionName(projection))?.position,
      store: async (projection, position) => {
        validatePosition(position);
        this.stmt.storeCheckpoint.run(validateProjectionName(projection), position);
      },
      reset: async (projection) => {
        this.stmt.resetCheckpoint.run(validateProjectionName(projection));
      },
    };
    this.failedEvents = {
      record: async (attempt) => {
        const a = validateFailedAttempt(attempt);
        this.stmt.recordFailure.run(a.projection, a.position, a.eventId, a.type, a.streamId, a.error, a.failedAt, a.failedAt, a.attempts);
      },
      list: async (projection, options) => {
        const { afterPosition, limit } = validateFailureListOptions(options);
        return this.stmt.listFailures.all(validateProjectionName(projection), afterPosition, limit ?? -1).map(toFailedEvent);
      },
      count: async (projection) => this.stmt.countFailures.get(validateProjectionName(projection))?.n ?? 0,
      remove: async (projection, position) => {
        validatePosition(position);
        return this.stmt.removeFailure.run(validateProjectionName(projection), position).changes > 0;
      },
      clear: async (projection) => {
        this.stmt.clearFailures.run(validateProjectionName(projection));
      },
    };
  }

  isUnavailable(err: unknown): boolean {
    const code = (err as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && UNAVAILABLE.test(code)) return true;
    // A closed handle (the store is shutting down) cannot serve either.
    return err instanceof TypeError && /database connection is not open/.test(err.message);
  }

  collection<T extends object>(name: string): Collection<T> {
    validateCollectionName(name);
    // The table is looked up on every call, not captured, so a handle taken before
    // a drop (a rebuild) keeps working on the new, empty collection.
    const table = () => this.table(name);
    return {
      get: async (id) => {
        const row = table().get.get(id);
        return row?.doc == null ? undefined : toDoc<T>(row);
      },
      find: async (filter, options) => this.find<T>(table(), filter, options),
      count: async (filter) => this.count(table(), filter),
      apply: async (id, position, update) => {
        validateApply(id, position);
        return table().apply(id, position, update as (current: object | undefined) => object | null);
      },
      ensureIndex: async (fields) => {
        const t = table();
        if (!Array.isArray(fields) || fields.length === 0) throw new InvalidQueryError('fields', 'ensureIndex needs at least one field');
        const columns = fields.map((f) => sqlValue(parseFieldPath(f)));
        const digest = createHash('sha256').update(fields.join('\n')).digest('hex').slice(0, 12);
        this.db.exec(`CREATE INDEX IF NOT EXISTS "${t.sqlName}:${digest}" ON "${t.sqlName}" (${columns.join(', ')})`);
      },
    };
  }

  private table(name: string): Table {
    const known = this.tables.get(name);
    if (known) return known;
    const sqlName = `rm_${name}`;
    this.checkCase(name, sqlName);
    this.db.exec(`CREATE TABLE IF NOT EXISTS "${sqlName}" (_id TEXT PRIMARY KEY, _position INTEGER NOT NULL, doc TEXT)`);
    const get = this.db.prepare<[string], Row>(`SELECT _id, _position, doc FROM "${sqlName}" WHERE _id = ?`);
    const upsert = this.db.prepare<[string, number, string | null]>(
      `INSERT INTO "${sqlName}" (_id, _position, doc) VALUES (?, ?, ?)
       ON CONFLICT (_id) DO UPDATE SET _position = excluded._position, doc = excluded.doc`,
    );
    // better-sqlite3 is synchronous: the read, the update callback and the write run
    // in one transaction with nothing interleaved, so the guard cannot be raced.
    const apply = this.db.transaction((id: string, position: number, update: (current: object | undefined) => object | null): boolean => {
      const row = get.get(id);
      if (row && row._position >= position) return false;
      const current = row?.doc == null ? undefined : (JSON.parse(row.doc) as object);
      const next = update(current);
      upsert.run(id, position, next === null ? null : JSON.stringify(toStoredDocument(name, id, next)));
      return true;
    });
    const table: Table = { name, sqlName, get, apply: (id, position, update) => apply.immediate(id, position, update), queries: new Map() };
    this.tables.set(name, table);
    return table;
  }

  private checkCase(name: string, sqlName: string): void {
    const existing = this.stmt.tableNamed.get(sqlName);
    if (existing && existing.name !== sqlName) {
      throw new InvalidCollectionNameError(
        name,
        `the embedded store already has ${JSON.stringify(existing.name.slice(3))}, which differs only in case`,
      );
    }
  }

  private query<R>(table: Table, sql: string): Database.Statement<unknown[], R> {
    let stmt = table.queries.get(sql);
    if (!stmt) {
      if (table.queries.size >= MAX_CACHED_QUERIES) table.queries.clear();
      stmt = this.db.prepare(sql);
      table.queries.set(sql, stmt);
    }
    return stmt as Database.Statement<unknown[], R>;
  }

  private async find<T extends object>(table: Table, filter?: Filter, options?: FindOptions): Promise<Array<T & StoredDoc>> {
    const where = whereClause(parseFilter(filter));
    const { sort, limit, skip } = parseFindOptions(options);
    if (limit === 0) return [];
    const orderBy = sort.map((k) => `${sqlValue(k.path)} ${k.direction === 1 ? 'ASC' : 'DESC'}`).join(', ');
    const sql = `SELECT _id, _position, doc FROM "${table.sqlName}" WHERE ${where.sql} ORDER BY ${orderBy} LIMIT ? OFFSET ?`;
    return this.query<Row>(table, sql)
      .all(...where.params, limit ?? -1, skip)
      .map((row) => toDoc<T>(row));
  }

  private async count(table: Table, filter?: Filter): Promise<number> {
    const where = whereClause(parseFilter(filter));
    return this.query<{ n: number }>(table, `SELECT count(*) AS n FROM "${table.sqlName}" WHERE ${where.sql}`).get(...where.params)?.n ?? 0;
  }

  async drop(collections: string[]): Promise<void> {
    for (const name of collections) validateCollectionName(name);
    this.db.transaction(() => {
      for (const name of collections) {
        const sqlName = `rm_${name}`;
        this.tables.delete(name);
        // A table differing only in case is another collection: not this one to drop.
        if (this.stmt.tableNamed.get(sqlName)?.name === sqlName) this.db.exec(`DROP TABLE "${sqlName}"`);
      }
    })();
  }

  async ping(): Promise<void> {
    this.stmt.ping.get();
  }

  async close(): Promise<void> {
    this.tables.clear();
    if (this.db.open) this.db.close();
  }
}

function toFailedEvent(row: FailedRow): FailedEvent {
  return {
    projection: row.projection,
    position: row.position,
    eventId: row.event_id,
    type: row.type,
    streamId: row.stream_id,
    error: row.error,
    firstFailedAt: row.first_failed_at,
    lastFailedAt: row.last_failed_at,
    attempts: row.attempts,
  };
}

function toDoc<T>(row: Row): T & StoredDoc {
  return { _id: row._id, ...(JSON.parse(row.doc as string) as T), _position: row._position };
}

/** The SQL for a field's value; document paths are checked identifiers, so writing them into SQL is safe. */
function sqlValue(path: FieldPath): string {
  if (path.kind === 'id') return '_id';
  if (path.kind === 'position') return '_position';
  return `json_extract(doc, '$.${path.segments.join('.')}')`;
}

/** The SQL for a field's JSON type ('text', 'integer', 'real', 'true', 'false', 'null', 'object', 'array', or NULL when absent). */
function sqlType(path: FieldPath): string {
  if (path.kind === 'id') return `'text'`;
  if (path.kind === 'position') return `'integer'`;
  return `json_type(doc, '$.${path.segments.join('.')}')`;
}

const TYPE_OF = (value: string | number) => (typeof value === 'string' ? `= 'text'` : `IN ('integer', 'real')`);

/**
 * MongoDB compares only values of the same type (`{n: 1}` does not match `"1"` or
 * `true`; `{$gt: 5}` matches no string). json_extract turns true into 1 and returns
 * objects as JSON text, so each comparison also checks the JSON type. The value
 * comparison stays a term of its own so an expression index on it is used.
 */
function whereClause(conditions: Condition[]): { sql: string; params: Array<string | number> } {
  const terms = ['doc IS NOT NULL'];
  const params: Array<string | number> = [];
  for (const c of conditions) {
    const value = sqlValue(c.path);
    const type = sqlType(c.path);
    switch (c.op) {
      case 'eq':
        if (c.value === null) terms.push(`${value} IS NULL`);
        else if (typeof c.value === 'boolean') terms.push(`${type} = '${c.value}'`);
        else {
          terms.push(`${type} ${TYPE_OF(c.value)}`, `${value} = ?`);
          params.push(c.value);
        }
        break;
      case 'in':
        if (c.values.length === 0) terms.push('0');
        else {
          terms.push(`${type} IN ('integer', 'real', 'text')`, `${value} IN (${c.values.map(() => '?').join(', ')})`);
          params.push(...c.values);
        }
        break;
      case '$lt':
      case '$lte':
      case '$gt':
      case '$gte': {
        const op = { $lt: '<', $lte: '<=', $gt: '>', $gte: '>=' }[c.op];
        terms.push(`${type} ${TYPE_OF(c.value)}`, `${value} ${op} ?`);
        params.push(c.value);
        break;
      }
      default: {
        const never: never = c;
        throw new Error(`unhandled condition ${JSON.stringify(never)}`);
      }
    }
  }
  return { sql: terms.join(' AND '), params };
}
