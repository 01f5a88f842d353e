// Runs projections: one catch-up subscription to the event store's global log per
// projection, each from the checkpoint the READ store keeps for it. The checkpoint
// lives beside the documents it describes (not in the event store's checkpoint
// table), so dropping or losing the read store rebuilds it from zero instead of
// resuming past events it no longer has.
//
// The checkpoint is stored every `checkpointEvery` events, once a projection has been
// idle for `checkpointIdleMs`, when it catches up and when it stops; never before
// the events it covers were applied. It may lag behind the documents (a crash between
// an apply and the next checkpoint): the events after it are then applied again, and
// every document's position guard (`Collection.apply`) turns each repeat into a no-op.
// So the checkpoint only saves work on restart; correctness rests on the guard.
//
// A projection whose apply throws stops where it is, logs the error and makes the
// runner not ready; the other projections go on. `rebuild` is also the way back
// after a fix.
import type { EventStore, RecordedEvent, Subscription } from '@wenming/eventstore';
import { ProjectionFailedError, UnknownProjectionError } from './errors.js';
import type { Projection, ReadStore } from './types.js';

/** The part of a pino logger the runner uses. */
export interface ProjectionLogger {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface ProjectionRunnerOptions {
  eventStore: EventStore;
  readStore: ReadStore;
  projections: readonly Projection[];
  logger?: ProjectionLogger;
  /** Store a projection's checkpoint after this many events (default 100)... */
  checkpointEvery?: number;
  /** ...or once no event has come for this long (ms, default 250). */
  checkpointIdleMs?: number;
  /** Events read per page while catching up (default 500). */
  pageSize?: number;
}

export interface ProjectionStatus {
  name: string;
  state: 'starting' | 'catching-up' | 'live' | 'rebuilding' | 'failed' | 'stopped';
  /** Position of the last event handled (applied, or skipped as not handled). */
  position: number;
  /** Why it stopped, when `state` is 'failed'. */
  error?: string;
}

export interface ProjectionRunner {
  /**
   * Resolves once every projection has caught up with the log for the first time
   * (or the runner was stopped first); rejects with a ProjectionFailedError when one
   * fails before that.
   */
  readonly caughtUp: Promise<void>;
  /** True while every projection is live: caught up, not failed, not rebuilding. */
  ready(): boolean;
  status(): ProjectionStatus[];
  /** Stops every projection after the event it is applying and stores the checkpoints. */
  stop(): Promise<void>;
  /**
   * `rebuild(name)` or `rebuild('all')`: drops the projection's collections and its
   * checkpoint and replays the whole log into them; resolves when caught up again.
   * Also the way back for a failed projection once its bug is fixed.
   */
  rebuild(name: string): Promise<void>;
}

const silent: ProjectionLogger = { info: () => undefined, error: () => undefined };

export function startProjections(options: ProjectionRunnerOptions): ProjectionRunner {
  const names = new Set<string>();
  const owners = new Map<string, string>();
  for (const p of options.projections) {
    if (names.has(p.name)) throw new Error(`two projections are named ${p.name}`);
    names.add(p.name);
    for (const c of p.collections) {
      const owner = owners.get(c);
      // A rebuild drops a projection's collections: sharing one would wipe the other's documents.
      if (owner) throw new Error(`collection ${c} belongs to both ${owner} and ${p.name}`);
      owners.set(c, p.name);
    }
  }
  const lanes = options.projections.map((p) => new Lane(p, options));
  let stopped = false;
  const caughtUp = Promise.all(lanes.map((lane) => lane.start(false))).then(() => undefined);
  // Awaiting it is optional: the failure is also logged and shown by ready()/status().
  caughtUp.catch(() => undefined);

  return {
    caughtUp,
    ready: () => !stopped && lanes.every((lane) => lane.is('live')),
    status: () => lanes.map((lane) => lane.status()),
    async stop() {
      stopped = true;
      await Promise.all(lanes.map((lane) => lane.close()));
    },
    async rebuild(name) {
      if (stopped) throw new Error('the projection runner is stopped');
      const targets = name === 'all' ? lanes : lanes.filter((lane) => lane.projection.name === name);
      if (name !== 'all' && targets.length === 0) throw new UnknownProjectionError(name, [...names]);
      await Promise.all(targets.map((lane) => lane.rebuild()));
    },
  };
}

/** One projection's life: start from its checkpoint, follow the log, fail or stop, rebuild. */
class Lane {
  state: ProjectionStatus['state'] = 'starting';
  private position = 0;
  private stored: number | undefined;
  private pending = 0;
  private failedAt: number | undefined;
  private error: unknown;
  private subscription: Subscription | undefined;
  private timer: NodeJS.Timeout | undefined;
  private saving: Promise<void> = Promise.resolve();
  private rebuilding: Promise<void> = Promise.resolve();
  private closed = false;
  /** Bumped by every start and halt: a start that was overtaken (a rebuild, a stop) leaves the state alone. */
  private generation = 0;
  private readonly handles: ReadonlySet<string>;
  private readonly log: ProjectionLogger;
  private readonly every: number;
  private readonly idleMs: number;

  constructor(
    readonly projection: Projection,
    private readonly options: ProjectionRunnerOptions,
  ) {
    this.handles = new Set(projection.handles);
    this.log = options.logger ?? silent;
    this.every = options.checkpointEvery ?? 100;
    this.idleMs = options.checkpointIdleMs ?? 250;
  }

  is(state: ProjectionStatus['state']): boolean {
    return this.state === state;
  }

  status(): ProjectionStatus {
    const status: ProjectionStatus = { name: this.projection.name, state: this.state, position: this.position };
    if (this.state === 'failed') status.error = this.error instanceof Error ? this.error.message : String(this.error);
    return status;
  }

  /** Resolves when caught up (or stopped first); rejects when the projection fails before catching up. */
  async start(rebuilding: boolean): Promise<void> {
    const { projection, readStore, eventStore } = { projection: this.projection, ...this.options };
    const name = projection.name;
    const generation = ++this.generation;
    const overtaken = () => generation !== this.generation || this.closed;
    this.state = rebuilding ? 'rebuilding' : 'starting';
    this.error = undefined;
    this.failedAt = undefined;
    const started = Date.now();
    try {
      for (const [collection, indexes] of Object.entries(projection.indexes ?? {})) {
        for (const fields of indexes) await readStore.collection(collection).ensureIndex([...fields]);
      }
      const from = (await readStore.checkpoints.load(name)) ?? 0;
      this.position = from;
      this.stored = from;
      this.pending = 0;
      if (overtaken()) return;
      if (!rebuilding) this.state = 'catching-up';
      this.log.info({ projection: name, from }, rebuilding ? 'projection rebuilding from the start of the log' : 'projection starting');
      const subscription = eventStore.subscribeToAll({
        afterPosition: from,
        pageSize: this.options.pageSize,
        handler: (event) => this.handle(event),
      });
      this.subscription = subscription;
      // Registered before the caughtUp continuation below, so an ended subscription
      // is seen as ended there (caughtUp also resolves when the subscription ends).
      subscription.done.then(
        () => undefined,
        (err: unknown) => this.fail(err),
      );
      await subscription.caughtUp;
    } catch (err) {
      if (overtaken()) return;
      this.fail(err);
    }
    if (overtaken()) return;
    // (Read through is(): the handler changes the state while this function awaits.)
    if (this.is('failed')) throw new ProjectionFailedError(name, this.failedAt, this.error);
    this.state = 'live';
    this.log.info({ projection: name, position: this.position, ms: Date.now() - started }, 'projection caught up');
    await this.saveCheckpointOrLog();
  }

  private async handle(event: RecordedEvent): Promise<void> {
    try {
      if (this.handles.has(event.type)) await this.projection.apply(event, this.options.readStore);
      this.position = event.position;
      this.pending += 1;
      if (this.pending >= this.every) await this.saveCheckpoint();
      else this.armIdleTimer();
    } catch (err) {
      // Set before the subscription ends, so start() sees the failure (see there).
      this.state = 'failed';
      this.failedAt = event.position;
      this.error = err;
      throw err;
    }
  }

  private fail(err: unknown): void {
    if (this.closed && this.state === 'stopped') return;
    this.state = 'failed';
    this.error ??= err;
    this.clearTimer();
    this.log.error(
      { projection: this.projection.name, position: this.failedAt, eventsAppliedUpTo: this.position, err },
      'projection stopped: its apply failed; fix it and rebuild, or restart',
    );
    // Keep the progress made before the failing event.
    this.saveCheckpoint().catch(() => undefined);
  }

  private armIdleTimer(): void {
    this.clearTimer();
    this.timer = setTimeout(() => {
      this.saveCheckpointOrLog();
    }, this.idleMs);
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Writes are chained, so an older position never lands after a newer one. */
  private saveCheckpoint(): Promise<void> {
    this.clearTimer();
    this.pending = 0;
    this.saving = this.saving
      .catch(() => undefined)
      .then(async () => {
        const position = this.position;
        if (position === this.stored) return;
        await this.options.readStore.checkpoints.store(this.projection.name, position);
        this.stored = position;
      });
    return this.saving;
  }

  /** For saves whose failure costs only replay work on restart (the guards make that safe): logged, not thrown. */
  private saveCheckpointOrLog(): Promise<void> {
    return this.saveCheckpoint().catch((err: unknown) =>
      this.log.error({ projection: this.projection.name, err }, 'storing the projection checkpoint failed'),
    );
  }

  /** Stops the subscription after the event being applied and stores the checkpoint. */
  private async halt(): Promise<void> {
    this.generation += 1;
    if (this.state !== 'failed') this.state = 'stopped';
    this.clearTimer();
    await this.subscription?.stop();
    this.subscription = undefined;
    await this.saveCheckpointOrLog();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.halt();
    this.state = 'stopped';
  }

  rebuild(): Promise<void> {
    const run = async () => {
      if (this.closed) throw new Error('the projection runner is stopped');
      const { readStore } = this.options;
      const name = this.projection.name;
      await this.halt();
      this.state = 'rebuilding';
      // The checkpoint goes first: a crash between the two leaves documents with no
      // checkpoint, which a replay from zero repairs (the guards skip what is there).
      // The other order would leave empty collections behind a checkpoint that says
      // they are complete.
      await readStore.checkpoints.reset(name);
      await readStore.drop([...this.projection.collections]);
      this.log.info({ projection: name, collections: this.projection.collections }, 'projection dropped for a rebuild');
      await this.start(true);
      if (!this.is('live')) throw new Error(`projection ${name} was stopped before its rebuild caught up`);
    };
    // One rebuild of a projection at a time.
    const next = this.rebuilding.catch(() => undefined).then(run);
    this.rebuilding = next;
    return next;
  }
}
