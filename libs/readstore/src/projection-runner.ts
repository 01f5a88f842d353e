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
// One event never stops a projection (DESIGN §5). When apply throws, the runner asks
// which of two things happened:
// - the read store cannot serve now (the adapter says so, or it does not answer a
//   ping): the event is fine. The projection waits ('waiting', so not ready) and tries
//   the same event again with a growing delay, for as long as it takes; recording the
//   event as failed would turn every event of an outage into a false poison event.
// - otherwise the event cannot be applied (text the store refuses, a bug in the
//   projection). After `attemptsPerEvent` immediate attempts (3: an error no adapter
//   classifies, such as a lost write race, gets another go; a deterministic one fails
//   the same way in microseconds) it is recorded in the read store beside the
//   checkpoint (ReadStore.failedEvents), logged, and passed; the projection stays live.
//
// What passing an event costs: later events on the same document are applied over a
// document that lacks it. Each document's position guard then makes a later `retry`
// of the old event a no-op on any document that has moved on (its _position is past
// the event's), and retry reports those as still failing ("moved on": rebuild).
// Applying it out of order would be worse: the document would claim a history that
// never happened. So `retry` is for events whose documents did not move (fixed code,
// a document nobody touched since); `rebuild` replays everything in order and is the
// full cure. Both clear the records they make good, and a rebuild records afresh what
// still fails.
import { setTimeout as sleep } from 'node:timers/promises';
import type { EventStore, RecordedEvent, Subscription } from '@wenming/eventstore';
import { ProjectionFailedError, UnknownProjectionError } from './errors.js';
import { storableEvent } from './storable-text.js';
import type { Collection, FailedEvent, Projection, ReadStore } from './types.js';

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
  /** Attempts at an event that fails (the store being available) before it is recorded as failed (default 3). */
  attemptsPerEvent?: number;
  /** Delay before trying again while the read store is unavailable: doubles from `first` up to `max` (ms, default 200 → 10 000). */
  unavailableRetryMs?: { first: number; max: number };
}

export interface ProjectionStatus {
  name: string;
  /** 'waiting': the read store is unavailable; it retries the same event until it answers. */
  state: 'starting' | 'catching-up' | 'live' | 'rebuilding' | 'waiting' | 'failed' | 'stopped';
  /** Position of the last event handled (applied, skipped as not handled, or recorded as failed). */
  position: number;
  /** Events it could not apply and went past (ReadStore.failedEvents). */
  failedEvents: number;
  /** Why it stopped, when 'failed' (its subscription to the event store ended); why it waits, when 'waiting'. */
  error?: string;
}

/** What a retry of one projection's failed events did. */
export interface RetryReport {
  projection: string;
  /** Failed events tried again. */
  retried: number;
  /** Applied now, and so no longer recorded. */
  applied: number;
  /** Still recorded: they failed again, or touch documents that moved on. */
  stillFailing: number;
  /** Of those, the ones whose documents have since applied later events: only a rebuild applies them in order. */
  movedOn: number;
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
   * `rebuild(name)` or `rebuild('all')`: drops the projection's collections, its
   * checkpoint and its failed events, and replays the whole log into them; resolves
   * when caught up again (recording afresh the events that still fail).
   */
  rebuild(name: string): Promise<void>;
  /** `retry(name)` or `retry('all')`: applies each projection's failed events again, in position order (see retryFailedEvents). */
  retry(name: string): Promise<RetryReport[]>;
}

const silent: ProjectionLogger = { info: () => undefined, error: () => undefined };

// ─── Every runner of the process, for the metrics ───────────────────────────

const running = new Set<ProjectionRunner>();

/** The status of every projection of every runner started in this process and not stopped (service-kit's gauges read it). */
export function projectionStatuses(): ProjectionStatus[] {
  return [...running].flatMap((runner) => runner.status());
}

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
  const targets = (name: string) => {
    if (stopped) throw new Error('the projection runner is stopped');
    const found = name === 'all' ? lanes : lanes.filter((lane) => lane.projection.name === name);
    if (name !== 'all' && found.length === 0) throw new UnknownProjectionError(name, [...names]);
    return found;
  };

  const runner: ProjectionRunner = {
    caughtUp,
    ready: () => !stopped && lanes.every((lane) => lane.is('live')),
    status: () => lanes.map((lane) => lane.status()),
    async stop() {
      stopped = true;
      running.delete(runner);
      await Promise.all(lanes.map((lane) => lane.close()));
    },
    async rebuild(name) {
      await Promise.all(targets(name).map((lane) => lane.rebuild()));
    },
    async retry(name) {
      const reports: RetryReport[] = [];
      for (const lane of targets(name)) reports.push(await lane.retry());
      return reports;
    },
  };
  running.add(runner);
  return runner;
}

// ─── Applying one event ─────────────────────────────────────────────────────

/** The read store is unavailable: said by the adapter, or shown by a failing ping. */
async function storeUnavailable(readStore: ReadStore, err: unknown): Promise<boolean> {
  if (readStore.isUnavailable(err)) return true;
  try {
    await readStore.ping();
    return false;
  } catch {
    return true;
  }
}

type Attempt = { ok: true } | { ok: false; unavailable: boolean; error: unknown; attempts: number };

/** Up to `attempts` immediate tries; stops early when the store turns out to be unavailable. */
async function applyEvent(projection: Projection, event: RecordedEvent, store: ReadStore, attempts: number): Promise<Attempt> {
  const storable = storableEvent(event);
  for (let n = 1; ; n++) {
    try {
      await projection.apply(storable, store);
      return { ok: true };
    } catch (error) {
      if (await storeUnavailable(store, error)) return { ok: false, unavailable: true, error, attempts: n };
      if (n >= attempts) return { ok: false, unavailable: false, error, attempts: n };
    }
  }
}

function failedAttempt(projection: string, event: RecordedEvent, error: unknown, attempts: number) {
  return {
    projection,
    position: event.position,
    eventId: event.id,
    type: event.type,
    streamId: event.streamId,
    error: error instanceof Error ? error.message : String(error),
    failedAt: new Date().toISOString(),
    attempts,
  };
}

/** The event at exactly `position`, or undefined. */
async function eventAt(eventStore: EventStore, position: number): Promise<RecordedEvent | undefined> {
  for await (const event of eventStore.readAll({ fromPosition: position, maxCount: 1 }))
    return event.position === position ? event : undefined;
  return undefined;
}

/**
 * The read store as a projection sees it during a retry, noting every document whose
 * guard skipped the event because it already holds a later one (a deleted document's
 * position is not readable: it counts as moved on). A skip at the event's own position
 * is a part applied before the failure, which is fine.
 */
function watchingMovedOn(store: ReadStore, position: number, movedOn: string[]): ReadStore {
  const watch = <T extends object>(name: string, collection: Collection<T>): Collection<T> => ({
    ...collection,
    apply: async (id, at, update) => {
      const applied = await collection.apply(id, at, update);
      if (!applied && at === position && (await collection.get(id))?._position !== position) movedOn.push(`${name}/${id}`);
      return applied;
    },
  });
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'collection') return <T extends object>(name: string) => watch(name, target.collection<T>(name));
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

export interface RetryOptions {
  eventStore: EventStore;
  readStore: ReadStore;
  projection: Projection;
  logger?: ProjectionLogger;
  attemptsPerEvent?: number;
}

/**
 * Applies a projection's failed events again, oldest first, and removes those that
 * now apply. One whose document has since applied a later event stays recorded as
 * "moved on": the guard made it a no-op there, and only a rebuild applies it in
 * order. Stops with the store's error when the read store is unavailable. Runs beside
 * a live projection (each apply is guarded per document), or on stores no process uses.
 */
export async function retryFailedEvents(options: RetryOptions): Promise<RetryReport> {
  const { eventStore, readStore, projection } = options;
  const log = options.logger ?? silent;
  const name = projection.name;
  const handles = new Set(projection.handles);
  const report: RetryReport = { projection: name, retried: 0, applied: 0, stillFailing: 0, movedOn: 0 };
  let after: number | undefined;
  for (;;) {
    const page: FailedEvent[] = await readStore.failedEvents.list(name, {
      limit: 100,
      ...(after === undefined ? {} : { afterPosition: after }),
    });
    if (page.length === 0) {
      if (report.retried > 0) log.info({ ...report }, 'retried failed events');
      return report;
    }
    for (const failure of page) {
      after = failure.position;
      report.retried += 1;
      const event = await eventAt(eventStore, failure.position);
      const keep = async (error: string, attempts: number) => {
        report.stillFailing += 1;
        await readStore.failedEvents.record({ ...failure, error, failedAt: new Date().toISOString(), attempts });
      };
      if (!event || event.id !== failure.eventId) {
        await keep(
          `the event store holds ${event ? `event ${event.id}` : 'no event'} at position ${failure.position}, not ${failure.eventId}`,
          1,
        );
        continue;
      }
      if (!handles.has(event.type)) {
        // The projection no longer reacts to this type: nothing is left to apply.
        await readStore.failedEvents.remove(name, failure.position);
        report.applied += 1;
        continue;
      }
      const movedOn: string[] = [];
      const outcome = await applyEvent(
        projection,
        event,
        watchingMovedOn(readStore, event.position, movedOn),
        options.attemptsPerEvent ?? 3,
      );
      if (!outcome.ok && outcome.unavailable) throw outcome.error;
      if (!outcome.ok) {
        await keep(failedAttempt(name, event, outcome.error, outcome.attempts).error, outcome.attempts);
      } else if (movedOn.length > 0) {
        report.movedOn += 1;
        await keep(
          `applied only in part: ${movedOn.slice(0, 5).join(', ')}${movedOn.length > 5 ? ` and ${movedOn.length - 5} more` : ''} had since applied later events; rebuild ${name} to apply it in order`,
          1,
        );
      } else {
        await readStore.failedEvents.remove(name, failure.position);
        report.applied += 1;
      }
    }
  }
}

/** One projection's life: start from its checkpoint, follow the log, wait out outages, stop, rebuild, retry. */
class Lane {
  state: ProjectionStatus['state'] = 'starting';
  private position = 0;
  private stored: number | undefined;
  private pending = 0;
  private failedAt: number | undefined;
  private error: unknown;
  private failedEvents = 0;
  /** Failed events past the checkpoint, met again in the replay after a restart: one that now applies is no longer failed. */
  private recheck = new Set<number>();
  /** The state to go back to when the read store answers again. */
  private resumeState: ProjectionStatus['state'] = 'starting';
  private subscription: Subscription | undefined;
  /** Aborted by halt(), so a handler waiting for the read store gives up at once. */
  private halting = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private saving: Promise<void> = Promise.resolve();
  /** Rebuilds and retries of this projection run one at a time. */
  private maintenance: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Bumped by every start and halt: a start that was overtaken (a rebuild, a stop) leaves the state alone. */
  private generation = 0;
  private readonly handles: ReadonlySet<string>;
  private readonly log: ProjectionLogger;
  private readonly every: number;
  private readonly idleMs: number;
  private readonly attempts: number;
  private readonly retryMs: { first: number; max: number };

  constructor(
    readonly projection: Projection,
    private readonly options: ProjectionRunnerOptions,
  ) {
    this.handles = new Set(projection.handles);
    this.log = options.logger ?? silent;
    this.every = options.checkpointEvery ?? 100;
    this.idleMs = options.checkpointIdleMs ?? 250;
    this.attempts = Math.max(1, options.attemptsPerEvent ?? 3);
    this.retryMs = options.unavailableRetryMs ?? { first: 200, max: 10_000 };
  }

  is(state: ProjectionStatus['state']): boolean {
    return this.state === state;
  }

  status(): ProjectionStatus {
    const status: ProjectionStatus = {
      name: this.projection.name,
      state: this.state,
      position: this.position,
      failedEvents: this.failedEvents,
    };
    if (this.state === 'failed' || this.state === 'waiting')
      status.error = this.error instanceof Error ? this.error.message : String(this.error);
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
    const halting = new AbortController();
    this.halting = halting;
    const started = Date.now();
    try {
      for (const [collection, indexes] of Object.entries(projection.indexes ?? {})) {
        for (const fields of indexes) await readStore.collection(collection).ensureIndex([...fields]);
      }
      await this.rebuildIfAnotherVersion(rebuilding);
      const from = (await readStore.checkpoints.load(name)) ?? 0;
      this.failedEvents = await readStore.failedEvents.count(name);
      const ahead = this.failedEvents > 0 ? await readStore.failedEvents.list(name, { afterPosition: from }) : [];
      this.recheck = new Set(ahead.map((f) => f.position));
      this.position = from;
      this.stored = from;
      this.pending = 0;
      if (overtaken()) return;
      if (!rebuilding) this.state = 'catching-up';
      this.log.info(
        { projection: name, from, failedEvents: this.failedEvents },
        rebuilding ? 'projection rebuilding from the start of the log' : 'projection starting',
      );
      const subscription = eventStore.subscribeToAll({
        afterPosition: from,
        pageSize: this.options.pageSize,
        handler: (event) => this.handle(event, halting.signal),
      });
      this.subscription = subscription;
      // Registered before the caughtUp continuation below, so an ended subscription
      // is seen as ended there (caughtUp also resolves when the subscription ends).
      subscription.done.then(
        () => undefined,
        (err: unknown) => {
          if (!overtaken()) this.fail(err);
        },
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

  /**
   * Documents written by another version of the projection are dropped with their
   * checkpoint, so the catch-up below rebuilds them from the log. The version is kept
   * as a checkpoint of its own; a read store from before versions existed is version 1.
   */
  private async rebuildIfAnotherVersion(rebuilding: boolean): Promise<void> {
    const { projection, readStore } = { projection: this.projection, ...this.options };
    const version = projection.version ?? 1;
    const key = `${projection.name}#version`;
    const hasCheckpoint = (await readStore.checkpoints.load(projection.name)) !== undefined;
    const stored = (await readStore.checkpoints.load(key)) ?? (hasCheckpoint ? 1 : undefined);
    if (!rebuilding && stored !== undefined && stored !== version) {
      this.log.info({ projection: projection.name, stored, version }, 'projection written by another version: rebuilding it from the log');
      await readStore.checkpoints.reset(projection.name);
      await readStore.failedEvents.clear(projection.name);
      await readStore.drop([...projection.collections]);
    }
    // Like a checkpoint, the version only saves work: failing to store it is logged, and the next start checks again.
    if (stored !== version) {
      await readStore.checkpoints
        .store(key, version)
        .catch((err: unknown) => this.log.error({ projection: projection.name, err }, 'storing the projection version failed'));
    }
  }

  private async handle(event: RecordedEvent, halting: AbortSignal): Promise<void> {
    try {
      // Halted while waiting for the read store: not handled, so the checkpoint stays before it.
      if (this.handles.has(event.type) && !(await this.applyOrRecord(event, halting))) return;
      this.position = event.position;
      this.pending += 1;
      // A checkpoint that cannot be stored costs only replay work on restart: logged, never a stop.
      if (this.pending >= this.every) await this.saveCheckpointOrLog();
      else this.armIdleTimer();
    } catch (err) {
      // Set before the subscription ends, so start() sees the failure (see there).
      this.state = 'failed';
      this.failedAt = event.position;
      this.error = err;
      throw err;
    }
  }

  /**
   * Applies the event, or records it as failed; true once one of them is done. While
   * the read store is unavailable (for the apply, or for recording the failure: an
   * event is never passed unrecorded) it waits and tries again; false when halted.
   */
  private async applyOrRecord(event: RecordedEvent, halting: AbortSignal): Promise<boolean> {
    const { readStore } = this.options;
    const name = this.projection.name;
    let delay = this.retryMs.first;
    while (!halting.aborted) {
      const outcome = await applyEvent(this.projection, event, readStore, this.attempts);
      let unavailable: unknown;
      if (outcome.ok) {
        this.available();
        if (this.recheck.delete(event.position)) await this.forgetFailure(event.position);
        return true;
      }
      if (outcome.unavailable) {
        unavailable = outcome.error;
      } else {
        try {
          await readStore.failedEvents.record(failedAttempt(name, event, outcome.error, outcome.attempts));
          this.failedEvents = await readStore.failedEvents.count(name);
          this.available();
          this.log.error(
            {
              projection: name,
              position: event.position,
              eventId: event.id,
              type: event.type,
              streamId: event.streamId,
              err: outcome.error,
            },
            'projection could not apply an event: recorded it as failed and went on (wenming projections list --failed; retry after a fix)',
          );
          return true;
        } catch (err) {
          unavailable = err;
        }
      }
      this.waitFor(unavailable, event, delay);
      await sleep(delay, undefined, { signal: halting }).catch(() => undefined);
      delay = Math.min(delay * 2, this.retryMs.max);
    }
    return false;
  }

  private waitFor(err: unknown, event: RecordedEvent, delay: number): void {
    this.error = err;
    if (this.state === 'waiting') return;
    this.resumeState = this.state;
    this.state = 'waiting';
    this.log.error(
      { projection: this.projection.name, position: event.position, retryInMs: delay, err },
      'read store unavailable: the projection waits and tries the same event again (not ready meanwhile)',
    );
  }

  private available(): void {
    if (this.state !== 'waiting') return;
    this.state = this.resumeState;
    this.error = undefined;
    this.log.info({ projection: this.projection.name }, 'read store available again: the projection goes on');
  }

  /** A failed event that now applies (a replay after a fix) is no longer failed; if forgetting fails, a retry clears it later. */
  private async forgetFailure(position: number): Promise<void> {
    const { failedEvents } = this.options.readStore;
    try {
      if (await failedEvents.remove(this.projection.name, position)) this.failedEvents = await failedEvents.count(this.projection.name);
    } catch (err) {
      this.log.error({ projection: this.projection.name, position, err }, 'could not clear the record of a failed event that now applies');
    }
  }

  private fail(err: unknown): void {
    if (this.closed && this.state === 'stopped') return;
    this.state = 'failed';
    this.error ??= err;
    this.clearTimer();
    this.log.error(
      { projection: this.projection.name, position: this.failedAt, eventsAppliedUpTo: this.position, err },
      'projection stopped: its subscription to the event store ended (reading the log failed); restart the process',
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
        // Another process (`wenming projections retry` on the same stores) may have cleared some.
        if (this.failedEvents > 0) this.failedEvents = await this.options.readStore.failedEvents.count(this.projection.name);
      });
    return this.saving;
  }

  /** For saves whose failure costs only replay work on restart (the guards make that safe): logged, not thrown. */
  private saveCheckpointOrLog(): Promise<void> {
    return this.saveCheckpoint().catch((err: unknown) =>
      this.log.error({ projection: this.projection.name, err }, 'storing the projection checkpoint failed'),
    );
  }

  /** Stops the subscription after the event being applied (or at once, when it waits for the read store) and stores the checkpoint. */
  private async halt(): Promise<void> {
    this.generation += 1;
    if (this.state !== 'failed') this.state = 'stopped';
    this.halting.abort();
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
    return this.exclusively(async () => {
      if (this.closed) throw new Error('the projection runner is stopped');
      const { readStore } = this.options;
      const name = this.projection.name;
      await this.halt();
      this.state = 'rebuilding';
      // The checkpoint goes first: a crash between these leaves documents with no
      // checkpoint, which a replay from zero repairs (the guards skip what is there,
      // and events that still fail are recorded again). The other order would leave
      // empty collections behind a checkpoint that says they are complete.
      await readStore.checkpoints.reset(name);
      await readStore.failedEvents.clear(name);
      this.failedEvents = 0;
      await readStore.drop([...this.projection.collections]);
      this.log.info({ projection: name, collections: this.projection.collections }, 'projection dropped for a rebuild');
      await this.start(true);
      if (!this.is('live')) throw new Error(`projection ${name} was stopped before its rebuild caught up`);
    });
  }

  retry(): Promise<RetryReport> {
    return this.exclusively(async () => {
      if (this.closed) throw new Error('the projection runner is stopped');
      const { eventStore, readStore } = this.options;
      const report = await retryFailedEvents({
        eventStore,
        readStore,
        projection: this.projection,
        logger: this.log,
        attemptsPerEvent: this.attempts,
      });
      this.failedEvents = await readStore.failedEvents.count(this.projection.name);
      return report;
    });
  }

  private exclusively<T>(run: () => Promise<T>): Promise<T> {
    const next = this.maintenance.catch(() => undefined).then(run);
    this.maintenance = next;
    return next;
  }
}
