// The raw kafkajs pair the messaging benchmark compares against: a producer and a
// consumer with the settings KafkaBus uses (idempotent, acks=-1, one request in
// flight; a consumer group with autoCommit), and none of Wenming's work (no event
// store, no relay checkpoint, no envelope decoding, no dedupe, no tracing).
import { Kafka, logLevel } from 'kafkajs';

export interface RawMessage {
  key: string;
  value: string;
  headers: Record<string, string>;
}

export interface RawPair {
  /** One produce request, acknowledged by all in-sync replicas. */
  send(messages: RawMessage[]): Promise<void>;
  /** Starts the consumer group (from the beginning); `onMessage` gets each message's `idHeader` as it arrives. */
  consume(idHeader: string, onMessage: (id: string) => void): Promise<void>;
  close(): Promise<void>;
}

export async function kafkaRaw(brokers: string[], topic: string, groupId: string): Promise<RawPair> {
  const kafka = new Kafka({
    clientId: 'wenming-bench-raw',
    brokers,
    logLevel: logLevel.NOTHING,
    retry: { initialRetryTime: 100, maxRetryTime: 2_000, retries: 35 },
  });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  const consumer = kafka.consumer({
    groupId,
    allowAutoTopicCreation: false,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
    maxWaitTimeInMs: 500,
  });
  return {
    send: async (messages) => {
      await producer.send({ topic, acks: -1, messages });
    },
    consume: async (idHeader, onMessage) => {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        autoCommit: true,
        autoCommitInterval: 200,
        eachMessage: async ({ message }) => onMessage(message.headers?.[idHeader]?.toString() ?? ''),
      });
    },
    close: async () => {
      await consumer.disconnect();
      await producer.disconnect();
    },
  };
}
