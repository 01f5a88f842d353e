// The process's bus and, where this process runs it, the relay that feeds the bus
// from the event store (DESIGN §3): Kafka in a city deployment, the durable
// in-process bus in the embedded profile.
import type { EventStore, RecordedEvent } from '@wenming/eventstore';
import {
  CONTEXTS,
  type Context,
  eventsTopic,
  KafkaBus,
  type MessageBus,
  type Relay,
  routeByCategory,
  SqliteBus,
  startRelay,
} from '@wenming/messaging';
import type { MessagingConfig, ServiceModule } from '@wenming/service-kit';
import type { Logger } from 'pino';
import { EVENT_ROUTES } from './modules.js';

export interface Messaging {
  bus: MessageBus;
  /** Starts the relay (when configured) once the modules have declared their streams. */
  startRelay(modules: readonly ServiceModule[]): void;
  relay(): Relay | undefined;
  stop(): Promise<void>;
}

/** The configured bus alone: Kafka, or the in-process bus's file in the data directory. */
export function openBus(config: MessagingConfig): MessageBus {
  if (config.kind === 'in-process') return new SqliteBus({ path: config.path });
  return new KafkaBus({ brokers: config.brokers, clientId: 'wenming', ...(config.namespace ? { namespace: config.namespace } : {}) });
}

/**
 * Where the relay publishes each stream: every built service's streams, not only
 * those of the modules in this process (the relay runs once per event store and
 * publishes everything), to its context's topic; undeclared ones to platform's.
 */
export function relayTopicOf(modules: readonly ServiceModule[]): (event: RecordedEvent) => string {
  const routes: Record<string, string> = {};
  for (const events of [...EVENT_ROUTES, ...modules.flatMap((m) => (m.events ? [m.events] : []))]) {
    for (const category of events.categories) routes[category] = eventsTopic(events.context as Context);
  }
  return routeByCategory(routes, eventsTopic('platform' satisfies Context));
}

export async function openMessaging(config: MessagingConfig, store: EventStore, logger: Logger): Promise<Messaging> {
  const bus = openBus(config);
  // Every context's topic exists before anything publishes or subscribes; retention
  // is unlimited because the topics are a replayable feed of an audit log.
  try {
    await bus.createTopics(
      CONTEXTS.map((context) => ({
        topic: eventsTopic(context),
        numPartitions: config.kind === 'kafka' ? config.topicPartitions : 1,
        retentionMs: -1,
      })),
    );
  } catch (err) {
    // The start fails: release the bus (its file, its admin connection) with it.
    await bus.close().catch(() => undefined);
    throw err;
  }
  let relay: Relay | undefined;
  return {
    bus,
    startRelay(modules) {
      if (!config.relay) return;
      relay = startRelay({
        store,
        bus,
        topicOf: relayTopicOf(modules),
        checkpoint: `relay:${bus.kind}`,
        onError: (err) => logger.warn({ err }, 'relay: publishing failed; retrying from its checkpoint'),
      });
    },
    relay: () => relay,
    async stop() {
      await relay?.stop();
      await bus.close();
    },
  };
}
