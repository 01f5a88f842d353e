// The messaging port. Two adapters: Kafka (kafkajs) for the production profile and
// a durable in-process bus (SQLite) for the embedded profile, with the same
// semantics: at-least-once delivery, order per key, a durable position per group.

export interface OutgoingMessage {
  /** Per-key order: Wenming keys by unit id. */
  key: string;
  value: string;
  headers?: Record<string, string>;
}

export interface IncomingMessage {
  topic: string;
  partition: number;
  /** Opaque, increasing within a partition. */
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

export interface TopicSpec {
  topic: string;
  numPartitions?: number;
  /** Kafka `retention.ms`; -1 keeps messages forever. */
  retentionMs?: number;
}

export interface ConsumerOptions {
  groupId: string;
  topics: string[];
  /** Where a group without a stored position starts (default: the beginning). */
  fromBeginning?: boolean;
  /**
   * Called once per message, in order per partition. Resolving marks it handled
   * (its position may then be committed); throwing stops the consumer with that error.
   */
  handler: (message: IncomingMessage) => Promise<void>;
}

export interface RunningConsumer {
  /** Settles when the consumer ends: resolves after stop(), rejects with a handler's error. */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

export interface MessageBus {
  readonly kind: 'kafka' | 'in-process';
  createTopics(topics: TopicSpec[]): Promise<void>;
  /** Resolves once every message is acknowledged (Kafka: by all in-sync replicas). */
  publish(topic: string, messages: OutgoingMessage[]): Promise<void>;
  consume(options: ConsumerOptions): Promise<RunningConsumer>;
  /**
   * How many messages of these topics the group has not yet committed as handled
   * (a group that never committed lags by every message still retained). 0 means a
   * consumer of the group has handled everything published before the call.
   */
  lag(groupId: string, topics: string[]): Promise<number>;
  close(): Promise<void>;
}
