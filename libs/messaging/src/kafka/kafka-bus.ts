// Kafka through kafkajs. kafkajs is in maintenance mode, so it stays behind this
// port (a successor with a KafkaJS-compatible API can replace this one file).
// - The producer is idempotent with acks=all and one request in flight, so a retry
//   after a lost acknowledgement neither duplicates nor reorders a partition.
// - Consumers commit only offsets whose handler resolved (kafkajs resolves an
//   offset after eachMessage returns), so delivery is at-least-once.
// - Topics are created explicitly and waited for: auto-creation is off on our
//   brokers because it races KRaft leader election.
// - A namespace, when given, prefixes every topic and consumer group on the wire
//   ("<namespace>.wenming.inspection.events.v1"), so two deployments (a city and
//   its training copy, or two test runs) share a cluster without reading each
//   other's events. Callers keep the plain names; incoming messages carry them too.
// - A message's trace context is the one its publisher put in its headers (the relay:
//   the appending request's, from the event's metadata). The kafkajs OpenTelemetry
//   instrumentation would start a producer span per message in whatever context is
//   active at the send and inject it over that header, so every consumer would
//   continue an orphan trace: sends run with tracing suppressed (the standard
//   OpenTelemetry switch, which both its span and its propagator obey), and a message
//   without a traceparent carries the publisher's active context instead.
import { context, type Context as OtelContext, propagation } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { type Admin, type Consumer, type IHeaders, Kafka, logLevel, type Producer } from 'kafkajs';
import type { ConsumerOptions, IncomingMessage, MessageBus, OutgoingMessage, RunningConsumer, TopicSpec } from '../types.js';

export interface KafkaBusOptions {
  brokers: string[];
  clientId?: string;
  /** How long a producer keeps retrying a send before it gives up (ms). */
  retryForMs?: number;
  /** Prefix of every topic and group on the broker (KAFKA_NAMESPACE); none by default. */
  namespace?: string;
}

export class KafkaBus implements MessageBus {
  readonly kind = 'kafka' as const;
  private readonly kafka: Kafka;
  private producer: Promise<Producer> | undefined;
  private admin: Promise<Admin> | undefined;
  private readonly consumers = new Set<Consumer>();
  private readonly prefix: string;

  constructor(options: KafkaBusOptions) {
    if (options.namespace !== undefined && !/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$/.test(options.namespace)) {
      throw new RangeError(`Kafka namespace ${JSON.stringify(options.namespace)}: use 1-100 of A-Z a-z 0-9 . _ - (not starting with .)`);
    }
    this.prefix = options.namespace ? `${options.namespace}.` : '';
    const retryForMs = options.retryForMs ?? 60_000;
    this.kafka = new Kafka({
      clientId: options.clientId ?? 'wenming',
      brokers: options.brokers,
      logLevel: logLevel.NOTHING,
      // Exponential backoff capped at 2 s, with enough retries to ride out a broker restart.
      retry: { initialRetryTime: 100, maxRetryTime: 2_000, retries: Math.ceil(retryForMs / 2_000) + 5 },
    });
  }

  createTopics(topics: TopicSpec[]): Promise<void> {
    return this.withAdmin(async (admin) => {
      const existing = new Set(await admin.listTopics());
      const missing = topics.filter((t) => !existing.has(this.wire(t.topic)));
      if (missing.length > 0) {
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((t) => ({
            topic: this.wire(t.topic),
            numPartitions: t.numPartitions ?? 6,
            replicationFactor: -1,
            configEntries: t.retentionMs === undefined ? [] : [{ name: 'retention.ms', value: String(t.retentionMs) }],
          })),
        });
      }
      await waitForLeaders(
        admin,
        topics.map((t) => this.wire(t.topic)),
      );
    });
  }

  async publish(topic: string, messages: OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const connecting = this.connectProducer();
    const producer = await connecting;
    try {
      const active = context.active();
      const outgoing = messages.map((m) => ({ key: m.key, value: m.value, headers: withTraceContext(active, m.headers) }));
      await context.with(suppressTracing(active), () => producer.send({ topic: this.wire(topic), acks: -1, messages: outgoing }));
    } catch (err) {
      // When kafkajs gives up on a send it rolls its sequence numbers back, but the
      // broker may have written that batch: every later send of another size to the
      // partition then fails with OUT_OF_ORDER_SEQUENCE_NUMBER, forever. A fresh
      // producer gets a new producer id and starts clean (the relay resends from its
      // checkpoint; a batch written twice is deduplicated by consumers).
      if (this.producer === connecting) this.producer = undefined;
      await producer.disconnect().catch(() => undefined);
      throw err;
    }
  }

  private connectProducer(): Promise<Producer> {
    this.producer ??= (async () => {
      const producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
      await producer.connect();
      return producer;
    })();
    // A failed connect must not be cached forever.
    this.producer.catch(() => {
      this.producer = undefined;
    });
    return this.producer;
  }

  /**
   * Runs `work` with the bus's one admin client, connected on first use: lag() is
   * polled (a feed waiting to catch up asks every 100 ms), and a connection per call
   * costs more than the requests it sends. kafkajs refreshes an admin's metadata before
   * each request; after a failure the client is dropped, so the next call starts fresh.
   */
  private async withAdmin<T>(work: (admin: Admin) => Promise<T>): Promise<T> {
    this.admin ??= (async () => {
      const admin = this.kafka.admin();
      await admin.connect();
      return admin;
    })();
    const connecting = this.admin;
    try {
      return await work(await connecting);
    } catch (err) {
      if (this.admin === connecting) this.admin = undefined;
      await (await connecting.catch(() => undefined))?.disconnect().catch(() => undefined);
      throw err;
    }
  }

  async consume(options: ConsumerOptions): Promise<RunningConsumer> {
    const consumer = this.kafka.consumer({
      groupId: this.wire(options.groupId),
      allowAutoTopicCreation: false,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      // A fetch waits up to this long for data; disconnect waits for the fetch in
      // flight, so this bounds how long stop() takes (kafkajs defaults to 5 s).
      maxWaitTimeInMs: 500,
      retry: { retries: 0, restartOnFailure: async () => false },
    });
    this.consumers.add(consumer);
    let settle!: (err?: unknown) => void;
    const done = new Promise<void>((resolve, reject) => {
      settle = (err) => (err ? reject(err) : resolve());
    });
    done.catch(() => undefined);
    let stopped = false;
    // A handler error crashes the consumer (retries: 0): end it with that error
    // rather than let kafkajs restart it and redeliver forever.
    consumer.on(consumer.events.CRASH, (event) => {
      if (!stopped) {
        stopped = true;
        this.consumers.delete(consumer);
        consumer.disconnect().finally(() => settle(event.payload.error));
      }
    });
    await consumer.connect();
    await consumer.subscribe({ topics: options.topics.map((t) => this.wire(t)), fromBeginning: options.fromBeginning ?? true });
    await consumer.run({
      autoCommit: true,
      autoCommitInterval: 200,
      eachMessage: async ({ topic, partition, message }) => {
        const incoming: IncomingMessage = {
          topic: topic.slice(this.prefix.length),
          partition,
          offset: message.offset,
          key: message.key ? message.key.toString('utf8') : null,
          value: message.value,
          headers: decodeHeaders(message.headers),
        };
        await options.handler(incoming);
      },
    });
    return {
      done,
      stop: async () => {
        if (stopped) return done.catch(() => undefined);
        stopped = true;
        this.consumers.delete(consumer);
        await consumer.disconnect();
        settle();
      },
    };
  }

  lag(groupId: string, topics: string[]): Promise<number> {
    return this.withAdmin(async (admin) => {
      let lag = 0;
      const wireTopics = topics.map((t) => this.wire(t));
      const committed = await admin.fetchOffsets({ groupId: this.wire(groupId), topics: wireTopics });
      for (const topic of wireTopics) {
        const done = new Map((committed.find((c) => c.topic === topic)?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
        for (const p of await admin.fetchTopicOffsets(topic)) {
          // -1: the group never committed on this partition; it starts at the oldest retained message.
          const from = done.get(p.partition) ?? -1n;
          const start = from < 0n ? BigInt(p.low) : from;
          const behind = BigInt(p.high) - start;
          if (behind > 0n) lag += Number(behind);
        }
      }
      return lag;
    });
  }

  /** The name of a topic or group on the broker. */
  private wire(name: string): string {
    return this.prefix + name;
  }

  async close(): Promise<void> {
    await Promise.all([...this.consumers].map((c) => c.disconnect()));
    this.consumers.clear();
    const producer = this.producer;
    const admin = this.admin;
    this.producer = undefined;
    this.admin = undefined;
    if (producer) await (await producer.catch(() => undefined))?.disconnect();
    if (admin) await (await admin.catch(() => undefined))?.disconnect();
  }
}

/** The message's headers, with the publisher's trace context when it names none itself. */
function withTraceContext(active: OtelContext, headers: Record<string, string> | undefined): Record<string, string> {
  const out = { ...headers };
  if (out.traceparent === undefined) propagation.inject(active, out);
  return out;
}

function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name] = first.toString();
  }
  return out;
}

/** KRaft may answer a create before every partition has a leader; wait until it has. */
async function waitForLeaders(admin: Admin, topics: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { topics: meta } = await admin.fetchTopicMetadata({ topics });
    if (meta.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
    if (Date.now() > deadline) throw new Error(`topics without leaders after ${timeoutMs} ms: ${topics.join(', ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
