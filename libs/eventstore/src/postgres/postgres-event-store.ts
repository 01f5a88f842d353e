// PostgreSQL adapter (`pg`): the same rows, checks and hash chain as the SQLite
// adapter, over a connection pool, for production and the PostgreSQL-compatible
// databases some cities run. synchronous_commit stays on (DESIGN §3 "Durability"):
// an acknowledged append is flushed to the WAL on disk.
import { createHash } from 'node:crypto';
import pg from 'pg';
import { InvalidAppendError, WrongExpectedRevisionError } from '../errors.js';
import { eventHash, GENESIS_HASH, verifyChain } from '../hash-chain.js';
import { idempotentResult } from '../idempotency.js';
import { isEventId, type PreparedEvent, prepareAppend, validateStreamId } from '../prepare.js';
import { type EventRow, readPositionPages, readStreamPages, revisionMismatch, rowToEvent } from '../row.js';
import { AppendSignal, pollingSubscription, SubscriptionRegistry } from '../subscription.js';
import type {
  AppendOptions,
  AppendResult,
  CheckpointStore,
  EventStore,
  ExpectedRevision,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
  VerifyResult,
} from '../types.js';
import { postgresSchema, postgresTables } from './schema.js';

export interface PostgresEventStoreOptions {
  /** postgresql://user@host:port/db; a `?schema=` parameter names the schema when `schema` is not given. */
  connectionString: string;
  /** PostgreSQL schema holding the tables (default `public`); created when missing. */
  schema?: string;
  /** The store's clock for `recordedAt`; injected so tests can pin time. */
  now?: () => Date;
  /** How long a live subscription waits before re-reading when no notification arrives (ms). */
  pollIntervalMs?: number;
  /** Connections in the pool (default 10). */
  poolSize?: number;
}

/** One channel for every store; the payload names the schema that was appended to. */
const CHANNEL = 'wenming_events';

/** A stable 64-bit advisory lock key per purpose and schema (advisory locks are per database). */
function lockKey(purpose: string, schema: string): string {
  return createHash('sha256').update(`wenming.eventstore.${purpose}:${schema}`).digest().readBigInt64BE(0).toString();
}

function schemaFrom(options: PostgresEventStoreOptions): string {
  let schema = options.schema;
  if (schema === undefined) {
    try {
      schema = new URL(options.connectionString).searchParams.get('schema') ?? undefined;
    } catch {
      // Not a URL (e.g. a key=value string): use the default.
    }
  }
  schema ??= 'public';
  // PostgreSQL silently truncates longer names, which could make two schemas one.
  if (schema.length === 0 || Buffer.byteLength(schema) > 63) {
    throw new InvalidAppendError('schema', `${JSON.stringify(schema)} is not a PostgreSQL schema name (1 to 63 bytes)`);
  }
  return schema;
}

export class PostgresEventStore implements EventStore {
  readonly kind = 'postgresql' as const;
  readonly checkpoints: CheckpointStore;
  private readonly appended = new AppendSignal();
  private readonly subscriptions = new SubscriptionRegistry();
  private readonly now: () => Date;
  private readonly pollIntervalMs: number;
  private readonly sql;
  private listener: Promise<pg.Client | undefined> | undefined;
  private listenerFailedAt = 0;
  private closed = false;

  /** Opens the pool, checks durability and creates the schema when missing. */
  static async connect(options: PostgresEventStoreOptions): Promise<PostgresEventStore> {
    const schema = schemaFrom(options);
    const pool = new pg.Pool({ connectionString: options.connectionString, max: options.poolSize ?? 10 });
    // An idle pooled connection that breaks (server restart) emits 'error'; the pool
    // drops it and the next query opens a new one. Unhandled, it would crash the process.
    pool.on('error', () => undefined);
    try {
      const { rows } = await pool.query<{ synchronous_commit: string }>('SHOW synchronous_commit');
      if (rows[0]?.synchronous_commit === 'off') {
        throw new Error(
          'PostgreSQL runs with synchronous_commit=off: an acknowledged append could be lost in a crash. Turn it on for this role/database.',
        );
      }
      await ensureSchema(pool, schema);
      return new PostgresEventStore(pool, schema, options.connectionString, options);
    } catch (err) {
      await pool.end();
      throw err;
    }
  }

  private constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string,
    private readonly connectionString: string,
    options: PostgresEventStoreOptions,
  ) {
    this.now = options.now ?? (() => new Date());
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    const t = postgresTables(schema);
    this.sql = {
      // All appends to this schema queue on one transaction-level advisory lock, taken
      // BEFORE the heads are read and positions drawn from the identity sequence. So
      // positions are assigned in lock order, and the lock is released only after the
      // commit is visible: an append that draws a higher position commits after every
      // lower one. Without it, transaction A could draw 10, B draw 11 and commit first;
      // a subscription reading "after 9" would see 11, move its checkpoint past 10,
      // and never deliver A's event. It also serializes racing writers of one stream.
      lock: `SELECT pg_advisory_xact_lock(${lockKey('append', schema)})`,
      // A NOTIFY inside the transaction is delivered when, and only if, it commits.
      notifyAndCommit: `NOTIFY ${CHANNEL}, ${pg.escapeLiteral(schema)}; COMMIT`,
      storedIds: (ids: string[]) =>
        `SELECT id, stream_id, revision, position FROM ${t.events} WHERE id = ANY(${pg.escapeLiteral(`{${ids.join(',')}}`)}::uuid[])`,
      headOf: (streamId: string) => `SELECT revision, last_hash FROM ${t.streams} WHERE stream_id = ${pg.escapeLiteral(streamId)}`,
      // Prepared once per connection (named), as it is the largest statement.
      insertName: `wenming-append-${lockKey('insert', schema)}`,
      head: `SELECT revision, last_hash FROM ${t.streams} WHERE stream_id = $1`,
      lastPosition: `SELECT max(position) AS position FROM ${t.events}`,
      byId: `SELECT * FROM ${t.events} WHERE id = $1::uuid`,
      // One round trip per batch. ROWS FROM zips the column arrays into rows (no limit on
      // bind parameters, unlike a multi-row VALUES) and ORDER BY n draws positions in
      // batch order. data and metadata travel as one JSON array each ("[d1,d2,…]", a
      // plain join of the prepared JSON), which json_array_elements splits back into the
      // exact element texts: cheaper than a text[] literal, which escapes every quote.
      insert: `WITH batch AS (
          SELECT * FROM ROWS FROM (
            unnest($3::uuid[]), unnest($4::bigint[]), unnest($5::text[]), unnest($6::text[]), unnest($7::text[]),
            json_array_elements($8::json), json_array_elements($9::json), unnest($10::text[]), unnest($11::text[])
          ) WITH ORDINALITY AS b(id, revision, type, unit_id, occurred_at, data, metadata, prev_hash, hash, n)
        ), inserted AS (
          INSERT INTO ${t.events} (id, stream_id, revision, type, unit_id, occurred_at, recorded_at, data, metadata, prev_hash, hash)
          SELECT id, $1::text, revision, type, unit_id, occurred_at, $2::text, data, metadata, prev_hash, hash FROM batch ORDER BY n
          RETURNING position
        ), head AS (
          INSERT INTO ${t.streams} (stream_id, revision, last_hash) VALUES ($1::text, $12::bigint, $13::text)
          ON CONFLICT (stream_id) DO UPDATE SET revision = excluded.revision, last_hash = excluded.last_hash
        )
        SELECT max(position) AS position FROM inserted`,
      forwards: `SELECT * FROM ${t.events} WHERE stream_id = $1 AND revision >= $2 ORDER BY revision ASC LIMIT $3`,
      backwards: `SELECT * FROM ${t.events} WHERE stream_id = $1 AND revision <= $2 ORDER BY revision DESC LIMIT $3`,
      all: `SELECT * FROM ${t.events} WHERE position >= $1 ORDER BY position ASC LIMIT $2`,
      unit: `SELECT * FROM ${t.events} WHERE unit_id = $1 AND position >= $2 ORDER BY position ASC LIMIT $3`,
      loadCheckpoint: `SELECT position FROM ${t.checkpoints} WHERE name = $1`,
      storeCheckpoint: `INSERT INTO ${t.checkpoints} (name, position, updated_at) VALUES ($1, $2, $3)
        ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
    };
    this.checkpoints = {
      load: async (name) => {
        const { rows } = await this.pool.query<{ position: string }>(this.sql.loadCheckpoint, [name]);
        return rows[0] ? Number(rows[0].position) : undefined;
      },
      store: async (name, position) => {
        await this.pool.query(this.sql.storeCheckpoint, [name, position, this.now().toISOString()]);
      },
    };
  }

  async append(streamId: string, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult> {
    const { expectedRevision, events: batch } = prepareAppend(streamId, events, options);
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      let result: AppendResult;
      try {
        result = await this.write(client, streamId, expectedRevision, batch);
        await client.query(result.written ? this.sql.notifyAndCommit : 'COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch((e: Error) => {
          broken = e; // the connection is unusable: the pool must not hand it out again
        });
        throw err;
      }
      if (result.written) this.appended.notify();
      return result;
    } finally {
      client.release(broken);
    }
  }

  /** Runs in the append transaction: three round trips (lock and read, insert, commit). */
  private async write(client: pg.PoolClient, streamId: string, expected: ExpectedRevision, batch: PreparedEvent[]): Promise<AppendResult> {
    // One simple-protocol round trip of four statements. The lock is a statement of its
    // own because under READ COMMITTED each statement takes its snapshot when it starts:
    // the reads after it see every append committed before we got the lock. The simple
    // protocol has no bind parameters, so ids and stream id are inlined as escaped
    // literals; prepareAppend has already checked them (uuids, a strict stream id pattern).
    const results = (await client.query(
      ['BEGIN', this.sql.lock, this.sql.storedIds(batch.map((e) => e.id)), this.sql.headOf(streamId)].join(';\n'),
    )) as unknown as pg.QueryResult[];
    const stored = (results[2]?.rows ?? []) as Array<{ id: string; stream_id: string; revision: string; position: string }>;
    const replay = idempotentResult(
      streamId,
      batch,
      stored.map((r) => ({ id: r.id, streamId: r.stream_id, revision: Number(r.revision), position: Number(r.position) })),
    );
    if (replay) return replay;
    const headRow = results[3]?.rows[0] as { revision: string; last_hash: string } | undefined;
    const head = headRow ? { revision: Number(headRow.revision), lastHash: headRow.last_hash } : undefined;
    if (revisionMismatch(expected, head?.revision)) {
      throw new WrongExpectedRevisionError(streamId, String(expected), head?.revision ?? 'no_stream');
    }
    let revision = head ? head.revision : -1;
    let prevHash = head ? head.lastHash : GENESIS_HASH;
    const recordedAt = this.now().toISOString();
    const cols = { revision: [] as number[], prevHash: [] as string[], hash: [] as string[] };
    for (const event of batch) {
      revision += 1;
      const hash = eventHash(prevHash, { ...event, streamId, revision, recordedAt });
      cols.revision.push(revision);
      cols.prevHash.push(prevHash);
      cols.hash.push(hash);
      prevHash = hash;
    }
    const { rows } = await client.query<{ position: string }>({
      name: this.sql.insertName,
      text: this.sql.insert,
      values: [
        streamId,
        recordedAt,
        batch.map((e) => e.id),
        cols.revision,
        batch.map((e) => e.type),
        batch.map((e) => e.unitId),
        batch.map((e) => e.occurredAt),
        `[${batch.map((e) => e.canonical.data).join(',')}]`,
        `[${batch.map((e) => e.canonical.metadata).join(',')}]`,
        cols.prevHash,
        cols.hash,
        revision,
        prevHash,
      ],
    });
    return { nextExpectedRevision: revision, position: Number(rows[0]?.position), written: true };
  }

  async *readStream(streamId: string, options: ReadStreamOptions = {}): AsyncIterable<RecordedEvent> {
    validateStreamId(streamId);
    yield* readStreamPages(
      options,
      (from, limit) => this.query(this.sql.forwards, [streamId, from, limit]),
      (from, limit) => this.query(this.sql.backwards, [streamId, from, limit]),
    );
  }

  readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    return readPositionPages(options, (from, limit) => this.query(this.sql.all, [from, limit]));
  }

  readUnit(unitId: string, options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    return readPositionPages(options, (from, limit) => this.query(this.sql.unit, [unitId, from, limit]));
  }

  private async query(text: string, values: unknown[]): Promise<EventRow[]> {
    return (await this.pool.query<EventRow>(text, values)).rows;
  }

  async streamRevision(streamId: string): Promise<number | undefined> {
    validateStreamId(streamId);
    const { rows } = await this.pool.query<{ revision: string }>(this.sql.head, [streamId]);
    return rows[0] ? Number(rows[0].revision) : undefined;
  }

  async readEventById(id: string): Promise<RecordedEvent | undefined> {
    if (!isEventId(id)) return undefined;
    const [row] = await this.query(this.sql.byId, [id.toLowerCase()]);
    return row ? rowToEvent(row) : undefined;
  }

  async headPosition(): Promise<number> {
    const { rows } = await this.pool.query<{ position: string | null }>(this.sql.lastPosition);
    return Number(rows[0]?.position ?? 0);
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    const subscription = pollingSubscription(
      {
        readPage: async (after, limit) => (await this.query(this.sql.all, [after + 1, limit])).map(rowToEvent),
        waitForAppend: (ms, signal) => {
          this.listen();
          return this.appended.wait(ms, signal);
        },
        checkpoints: this.checkpoints,
      },
      options,
      this.pollIntervalMs,
    );
    return this.subscriptions.track(subscription);
  }

  /**
   * Starts, once, a dedicated connection that LISTENs for appends made through other
   * store instances (other processes). It only speeds subscriptions up: when it is not
   * connected, or drops, they still see every append at the next poll.
   */
  private listen(): void {
    if (this.listener || this.closed || Date.now() - this.listenerFailedAt < 1000) return;
    const client = new pg.Client({ connectionString: this.connectionString });
    const fail = () => {
      this.listener = undefined;
      this.listenerFailedAt = Date.now();
      client.end().catch(() => undefined);
    };
    client.on('error', fail);
    client.on('notification', (message) => {
      if (message.payload === this.schema) this.appended.notify();
    });
    this.listener = client
      .connect()
      .then(() => client.query(`LISTEN ${CHANNEL}`))
      .then(() => {
        // Anything appended while we connected sent no notification to us: re-read now.
        this.appended.notify();
        return client;
      })
      .catch(() => {
        fail();
        return undefined;
      });
  }

  /** Drops this store's schema and every event in it: for tests and benchmarks, never `public`. */
  async dropSchema(): Promise<void> {
    if (this.schema === 'public') throw new Error('refusing to drop the public schema');
    await this.pool.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(this.schema)} CASCADE`);
  }

  verify(streamId: string): Promise<VerifyResult> {
    return verifyChain(streamId, this.readStream(streamId));
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.subscriptions.stopAll();
    const listener = await this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
    await this.pool.end();
  }
}

/**
 * Creates the schema and tables unless they all exist. Two stores starting at once
 * on one schema would race CREATE ... IF NOT EXISTS (it is not atomic: the loser
 * fails on a unique index of the catalog), so creation holds an advisory lock.
 * When the tables exist nothing is created, so a role without CREATE rights works.
 */
async function ensureSchema(pool: pg.Pool, schema: string): Promise<void> {
  const t = postgresTables(schema);
  const exists = `SELECT to_regclass($1) IS NOT NULL AND to_regclass($2) IS NOT NULL AND to_regclass($3) IS NOT NULL AS ok`;
  if ((await pool.query<{ ok: boolean }>(exists, [t.events, t.streams, t.checkpoints])).rows[0]?.ok) return;
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query(`BEGIN; SELECT pg_advisory_xact_lock(${lockKey('schema', schema)})`);
    try {
      await client.query(postgresSchema(schema));
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch((e: Error) => {
        broken = e;
      });
      throw err;
    }
  } finally {
    client.release(broken);
  }
}
