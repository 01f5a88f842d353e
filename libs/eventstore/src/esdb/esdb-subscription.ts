// The port's catch-up subscription on EventStoreDB's own catch-up subscription to
// $all: the server reads the stored events after our checkpoint and turns live
// with no gap or duplicate at the seam, so unlike the SQL adapters there is no
// polling. Events are handled one at a time, in log order: the loop awaits the
// handler before it takes the next event from the client's readable stream.
import type { AllStreamResolvedEvent, AllStreamSubscription } from '@eventstore/db-client';
import { resumePoint } from '../subscription.js';
import type { CheckpointStore, RecordedEvent, SubscribeOptions, Subscription } from '../types.js';

/** Saving after every event would double the writes of a busy relay; save at least this often, and whenever idle. */
const SAVE_EVERY = 200;

export interface EsdbSubscriptionSource {
  checkpoints: CheckpointStore;
  /** The log position of the last record in $all now (0 when empty). */
  headPosition(): Promise<number>;
  /** A server subscription after `position` (0: from the start); `onCheckpoint` receives the filter's checkpoints. */
  open(position: number, onCheckpoint: (commit: number) => void): AllStreamSubscription;
  /** The Wenming event, or undefined for what the port does not deliver (system, links, the adapter's own streams). */
  toEvent(resolved: AllStreamResolvedEvent): RecordedEvent | undefined;
}

export function esdbSubscription(source: EsdbSubscriptionSource, options: SubscribeOptions): Subscription {
  let stopping = false;
  let live: AllStreamSubscription | undefined;
  let markCaughtUp!: () => void;
  const caughtUp = new Promise<void>((resolve) => {
    markCaughtUp = resolve;
  });

  const run = async (): Promise<void> => {
    const progress = await resumePoint(source.checkpoints, options);
    let position = progress.start;
    const save = () => progress.save(position);
    // "Caught up" means: everything stored when we subscribed has been handled.
    const head = await source.headPosition();
    if (position >= head) markCaughtUp();
    if (stopping) return;

    // The server says it is live (a `caughtUp` message, ESDB ≥ 23.10) or passed the
    // head (a filter checkpoint) once every earlier event is in the client's
    // readable buffer. So the events before that signal are those taken so far plus
    // those still buffered, and caughtUp resolves once that many are handled.
    let taken = 0;
    let handled = 0;
    let target: number | undefined;
    const check = () => {
      if (target !== undefined && handled >= target) markCaughtUp();
    };
    const signal = () => {
      const before = taken + (live?.readableLength ?? 0);
      target = target === undefined ? before : Math.min(target, before);
      check();
    };
    const sub = source.open(position, (commit) => {
      if (commit >= head) signal();
    });
    live = sub;
    sub.on('caughtUp', signal);

    let unsaved = 0;
    try {
      for await (const resolved of sub as AsyncIterable<AllStreamResolvedEvent>) {
        taken++;
        const event = source.toEvent(resolved);
        if (event) {
          await options.handler(event);
          position = event.position;
          unsaved++;
        }
        handled++;
        const raw = resolved.event?.position?.commit ?? resolved.commitPosition;
        if (raw !== undefined && raw >= BigInt(head)) markCaughtUp();
        check();
        if (stopping) break;
        if (unsaved > 0 && (sub.readableLength === 0 || unsaved >= SAVE_EVERY)) {
          await save();
          unsaved = 0;
        }
      }
      if (!stopping) throw new Error('EventStoreDB ended the $all subscription');
    } catch (err) {
      // stop() destroys the client stream, which may surface as a premature-close error.
      if (!stopping) throw err;
    } finally {
      live = undefined;
      await sub.unsubscribe().catch(() => undefined);
      sub.destroy();
      // A handler error must not lose the progress made before it.
      await save();
    }
  };

  const done = run();
  // `caughtUp` must not hang forever when the subscription fails before catching up.
  done.then(markCaughtUp, markCaughtUp);
  return {
    caughtUp,
    done,
    async stop() {
      stopping = true;
      const sub = live;
      if (sub) {
        await sub.unsubscribe().catch(() => undefined);
        sub.destroy();
      }
      await done.catch(() => undefined);
    },
  };
}
