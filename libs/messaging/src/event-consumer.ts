// Turns a bus consumer into an event consumer: decodes each message, sends what it
// cannot handle to a dead-letter topic with the reason in headers (and goes on),
// continues the producer's trace, and hands the event to the handler.
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { RecordedEvent } from '@wenming/eventstore';
import { HEADER, messageToEvent, UndecodableMessageError } from './envelope.js';
import { deadLetterTopic } from './topics.js';
import type { IncomingMessage, MessageBus, RunningConsumer } from './types.js';

export interface EventConsumerOptions {
  bus: MessageBus;
  groupId: string;
  topics: string[];
  /** Event types this consumer understands, with the highest schema version it reads. */
  accepts: Record<string, number>;
  handle: (event: RecordedEvent, message: IncomingMessage) => Promise<void>;
  fromBeginning?: boolean;
  /**
   * The name the dead-letter topic is made from (default: groupId). A consumer that
   * moves to a fresh group to replay its topics (a read-model rebuild) keeps one
   * dead-letter topic across its groups.
   */
  deadLetterName?: string;
}

// Looked up per message, not once at load: a module-level proxy tracer keeps the
// first provider it resolved, so a provider registered again later (a restarted SDK,
// or two test suites in one process) would never see the consumer's spans.
const tracer = () => trace.getTracer('@wenming/messaging');

export async function startEventConsumer(options: EventConsumerOptions): Promise<RunningConsumer> {
  const dlq = deadLetterTopic(options.deadLetterName ?? options.groupId);
  await options.bus.createTopics([{ topic: dlq, numPartitions: 1, retentionMs: -1 }]);

  const deadLetter = (message: IncomingMessage, reason: string) =>
    options.bus.publish(dlq, [
      {
        key: message.key ?? '',
        value: message.value?.toString('utf8') ?? '',
        headers: {
          ...message.headers,
          [HEADER.deadLetterReason]: reason,
          [HEADER.deadLetterSource]: `${message.topic}/${message.partition}/${message.offset}`,
        },
      },
    ]);

  return options.bus.consume({
    groupId: options.groupId,
    topics: options.topics,
    fromBeginning: options.fromBeginning ?? true,
    handler: async (message) => {
      let event: RecordedEvent;
      try {
        event = messageToEvent(message);
      } catch (err) {
        if (err instanceof UndecodableMessageError) return deadLetter(message, `undecodable: ${err.message}`);
        throw err;
      }
      const maxVersion = options.accepts[event.type];
      if (maxVersion === undefined) return deadLetter(message, `unknown event type ${event.type}`);
      if (event.metadata.schemaVersion > maxVersion) {
        return deadLetter(message, `unknown schema version ${event.metadata.schemaVersion} of ${event.type} (reads up to ${maxVersion})`);
      }
      // Continue the trace of the request that appended the event.
      const parent = propagation.extract(context.active(), message.headers);
      await tracer().startActiveSpan(
        `${message.topic} process ${event.type}`,
        {
          kind: SpanKind.CONSUMER,
          attributes: {
            'messaging.system': 'kafka',
            'messaging.destination.name': message.topic,
            'messaging.consumer.group.name': options.groupId,
            'wenming.event.id': event.id,
          },
        },
        parent,
        async (span) => {
          try {
            await options.handle(event, message);
          } catch (err) {
            span.recordException(err as Error);
            span.setStatus({ code: SpanStatusCode.ERROR });
            throw err;
          } finally {
            span.end();
          }
        },
      );
    },
  });
}
