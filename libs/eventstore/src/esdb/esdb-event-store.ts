// The production adapter (DESIGN §3): EventStoreDB / KurrentDB through
// @eventstore/db-client 6.x. Same behaviour as the SQLite reference adapter, with
// these EventStoreDB-specific choices:
// - The hash chain needs the previous event's hash, so an append reads the stream's
//   tail, chains to its head and appends with expectedRevision = that exact head.
//   A writer that slipped in between makes ESDB refuse the append; the caller's own
//   'any' / 'stream_exists' is then retried on the new head, an exact expectation is not.
// - Idempotency: a retried batch is found in the stream's recent tail (the last
//   batch-size + TAIL_SLACK events). ESDB has no index by event id, so an id already
//   stored in *another* stream is caught only when this process appended it (a
//   bounded in-memory map); a full check would need a claim stream per id (an extra
//   write per event) or a projection (which lags). Documented limitation.
// - `position` is the event's commit position in the transaction log (see mapping.ts).
// - The unit index is a server-side projection (unit-index.ts); readUnit adds the
//   log tail the projection has not checkpointed yet, so it reads its own writes.
import {
  BACKWARDS,
  END,
  ErrorType,
  EventStoreDBClient,
  excludeSystemEvents,
  FORWARDS,
  jsonEvent,
  MaxAppendSizeExceededError,
  START,
  type StreamingRead,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { EventStoreError, InvalidAppendError, WrongExpectedRevisionError } from '../errors.js';
import { verifyChain } from '../hash-chain.js';
import { idempotentResult, type StoredId } from '../idempotency.js';
import { isEventId, type PreparedEvent, prepareAppend, validateStreamId } from '../prepare.js';
import { revisionMismatch } from '../row.js';
import { SubscriptionRegistry } from '../subscription.js';
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
import { esdbSubscription } from './esdb-subscription.js';
import {
  actualRevision,
  chainBatch,
  checkpointStream,
  esdbConnectionString,
  expectedHead,
  isInternal,
  isInvalidPosition,
  retriesOnConflict,
  toEsdbPosition,
  toRecordedEvent,
  unitStream,
} from './mapping.js';
import { ensureUnitIndex, unitIndexedUpTo } from './unit-index.js';

export interface EventStoreDbEventStoreOptions {
  /** esdb://, esdb+discover://, or the same with KurrentDB's kurrentdb:// scheme. */
  connectionString: string;
  /** The store's clock for `recordedAt`; injected so tests can pin time. */
  now?: () => Date;
  /** Accepted for symmetry with the SQL adapters; unused: ESDB pushes live events to subscriptions. */
  pollIntervalMs?: number;
}

/** How many events past the batch size an append looks back for an earlier copy of the batch. */
const TAIL_SLACK = 16;
/** Attempts of an 'any' / 'stream_exists' append that keeps losing races to other processes. */
const MAX_ATTEMPTS = 20;
/** Ids appended by this process, to refuse one sent again to another stream. */
const RECENT_IDS = 10_000;
/** readUnit refuses to scan more of the log than this past the unit index's checkpoint. */
const UNIT_TAIL_LIMIT = 20_000;

/** A $all position that is not the start of a record: ESDB cannot read from it. */
export class InvalidPositionError extends InvalidAppendError {
  override readonly code = 'INVALID_POSITION';
  constructor(position: number) {
    super('fromPosition', `${position} is not a position in the EventStoreDB log; pass the position of an event (or that plus one)`);
  }
}

/** The unit index is too far behind the log to answer readUnit with a bounded scan. */
export class UnitIndexBehindError extends EventStoreError {
  readonly code = 'UNIT_INDEX_BEHIND';
}

export class EventStoreDbEventStore implements EventStore {
  readonly kind = 'eventstoredb' as const;
  readonly checkpoints: CheckpointStore;
  private readonly now: () => Date;
  private readonly recentIds = new Map<string, string>();
  private readonly subscriptions = new SubscriptionRegistry();
  private readonly appending = new Map<string, Promise<void>>();

  /** Connects, and creates the unit index projection if it is missing. */
  static async connect(options: EventStoreDbEventStoreOptions): Promise<EventStoreDbEventStore> {
    const client = EventStoreDBClient.connectionString(esdbConnectionString(options.connectionString));
    try {
      await ensureUnitIndex(client);
    } catch (err) {
      await client.dispose();
      throw err;
    }
    return new EventStoreDbEventStore(client, options);
  }

  /** Over a client the caller made (connect() is the usual way in). */
  constructor(
    private readonly client: EventStoreDBClient,
    options: { now?: (() => Date) | undefined } = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.checkpoints = checkpointStore(client);
  }

  async append(streamId: string, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult> {
    const { expectedRevision, events: batch } = prepareAppend(streamId, events, options);
    // The unit index projection faults if anyone else writes to the streams it emits to.
    if (isInternal(streamId, ''))
      throw new InvalidAppendError(
        'streamId',
        `${streamId}: wenming-unit-… and wenming-checkpoint-… streams belong to the EventStoreDB adapter`,
      );
    return this.oneAtATime(streamId, () => this.appendPrepared(streamId, batch, expectedRevision));
  }

  /**
   * Appends to one stream from this process run one after another: concurrent
   * writers here would otherwise all read the same head and all but one lose the
   * race, round trip after round trip. Other processes are handled by the retry.
   */
  private async oneAtATime<T>(streamId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.appending.get(streamId) ?? Promise.resolve();
    const run = previous.then(work);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.appending.set(streamId, settled);
    try {
      return await run;
    } finally {
      if (this.appending.get(streamId) === settled) this.appending.delete(streamId);
    }
  }

  private async appendPrepared(streamId: string, batch: PreparedEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    for (let attempt = 1; ; attempt++) {
      const tail = await this.tail(streamId, batch.length + TAIL_SLACK);
      const replay = idempotentResult(streamId, batch, this.storedIds(streamId, batch, tail));
      if (replay) return replay;
      const head = tail[0];
      if (revisionMismatch(expectedRevision, head?.revision)) {
        throw new WrongExpectedRevisionError(streamId, String(expectedRevision), head?.revision ?? 'no_stream');
      }
      const { data, lastRevision } = chainBatch(streamId, batch, head, this.now().toISOString());
      try {
        await this.client.appendToStream(streamId, data, { expectedRevision: expectedHead(head?.revision) });
      } catch (err) {
        if (err instanceof WrongExpectedVersionError) {
          if (retriesOnConflict(expectedRevision) && attempt < MAX_ATTEMPTS) {
            // Jittered, growing pause so writers in other processes stop colliding.
            await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
            continue;
          }
          throw new WrongExpectedRevisionError(streamId, String(expectedRevision), actualRevision(err.actualVersion));
        }
        if (err instanceof MaxAppendSizeExceededError) {
          throw new InvalidAppendError('events', `the batch is over EventStoreDB's MaxAppendSize (${err.maxAppendSize} bytes); split it`);
        }
        throw err;
      }
      this.remember(streamId, batch);
      return { nextExpectedRevision: lastRevision, position: await this.positionOf(streamId, lastRevision), written: true };
    }
  }

  /** The stream's last `count` events, newest first. */
  private async tail(streamId: string, count: number): Promise<RecordedEvent[]> {
    const out: RecordedEvent[] = [];
    for await (const e of this.readStream(streamId, { direction: 'backwards', maxCount: count })) out.push(e);
    return out;
  }

  private storedIds(streamId: string, batch: readonly PreparedEvent[], tail: readonly RecordedEvent[]): StoredId[] {
    const ids = new Set(batch.map((e) => e.id));
    const stored: StoredId[] = tail
      .filter((e) => ids.has(e.id))
      .map((e) => ({ id: e.id, streamId, revision: e.revision, position: e.position }));
    for (const e of batch) {
      const elsewhere = this.recentIds.get(e.id);
      // Only the stream matters here: idempotentResult refuses any id stored elsewhere.
      if (elsewhere !== undefined && elsewhere !== streamId) stored.push({ id: e.id, streamId: elsewhere, revision: -1, position: -1 });
    }
    return stored;
  }

  private remember(streamId: string, batch: readonly PreparedEvent[]): void {
    for (const e of batch) {
      this.recentIds.delete(e.id);
      this.recentIds.set(e.id, streamId);
    }
    for (const id of this.recentIds.keys()) {
      if (this.recentIds.size <= RECENT_IDS) break;
      this.recentIds.delete(id);
    }
  }

  /**
   * The appended event's position, read back by revision: it is exact whoever
   * appends next. (The append response's position could save this round trip once
   * it is confirmed on a server to be the batch's last event.)
   */
  private async positionOf(streamId: string, revision: number): Promise<number> {
    for await (const e of this.readStream(streamId, { fromRevision: revision, maxCount: 1 })) return e.position;
    throw new Error(`EventStoreDB acknowledged ${streamId}@${revision} but does not return it`);
  }

  async *readStream(streamId: string, options: ReadStreamOptions = {}): AsyncIterable<RecordedEvent> {
    validateStreamId(streamId);
    if (options.maxCount !== undefined && options.maxCount <= 0) return;
    const backwards = options.direction === 'backwards';
    const read = this.client.readStream(streamId, {
      direction: backwards ? BACKWARDS : FORWARDS,
      fromRevision: options.fromRevision !== undefined ? BigInt(options.fromRevision) : backwards ? END : START,
      ...(options.maxCount !== undefined ? { maxCount: options.maxCount } : {}),
    });
    for await (const resolved of drain(read)) {
      const event = toRecordedEvent(resolved.event);
      // An audit stream holding an event Wenming did not write is a finding, not something to skip.
      if (!event) throw new Error(`${streamId}@${resolved.event?.revision}: event ${resolved.event?.id} was not written by Wenming`);
      yield event;
    }
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
    if (remaining <= 0) return;
    for await (const event of this.allFrom(options.fromPosition ?? 0)) {
      yield event;
      if (--remaining <= 0) return;
    }
  }

  /**
   * Wenming events with position >= from. ESDB reads $all only from the start of a
   * record, so a position one past an event (`p + 1`, natural for "after p") is
   * retried from p and p itself skipped; any other non-record position is refused.
   */
  private async *allFrom(from: number): AsyncGenerator<RecordedEvent> {
    const starts = from <= 0 ? [undefined] : [from, from - 1];
    for (const [i, start] of starts.entries()) {
      let received = false;
      try {
        for await (const resolved of drain(this.client.readAll({ fromPosition: start === undefined ? START : toEsdbPosition(start) }))) {
          received = true;
          const event = toRecordedEvent(resolved.event);
          if (event && event.position >= from) yield event;
        }
        return;
      } catch (err) {
        if (received || !isInvalidPosition(err)) throw err;
        if (i === starts.length - 1) throw new InvalidPositionError(from);
      }
    }
  }

  /**
   * From the unit index up to its projection's last checkpoint (every link before
   * it is written), then from the log past that checkpoint, filtered by unit: the
   * projection's lag costs a bounded scan, never a missing event. Events are unique
   * and in position order (links are written in log order; duplicates a restarted
   * projection might emit are dropped by the increasing-position check).
   */
  async *readUnit(unitId: string, options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    const from = options.fromPosition ?? 0;
    let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
    if (remaining <= 0) return;
    const indexedUpTo = await unitIndexedUpTo(this.client);
    let last = -1;
    if (indexedUpTo >= from) {
      // A unit with no events yet has no stream: drain() reads it as empty.
      for await (const resolved of drain(this.client.readStream(unitStream(unitId), { resolveLinkTos: true }))) {
        const event = toRecordedEvent(resolved.event);
        if (!event || event.metadata.unitId !== unitId || event.position <= last || event.position < from) continue;
        if (event.position > indexedUpTo) break;
        yield event;
        last = event.position;
        if (--remaining <= 0) return;
      }
    }
    let scanned = 0;
    for await (const event of this.allFrom(Math.max(from, indexedUpTo))) {
      if (event.position <= indexedUpTo || event.position <= last) continue;
      if (++scanned > UNIT_TAIL_LIMIT) {
        throw new UnitIndexBehindError(
          `the unit index is more than ${UNIT_TAIL_LIMIT} events behind the log (is the wenming-unit-index projection running?); try again later`,
        );
      }
      if (event.metadata.unitId !== unitId) continue;
      yield event;
      last = event.position;
      if (--remaining <= 0) return;
    }
  }

  async streamRevision(streamId: string): Promise<number | undefined> {
    for await (const e of this.readStream(streamId, { direction: 'backwards', maxCount: 1 })) return e.revision;
    return undefined;
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    const subscription = esdbSubscription(
      {
        checkpoints: this.checkpoints,
        headPosition: () => this.lastRecordPosition(),
        open: (position, onCheckpoint) =>
          this.client.subscribeToAll({
            fromPosition: position > 0 ? toEsdbPosition(position) : START,
            filter: excludeSystemEvents({ checkpointReached: (_sub, p) => onCheckpoint(Number(p.commit)) }),
          }),
        toEvent: (resolved) => toRecordedEvent(resolved.event),
      },
      options,
    );
    return this.subscriptions.track(subscription);
  }

  /**
   * EventStoreDB keeps no index by event id. An id this process appended recently
   * (the idempotency cache) is read from its stream; any other is looked for in $all,
   * newest first: a scan, bounded by the log's size, on this adapter only.
   */
  async readEventById(id: string): Promise<RecordedEvent | undefined> {
    if (!isEventId(id)) return undefined;
    const wanted = id.toLowerCase();
    const streamId = this.recentIds.get(wanted);
    if (streamId !== undefined) {
      for await (const e of this.readStream(streamId, { direction: 'backwards' })) if (e.id === wanted) return e;
    }
    for await (const resolved of drain(this.client.readAll({ direction: BACKWARDS, fromPosition: END }))) {
      const event = toRecordedEvent(resolved.event);
      if (event?.id === wanted) return event;
    }
    return undefined;
  }

  async headPosition(): Promise<number> {
    // Backwards from the end, past the system's, the index's and the checkpoints' records.
    for await (const resolved of drain(this.client.readAll({ direction: BACKWARDS, fromPosition: END }))) {
      const event = toRecordedEvent(resolved.event);
      if (event) return event.position;
    }
    return 0;
  }

  /** The position of the last record in $all, whoever wrote it (0 when empty). */
  private async lastRecordPosition(): Promise<number> {
    for await (const resolved of drain(this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 }))) {
      return Number(resolved.event?.position?.commit ?? resolved.commitPosition ?? 0n);
    }
    return 0;
  }

  verify(streamId: string): Promise<VerifyResult> {
    return verifyChain(streamId, this.readStream(streamId));
  }

  /** A read of a stream that never exists: a round trip that needs no $all rights. */
  async ping(): Promise<void> {
    for await (const _ of drain(this.client.readStream('wenming-ping-never-written', { maxCount: 1 }))) return;
  }

  async close(): Promise<void> {
    await this.subscriptions.stopAll();
    await this.client.dispose();
  }
}

/**
 * Iterates a client read to its end; a missing stream reads as empty. Leaving the
 * loop early cancels the gRPC call, which would otherwise run on unread.
 */
async function* drain<T>(read: StreamingRead<T>): AsyncGenerator<T> {
  let finished = false;
  try {
    for await (const item of read) yield item;
    finished = true;
  } catch (err) {
    if (err instanceof StreamNotFoundError || (err as { type?: string })?.type === ErrorType.STREAM_NOT_FOUND) {
      finished = true;
      return;
    }
    throw err;
  } finally {
    if (!finished) await read.cancel().catch(() => undefined);
  }
}

/**
 * Checkpoints live in `wenming-checkpoint-<name>`, one event per store. `$maxCount: 1`
 * lets the server scavenge the old ones: this is the only stream where Wenming sets
 * a retention rule; audit streams never get one (INFRA-NOTES).
 */
function checkpointStore(client: EventStoreDBClient): CheckpointStore {
  const capped = new Set<string>();
  return {
    async load(name) {
      const read = client.readStream(checkpointStream(name), { direction: BACKWARDS, fromRevision: END, maxCount: 1 });
      for await (const resolved of drain(read)) {
        const position = (resolved.event?.data as { position?: unknown } | undefined)?.position;
        if (typeof position === 'number') return position;
      }
      return undefined;
    },
    async store(name, position) {
      const stream = checkpointStream(name);
      if (!capped.has(stream)) {
        await client.setStreamMetadata(stream, { maxCount: 1 });
        capped.add(stream);
      }
      await client.appendToStream(stream, jsonEvent({ type: 'CheckpointStored', data: { position } }));
    },
  };
}
