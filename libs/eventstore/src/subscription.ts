// A catch-up subscription over any store that can read the global log in pages
// and say when something new was appended. It reads everything after the stored
// checkpoint, then waits for a wake-up (or a poll timeout, for appends made by
// other processes) and reads on from the last handled position. Because it always
// reads "after the last position handled", the seam between catching up and going
// live has no gap and no duplicate, provided positions become visible in order
// (each SQL adapter guarantees that: see its append).
import type { CheckpointStore, RecordedEvent, SubscribeOptions, Subscription } from './types.js';

export interface LogSource {
  /** Events with position > after, in global order, at most `limit`. */
  readPage(after: number, limit: number): Promise<RecordedEvent[]>;
  /** Resolves when an append may have happened, or after `timeoutMs`, or when `signal` aborts. */
  waitForAppend(timeoutMs: number, signal: AbortSignal): Promise<void>;
  checkpoints: CheckpointStore;
}

export function pollingSubscription(source: LogSource, options: SubscribeOptions, pollMs: number): Subscription {
  const stopping = new AbortController();
  const pageSize = options.pageSize ?? 500;
  let markCaughtUp!: () => void;
  const caughtUp = new Promise<void>((resolve) => {
    markCaughtUp = resolve;
  });

  const run = async (): Promise<void> => {
    const progress = await resumePoint(source.checkpoints, options);
    let position = progress.start;
    const saveCheckpoint = () => progress.save(position);
    try {
      while (!stopping.signal.aborted) {
        const page = await source.readPage(position, pageSize);
        for (const event of page) {
          if (stopping.signal.aborted) break;
          await options.handler(event);
          position = event.position;
        }
        await saveCheckpoint();
        if (page.length < pageSize && !stopping.signal.aborted) {
          markCaughtUp();
          await source.waitForAppend(pollMs, stopping.signal);
        }
      }
    } finally {
      // A handler error must not lose the progress made before it.
      await saveCheckpoint();
    }
  };

  const done = run();
  // `caughtUp` must not hang forever when the subscription fails before catching up.
  done.then(markCaughtUp, markCaughtUp);
  return {
    caughtUp,
    done,
    async stop() {
      stopping.abort();
      await done.catch(() => undefined);
    },
  };
}

/**
 * Where a subscription starts (after its stored checkpoint, else after `afterPosition`)
 * and how it stores its progress: under its checkpoint name, and only when it moved.
 */
export async function resumePoint(
  checkpoints: CheckpointStore,
  options: SubscribeOptions,
): Promise<{ start: number; save(position: number): Promise<void> }> {
  const start = (options.checkpoint ? await checkpoints.load(options.checkpoint) : undefined) ?? options.afterPosition ?? 0;
  let stored = start;
  return {
    start,
    async save(position) {
      if (options.checkpoint && position !== stored) {
        await checkpoints.store(options.checkpoint, position);
        stored = position;
      }
    },
  };
}

/** Resolves on the next `notify()`, a timeout or an abort: whichever comes first. */
export class AppendSignal {
  private waiters = new Set<() => void>();

  notify(): void {
    const waiters = this.waiters;
    this.waiters = new Set();
    for (const wake of waiters) wake();
  }

  wait(timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', wake);
        this.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, timeoutMs);
      signal.addEventListener('abort', wake, { once: true });
      this.waiters.add(wake);
    });
  }
}

/** The live subscriptions of a store, so close() can stop them before the connection goes. */
export class SubscriptionRegistry {
  private readonly live = new Set<Subscription>();

  track(subscription: Subscription): Subscription {
    this.live.add(subscription);
    const forget = () => this.live.delete(subscription);
    subscription.done.then(forget, forget);
    return subscription;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.live].map((s) => s.stop()));
  }
}
