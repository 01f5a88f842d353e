// The event store port. Every adapter (SQLite, PostgreSQL, EventStoreDB) implements
// exactly this, and the contract suite in ./contract checks each one the same way.

/** Who caused an event: every event records its actor (DESIGN §5). */
export interface Actor {
  id: string;
  role: string;
  /**
   * The service that acted on this actor's behalf (`service:lookback` regressing a
   * rectification for the office): who asked is `id`, which service did it is `via`.
   */
  via?: string;
}

/** Metadata a writer supplies. The store adds `schemaVersion` (default 1), `prevHash` and `hash`. */
export interface EventMetadata {
  /** The unit 单位 the event concerns; indexed so a unit's history is read without a scan. */
  unitId?: string;
  campaignId?: string;
  actor?: Actor;
  correlationId?: string;
  causationId?: string;
  /** W3C trace context, carried on to Kafka headers by the relay. */
  traceparent?: string;
  schemaVersion?: number;
}

export interface NewEvent<T = unknown> {
  /** uuid chosen by the writer: appending an id that is already stored is a no-op. */
  id: string;
  /** Past tense, PascalCase: `RectificationOrdered`. */
  type: string;
  data: T;
  /** Business time (ISO-8601), from the command; the store adds `recordedAt`. */
  occurredAt: string;
  metadata: EventMetadata;
}

export interface RecordedMetadata extends EventMetadata {
  schemaVersion: number;
  /** Hash of the previous event of the same stream (64 zeros for revision 0). */
  prevHash: string;
  /** sha256 over this event's canonical JSON and prevHash: see hash-chain.ts. */
  hash: string;
}

export interface RecordedEvent<T = unknown> {
  id: string;
  type: string;
  streamId: string;
  /** 0-based, per stream, without gaps. */
  revision: number;
  /** Global order across all streams; strictly increasing, not necessarily contiguous. */
  position: number;
  occurredAt: string;
  /** When the store recorded it: "as of T" reads compare against this. */
  recordedAt: string;
  data: T;
  metadata: RecordedMetadata;
}

/**
 * `any`: no check; `no_stream`: the stream must not exist; `stream_exists`: it must;
 * a number: the revision of the stream's last event must be exactly this.
 */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | number;

export interface AppendOptions {
  expectedRevision?: ExpectedRevision;
  /**
   * Events are about a unit unless the writer says otherwise: a missing
   * `metadata.unitId` is an error unless `unitless` is set (campaign-wide streams).
   */
  unitless?: boolean;
}

export interface AppendResult {
  /** Revision of the stream's last event after this append: pass it as the next expectedRevision. */
  nextExpectedRevision: number;
  /** Global position of the last event of this batch. */
  position: number;
  /** False when every event id was already stored: the append was an idempotent no-op. */
  written: boolean;
}

export interface ReadStreamOptions {
  direction?: 'forwards' | 'backwards';
  /** Inclusive; default: the start (forwards) or the end (backwards). */
  fromRevision?: number;
  maxCount?: number;
}

export interface ReadAllOptions {
  /** Inclusive; default: the beginning of the log. */
  fromPosition?: number;
  maxCount?: number;
}

export interface CheckpointStore {
  /** The last position a named subscriber has fully handled, or undefined. */
  load(name: string): Promise<number | undefined>;
  store(name: string, position: number): Promise<void>;
}

export interface SubscribeOptions {
  /** Durable checkpoint name: the subscription resumes after the stored position. */
  checkpoint?: string;
  /** Where to start when no checkpoint is stored: events after this position (default 0: everything). */
  afterPosition?: number;
  /** Called once per event, in global order; the next event waits for it. A throw stops the subscription. */
  handler: (event: RecordedEvent) => Promise<void> | void;
  /** Events read per page while catching up (default 500). */
  pageSize?: number;
}

export interface Subscription {
  /** Resolves the first time the subscription has handled everything stored and turns live. */
  readonly caughtUp: Promise<void>;
  /** Settles when the subscription ends: resolves after stop(), rejects with a handler's error. */
  readonly done: Promise<void>;
  /** Stops after the event being handled, storing the checkpoint. */
  stop(): Promise<void>;
}

export type ChainBreakReason = 'hash-mismatch' | 'prev-hash-mismatch' | 'revision-gap';

export type VerifyResult =
  | { ok: true; streamId: string; checked: number; lastHash: string }
  | {
      ok: false;
      streamId: string;
      checked: number;
      firstBroken: {
        revision: number;
        eventId: string;
        reason: ChainBreakReason;
        expected: string;
        actual: string;
      };
    };

export interface EventStore {
  /** Adapter name, for logs and /healthz. */
  readonly kind: 'sqlite' | 'postgresql' | 'eventstoredb';
  append(streamId: string, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult>;
  readStream(streamId: string, options?: ReadStreamOptions): AsyncIterable<RecordedEvent>;
  readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent>;
  /** Every event whose `metadata.unitId` is unitId, in global order, through an index. */
  readUnit(unitId: string, options?: ReadAllOptions): AsyncIterable<RecordedEvent>;
  /**
   * The event with this id (a uuid, any case), or undefined: through the id index the
   * store keeps for idempotent appends, not a read of the log.
   */
  readEventById(id: string): Promise<RecordedEvent | undefined>;
  /** Revision of the stream's last event, or undefined when the stream does not exist. */
  streamRevision(streamId: string): Promise<number | undefined>;
  /** Position of the last event in the global log, or 0 when the log is empty: one query, not a read of the log. */
  headPosition(): Promise<number>;
  subscribeToAll(options: SubscribeOptions): Subscription;
  readonly checkpoints: CheckpointStore;
  /** Recomputes the stream's hash chain and reports the first broken link. */
  verify(streamId: string): Promise<VerifyResult>;
  /** Round trip to the storage: throws when it cannot serve. Used by /healthz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
