// What a process's server streams share (DESIGN §5, issue 12): a cap on the streams
// one caller holds open, an end at the token's expiry, and one subscription to the
// global log that wakes a `follow` only when its stream got an event. Polling each
// followed stream cost a read per stream per interval (1,000 idle follows: 62% CPU);
// here an idle follow costs nothing but its entry in a set.
import type * as grpc from '@grpc/grpc-js';
import { Metadata, status } from '@grpc/grpc-js';
import type { EventStore, RecordedEvent, Subscription } from '@wenming/eventstore';
import type { Logger } from 'pino';
import type { Principal } from '../auth/principal.js';
import { ResourceExhaustedError, UnauthenticatedError } from '../errors/domain-errors.js';
import { toServiceError } from '../errors/grpc.js';

/** The part of a grpc-js server stream a session needs. */
export interface StreamCall {
  readonly cancelled: boolean;
  on(event: 'cancelled', listener: () => void): unknown;
  removeListener(event: 'cancelled', listener: () => void): unknown;
  emit(event: 'error', error: unknown): boolean;
  end(): void;
}

/** Why a session ended before its handler finished. */
export type EndReason = 'cancelled' | 'expired' | 'closing';

export interface StreamSession {
  /** Aborts when the client cancels, the token expires or the server closes. */
  readonly signal: AbortSignal;
  /**
   * Starts noticing events `match` selects. Call it before the first read: an event
   * appended after this resolves wakes `next`, so none falls between read and wait.
   */
  watch(match: (event: RecordedEvent) => boolean): Promise<EventWatch>;
  /** Ends the call: with the reason's status when the session ended early, else OK. Releases the session. */
  finish(): void;
  /** Ends the call with the error's status (the session's own reason wins if it ended first). Releases the session. */
  fail(error: unknown): void;
}

export interface EventWatch {
  /** True when a selected event arrived since the watch began or the last `next`; false once the session ended. */
  next(): Promise<boolean>;
}

export interface LiveStreamsOptions {
  store: EventStore;
  logger: Logger;
  /** Streams one principal (token `sub`) may hold open at once, across every service of the process. */
  maxPerCaller: number;
}

/** Timers fire at most this far ahead (setTimeout's limit is 2^31-1 ms); a later expiry re-arms. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const RESTART_DELAY_MS = 1000;

export class LiveStreams {
  private readonly open = new Map<string, number>();
  private readonly sessions = new Set<() => void>();
  private readonly notifier: EventNotifier;
  private closing = false;

  constructor(private readonly options: LiveStreamsOptions) {
    this.notifier = new EventNotifier(options.store, options.logger);
  }

  get maxPerCaller(): number {
    return this.options.maxPerCaller;
  }

  /** Streams the principal holds open now. */
  openFor(principalId: string): number {
    return this.open.get(principalId) ?? 0;
  }

  /**
   * Opens a session for a server stream the principal called: counts it against the
   * principal's cap (ResourceExhaustedError at the cap) and ends it when the token
   * expires or the server closes. Every session must end with `finish` or `fail`.
   */
  begin(principal: Principal, call: StreamCall): StreamSession {
    const held = this.openFor(principal.id);
    if (held >= this.options.maxPerCaller) {
      throw new ResourceExhaustedError(
        `${principal.id} already holds ${held} open streams, the most one caller may (WENMING_MAX_STREAMS_PER_CALLER=${this.options.maxPerCaller}); cancel one first`,
      );
    }
    this.open.set(principal.id, held + 1);

    const controller = new AbortController();
    let reason: EndReason | undefined;
    const end = (why: EndReason) => {
      reason ??= why;
      controller.abort();
    };
    const onCancelled = () => end('cancelled');
    call.on('cancelled', onCancelled);
    if (call.cancelled) end('cancelled');
    let timer: NodeJS.Timeout | undefined;
    const armExpiry = () => {
      if (principal.expiresAt === undefined) return;
      const left = principal.expiresAt.getTime() - Date.now();
      if (left <= 0) return end('expired');
      timer = setTimeout(left > MAX_TIMER_MS ? armExpiry : () => end('expired'), Math.min(left, MAX_TIMER_MS));
      timer.unref();
    };
    armExpiry();
    const onClose = () => end('closing');
    this.sessions.add(onClose);
    if (this.closing) onClose();

    let released = false;
    const release = () => {
      if (released) return false;
      released = true;
      clearTimeout(timer);
      call.removeListener('cancelled', onCancelled);
      this.sessions.delete(onClose);
      const left = this.openFor(principal.id) - 1;
      if (left > 0) this.open.set(principal.id, left);
      else this.open.delete(principal.id);
      controller.abort();
      return true;
    };
    const endEarly = (): boolean => {
      switch (reason) {
        case undefined:
          return false;
        case 'cancelled':
          return true; // the client is gone: there is no one to tell
        case 'expired':
          call.emit('error', toServiceError(new UnauthenticatedError('token expired')));
          return true;
        case 'closing':
          call.emit('error', shuttingDown());
          return true;
        default:
          return reason satisfies never;
      }
    };
    return {
      signal: controller.signal,
      watch: (match) => this.notifier.watch(match, controller.signal),
      finish: () => {
        if (release() && !endEarly()) call.end();
      },
      fail: (error) => {
        if (release() && !endEarly()) call.emit('error', toServiceError(error, this.options.logger));
      },
    };
  }

  /** Ends every open session (UNAVAILABLE, so clients reconnect) and the log subscription; call before the gRPC server closes. */
  async close(): Promise<void> {
    this.closing = true;
    for (const end of [...this.sessions]) end();
    await this.notifier.stop();
  }
}

function shuttingDown() {
  const message = 'the server is shutting down; follow again from the last revision received';
  return Object.assign(new Error(message), { code: status.UNAVAILABLE, details: message, metadata: new Metadata() });
}

interface Watcher {
  match(event: RecordedEvent): boolean;
  pending: boolean;
  wake?: (() => void) | undefined;
}

/**
 * One subscription to the global log for the whole process, started with the first
 * watch, from the head of the log: it hands every new event to the watchers that
 * select it. An idle watcher does no reads; the subscription costs one page read
 * per append (and the store's poll for other writers), however many watch.
 */
class EventNotifier {
  private readonly watchers = new Set<Watcher>();
  private started: Promise<Subscription> | undefined;
  private stopped = false;

  constructor(
    private readonly store: EventStore,
    private readonly logger: Logger,
  ) {}

  async watch(match: (event: RecordedEvent) => boolean, signal: AbortSignal): Promise<EventWatch> {
    const watcher: Watcher = { match, pending: false };
    this.watchers.add(watcher);
    const forget = () => {
      this.watchers.delete(watcher);
      watcher.wake?.();
    };
    if (signal.aborted) forget();
    else signal.addEventListener('abort', forget, { once: true });
    // Registered first, then live: whatever is appended after this resolves reaches the watcher.
    await this.start();
    return {
      next: async () => {
        // No live subscription (a restart after a failure failed too): start one, and
        // have the caller read again, since events may have come while none ran.
        if (!signal.aborted && this.started === undefined) {
          await this.start();
          return !signal.aborted;
        }
        while (!watcher.pending && !signal.aborted) {
          await new Promise<void>((resolve) => {
            watcher.wake = resolve;
          });
          watcher.wake = undefined;
        }
        watcher.pending = false;
        return !signal.aborted;
      },
    };
  }

  private start(): Promise<Subscription> {
    if (this.stopped) return Promise.reject(new Error('the event notifier is stopped'));
    this.started ??= (async () => {
      // From the head: what is stored already, the watcher's first read sees.
      const afterPosition = await this.store.headPosition();
      const subscription = this.store.subscribeToAll({ afterPosition, handler: (event) => this.deliver(event) });
      subscription.done.then(
        () => this.lost(undefined),
        (err: unknown) => this.lost(err),
      );
      return subscription;
    })();
    this.started.catch(() => {
      this.started = undefined;
    });
    return this.started;
  }

  private deliver(event: RecordedEvent): void {
    for (const watcher of this.watchers) {
      if (!watcher.match(event)) continue;
      watcher.pending = true;
      watcher.wake?.();
    }
  }

  /**
   * The subscription ended (it failed, or the store closed under it). A new one
   * starts from the head, and only then is every watcher woken as if its stream
   * changed: each re-reads, so nothing appended meanwhile is missed, and a follow on
   * a store that is gone fails rather than waiting forever.
   */
  private lost(err: unknown): void {
    if (err !== undefined) this.logger.error({ err }, 'the follow subscription to the event log ended; restarting it');
    this.started = undefined;
    const wakeAll = () => {
      for (const watcher of this.watchers) {
        watcher.pending = true;
        watcher.wake?.();
      }
    };
    if (this.stopped || this.watchers.size === 0) {
      wakeAll();
      return;
    }
    // After a failure, a pause: a store that fails at once must not make this a busy loop.
    setTimeout(() => this.start().then(wakeAll, wakeAll), err === undefined ? 0 : RESTART_DELAY_MS).unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const started = this.started;
    this.started = undefined;
    if (started) await (await started.catch(() => undefined))?.stop();
  }
}

/**
 * Writes one message of a server stream, waiting while the client's buffer is full
 * (flow control) rather than buffering without bound; false when the session ended first.
 */
export async function sendWhenDrained<Res>(
  call: grpc.ServerWritableStream<unknown, Res>,
  message: Res,
  signal: AbortSignal,
): Promise<boolean> {
  if (signal.aborted) return false;
  if (call.write(message)) return true;
  await new Promise<void>((resolve) => {
    const done = () => {
      call.removeListener('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    call.once('drain', done);
    signal.addEventListener('abort', done, { once: true });
  });
  return !signal.aborted;
}
