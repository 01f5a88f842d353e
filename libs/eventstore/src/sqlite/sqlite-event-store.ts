// The embedded default: one SQLite file in WAL mode with synchronous=FULL, so an
// acknowledged append is on disk. better-sqlite3 is synchronous and SQLite has one
// writer at a time (BEGIN IMMEDIATE), so positions become visible in commit order
// and the catch-up subscription never skips one.
import type Database from 'better-sqlite3';
import { WrongExpectedRevisionError } from '../errors.js';
import { eventHash, GENESIS_HASH, verifyChain } from '../hash-chain.js';
import { idempotentResult, type StoredId } from '../idempotency.js';
import { isEventId, prepareAppend, validateStreamId } from '../prepare.js';
import { type EventRow, readPositionPages, readStreamPages, revisionMismatch, rowToEvent } from '../row.js';
import { AppendSignal, pollingSubscription, SubscriptionRegistry } from '../subscription.js';
import type {
  AppendOptions,
  AppendResult,
  CheckpointStore,
  EventStore,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
  VerifyResult,
} from '../types.js';
import { openSqliteFile } from './open-file.js';
import { SQLITE_SCHEMA } from './schema.js';

export interface SqliteEventStoreOptions {
  /** File path, or ':memory:' for tests that need no file. */
  path: string;
  /** How often a live subscription looks for appends made by other processes (ms). */
  pollIntervalMs?: number;
  /** The store's clock for `recordedAt`; injected so tests can pin time. */
  now?: () => Date;
}

export class SqliteEventStore implements EventStore {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly appended = new AppendSignal();
  private readonly now: () => Date;
  private readonly pollIntervalMs: number;
  private readonly subscriptions = new SubscriptionRegistry();
  private readonly stmt;
  readonly checkpoints: CheckpointStore;

  constructor(options: SqliteEventStoreOptions) {
    this.db = openSqliteFile(options.path, 'FULL');
    this.db.exec(SQLITE_SCHEMA);
    this.now = options.now ?? (() => new Date());
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    const db = this.db;
    this.stmt = {
      head: db.prepare<[string], { revision: number; last_hash: string }>('SELECT revision, last_hash FROM streams WHERE stream_id = ?'),
      insert: db.prepare(
        `INSERT INTO events (id, stream_id, revision, type, unit_id, occurred_at, recorded_at, data, metadata, prev_hash, hash)
         VALUES (@id, @streamId, @revision, @type, @unitId, @occurredAt, @recordedAt, @data, @metadata, @prevHash, @hash)`,
      ),
      upsertHead: db.prepare(
        `INSERT INTO streams (stream_id, revision, last_hash) VALUES (?, ?, ?)
         ON CONFLICT (stream_id) DO UPDATE SET revision = excluded.revision, last_hash = excluded.last_hash`,
      ),
      forwards: db.prepare<[string, number, number], EventRow>(
        'SELECT * FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision ASC LIMIT ?',
      ),
      backwards: db.prepare<[string, number, number], EventRow>(
        'SELECT * FROM events WHERE stream_id = ? AND revision <= ? ORDER BY revision DESC LIMIT ?',
      ),
      all: db.prepare<[number, number], EventRow>('SELECT * FROM events WHERE position >= ? ORDER BY position ASC LIMIT ?'),
      unit: db.prepare<[string, number, number], EventRow>(
        'SELECT * FROM events WHERE unit_id = ? AND position >= ? ORDER BY position ASC LIMIT ?',
      ),
      loadCheckpoint: db.prepare<[string], { position: number }>('SELECT position FROM checkpoints WHERE name = ?'),
      storeCheckpoint: db.prepare(
        `INSERT INTO checkpoints (name, position, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
      ),
      // One statement for any batch size: the ids travel as one JSON array.
      storedIds: db.prepare<[string], { id: string; stream_id: string; revision: number; position: number }>(
        'SELECT id, stream_id, revision, position FROM events WHERE id IN (SELECT value FROM json_each(?))',
      ),
      byId: db.prepare<[string], EventRow>('SELECT * FROM events WHERE id = ?'),
      // Also the ping: it touches the events table, so a missing or unreadable file fails the check.
      lastPosition: db.prepare<[], { position: number }>('SELECT position FROM events ORDER BY position DESC LIMIT 1'),
    };
    this.checkpoints = {
      load: async (name) => this.stmt.loadCheckpoint.get(name)?.position,
      store: async (name, position) => {
        this.stmt.storeCheckpoint.run(name, position, this.now().toISOString());
      },
    };
  }

  async append(streamId: string, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult> {
    const { expectedRevision, events: batch } = prepareAppend(streamId, events, options);
    const write = this.db.transaction((): AppendResult => {
      const stored = this.storedIds(batch.map((e) => e.id));
      const replay = idempotentResult(streamId, batch, stored);
      if (replay) return replay;
      const head = this.stmt.head.get(streamId);
      if (revisionMismatch(expectedRevision, head?.revision)) {
        throw new WrongExpectedRevisionError(streamId, String(expectedRevision), head?.revision ?? 'no_stream');
      }
      let revision = head ? head.revision : -1;
      let prevHash = head ? head.last_hash : GENESIS_HASH;
      let position = 0;
      const recordedAt = this.now().toISOString();
      for (const event of batch) {
        revision += 1;
        const hash = eventHash(prevHash, { ...event, streamId, revision, recordedAt });
        const info = this.stmt.insert.run({
          id: event.id,
          streamId,
          revision,
          type: event.type,
          unitId: event.unitId,
          occurredAt: event.occurredAt,
          recordedAt,
          data: event.canonical.data,
          metadata: event.canonical.metadata,
          prevHash,
          hash,
        });
        position = Number(info.lastInsertRowid);
        prevHash = hash;
      }
      this.stmt.upsertHead.run(streamId, revision, prevHash);
      return { nextExpectedRevision: revision, position, written: true };
    });
    const result = write.immediate();
    if (result.written) this.appended.notify();
    return result;
  }

  private storedIds(ids: string[]): StoredId[] {
    return this.stmt.storedIds
      .all(JSON.stringify(ids))
      .map((r) => ({ id: r.id, streamId: r.stream_id, revision: r.revision, position: r.position }));
  }

  async *readStream(streamId: string, options: ReadStreamOptions = {}): AsyncIterable<RecordedEvent> {
    validateStreamId(streamId);
    yield* readStreamPages(
      options,
      (from, limit) => this.stmt.forwards.all(streamId, from, limit),
      (from, limit) => this.stmt.backwards.all(streamId, from, limit),
    );
  }

  readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    return readPositionPages(options, (from, limit) => this.stmt.all.all(from, limit));
  }

  readUnit(unitId: string, options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    return readPositionPages(options, (from, limit) => this.stmt.unit.all(unitId, from, limit));
  }

  async streamRevision(streamId: string): Promise<number | undefined> {
    validateStreamId(streamId);
    return this.stmt.head.get(streamId)?.revision;
  }

  async readEventById(id: string): Promise<RecordedEvent | undefined> {
    if (!isEventId(id)) return undefined;
    const row = this.stmt.byId.get(id.toLowerCase());
    return row ? rowToEvent(row) : undefined;
  }

  async headPosition(): Promise<number> {
    return this.stmt.lastPosition.get()?.position ?? 0;
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    const subscription = pollingSubscription(
      {
        readPage: async (after, limit) => this.stmt.all.all(after + 1, limit).map(rowToEvent),
        waitForAppend: (ms, signal) => this.appended.wait(ms, signal),
        checkpoints: this.checkpoints,
      },
      options,
      this.pollIntervalMs,
    );
    return this.subscriptions.track(subscription);
  }

  verify(streamId: string): Promise<VerifyResult> {
    return verifyChain(streamId, this.readStream(streamId));
  }

  async ping(): Promise<void> {
    this.stmt.lastPosition.get();
  }

  async close(): Promise<void> {
    await this.subscriptions.stopAll();
    if (this.db.open) this.db.close();
  }
}
