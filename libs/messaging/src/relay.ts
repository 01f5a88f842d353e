// The relay: the only way events reach Kafka (DESIGN §3 "One source of truth").
// It follows the event store's global log from its own durable checkpoint and
// publishes each event to its context's topic, keyed by unit id. The checkpoint
// moves only after the broker acknowledged everything before it, so a relay killed
// at any instant republishes from the last acknowledged batch on restart: nothing
// is missing, and the few duplicates are deduplicated by consumers (event id).
//
// Events are buffered for at most `lingerMs` (or `maxBatch` events) and sent as one
// request per topic, as Kafka's own producer batches, because one round trip per
// event caps the relay at the broker's round-trip rate.
//
// Each event's publication is a producer span in the trace of the request that
// appended it (its metadata.traceparent), which its message's header continues.
import { context, propagation, ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { EventStore, RecordedEvent, Subscription } from '@wenming/eventstore';
import { eventToMessage } from './envelope.js';
import type { MessageBus } from './types.js';

export interface RelayOptions {
  store: EventStore;
  bus: MessageBus;
  /** The topic an event is published to (see topics.ts / routeByCategory). */
  topicOf: (event: RecordedEvent) => string;
  /** Durable checkpoint name in the event store (default `relay`). */
  checkpoint?: string;
  maxBatch?: number;
  lingerMs?: number;
  /** Wait before resubscribing after a failed publish (ms). */
  retryDelayMs?: number;
  onError?: (err: unknown) => void;
  onPublished?: (events: readonly RecordedEvent[]) => void;
}

export interface Relay {
  /** Resolves the first time the relay has published everything stored. */
  readonly caughtUp: Promise<void>;
  /** Stops after publishing what it already read; the checkpoint is stored. */
  stop(): Promise<void>;
}

export function startRelay(options: RelayOptions): Relay {
  const name = options.checkpoint ?? 'relay';
  const maxBatch = options.maxBatch ?? 500;
  const lingerMs = options.lingerMs ?? 5;
  const retryDelayMs = options.retryDelayMs ?? 1_000;
  const { store, bus } = options;
  let stopped = false;
  let current: Subscription | undefined;
  let markCaughtUp!: () => void;
  const caughtUp = new Promise<void>((r) => {
    markCaughtUp = r;
  });
  let wakeRetry: (() => void) | undefined;

  /** One subscription's life: buffer, flush in order, fail on the first publish error. */
  const runOnce = async (afterPosition: number): Promise<void> => {
    let buffer: RecordedEvent[] = [];
    let flushing: Promise<void> = Promise.resolve();
    let failure: unknown;
    let timer: NodeJS.Timeout | undefined;

    const publishBatch = async (batch: RecordedEvent[]) => {
      const byTopic = new Map<string, RecordedEvent[]>();
      for (const event of batch) {
        const topic = options.topicOf(event);
        const list = byTopic.get(topic);
        if (list) list.push(event);
        else byTopic.set(topic, [event]);
      }
      await Promise.all([...byTopic].map(([topic, events]) => publishTraced(bus, topic, events)));
      await store.checkpoints.store(name, batch[batch.length - 1]!.position);
      options.onPublished?.(batch);
    };
    const flush = () => {
      if (timer) clearTimeout(timer);
      timer = undefined;
      const batch = buffer;
      buffer = [];
      if (batch.length > 0) flushing = flushing.then(() => (failure ? undefined : publishBatch(batch)));
      return flushing;
    };

    const subscription = store.subscribeToAll({
      afterPosition,
      pageSize: maxBatch,
      handler: async (event) => {
        if (failure) throw failure;
        buffer.push(event);
        if (buffer.length >= maxBatch) await flush();
        else
          timer ??= setTimeout(() => {
            flush().catch((err) => {
              failure = err;
              void subscription.stop();
            });
          }, lingerMs);
      },
    });
    current = subscription;
    subscription.caughtUp.then(async () => {
      await flush().catch(() => undefined);
      if (!failure) markCaughtUp();
    });
    try {
      await subscription.done;
    } finally {
      // On stop (or failure) publish what was read, so a clean stop leaves no tail behind.
      await flush().catch((err) => {
        failure ??= err;
      });
    }
    if (failure) throw failure;
  };

  const loop = (async () => {
    while (!stopped) {
      try {
        await runOnce((await store.checkpoints.load(name)) ?? 0);
      } catch (err) {
        if (stopped) break;
        options.onError?.(err);
        await new Promise<void>((resolve) => {
          wakeRetry = resolve;
          setTimeout(resolve, retryDelayMs);
        });
      }
    }
  })();

  return {
    caughtUp,
    stop: async () => {
      stopped = true;
      wakeRetry?.();
      await current?.stop();
      await loop;
    },
  };
}

// Looked up per batch, not once at load, so a provider registered later is used.
const tracer = () => trace.getTracer('@wenming/messaging');

/** Publishes one topic's events, each under a `send <topic>` span in its appending request's trace. */
async function publishTraced(bus: MessageBus, topic: string, events: RecordedEvent[]): Promise<void> {
  const spans: Span[] = [];
  for (const event of events) {
    const { traceparent } = event.metadata;
    if (!traceparent) continue;
    const parent = propagation.extract(ROOT_CONTEXT, { traceparent });
    if (!trace.getSpanContext(parent)) continue;
    spans.push(
      tracer().startSpan(
        `send ${topic}`,
        {
          kind: SpanKind.PRODUCER,
          attributes: {
            'messaging.system': bus.kind,
            'messaging.operation.type': 'send',
            'messaging.destination.name': topic,
            'messaging.message.id': event.id,
            'wenming.event.type': event.type,
          },
        },
        parent,
      ),
    );
  }
  try {
    // The message keeps the request's own traceparent: its consumer continues that trace.
    await context.with(ROOT_CONTEXT, () => bus.publish(topic, events.map(eventToMessage)));
  } catch (err) {
    for (const span of spans) span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.message ?? String(err) });
    throw err;
  } finally {
    for (const span of spans) span.end();
  }
}

/**
 * Routes by stream category, unknown ones to a default topic. A stream id is
 * `<category>-<id>` and a category may itself hold a dash (`lookback-review-7` is in
 * `lookback-review`), so the route is that of the longest declared category the
 * stream id starts with, followed by a dash.
 */
export function routeByCategory(routes: Record<string, string>, fallback: string): (event: RecordedEvent) => string {
  const byLength = Object.entries(routes).sort(([a], [b]) => b.length - a.length);
  return (event) => {
    for (const [category, topic] of byLength) {
      if (event.streamId.startsWith(`${category}-`)) return topic;
    }
    return fallback;
  };
}
