// Finds or starts a real Apache Kafka broker for the suites, in DESIGN §4's order: the
// brokers named by KAFKA_BROKERS; else Docker through testcontainers; else a single-node
// KRaft broker run as a plain local process from Maven Central jars
// (infra/local/kafka/kafka.sh); else a skip whose reason says what each way found.
// Never a mock.
//
// The local broker can be stopped and started again on the same folder and port (its
// topics and messages survive), so fault tests can bounce it. `npm test` passes the
// shared broker's folder in WENMING_KAFKA_DIR, which tells a spec that this machine can
// run a broker as a local process. Node's test runner runs spec files concurrently, so
// a test that bounces a broker starts a private one with startLocalKafka() on its own
// folder rather than disturb the shared one.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { containerOrLocalProcess, freePort, message, runScript, scriptAnswer } from './local-server.js';

export interface ProvidedKafka {
  /** Bootstrap addresses, host:port. */
  brokers: string[];
  source: 'env' | 'testcontainers' | 'local-process';
  /** Stops what this call started (nothing for KAFKA_BROKERS). */
  stop(): Promise<void>;
  /** Local process only: the broker's folder (its data lives in <dir>/data). */
  dir?: string;
  /** Local process only: stops the broker, keeping its data, folder and port. */
  stopBroker?(): Promise<void>;
  /** Local process only: starts it again after stopBroker(), on the same folder and port. */
  startBroker?(): Promise<void>;
  /** Local process only: stopBroker() then startBroker(). */
  restart?(): Promise<void>;
}

/**
 * Confluent Platform 7.9 is Apache Kafka 3.9, the line infra/local/kafka/pom.xml pins
 * (the kafkajs-compatible one; INFRA-NOTES). @testcontainers/kafka 11 drives only the
 * confluentinc/cp-kafka images.
 */
const IMAGE = 'confluentinc/cp-kafka:7.9.0';
const SCRIPT = fileURLToPath(new URL('../../../infra/local/kafka/kafka.sh', import.meta.url));
/** The variable `npm test` passes the local broker's folder in (set only for a local process). */
export const KAFKA_DIR_ENV = 'WENMING_KAFKA_DIR';

export async function provideKafka(workDir: string): Promise<ProvidedKafka | { skipped: string }> {
  const fromEnv = process.env.KAFKA_BROKERS;
  if (fromEnv) {
    const brokers = fromEnv
      .split(',')
      .map((b) => b.trim())
      .filter((b) => b !== '');
    return { brokers, source: 'env', stop: async () => undefined };
  }

  return containerOrLocalProcess(IMAGE, fromContainer, 'Kafka', async () => {
    const dir = join(workDir, 'kafka');
    // A fresh cluster for every run, unless a broker still runs there (a run that died
    // without stopping it): then the script reuses it, port and all.
    if ((await runScript(SCRIPT, ['status', dir], 10_000).catch(() => '')) === '') rmSync(dir, { recursive: true, force: true });
    return startLocalKafka(dir);
  });
}

/**
 * Starts (or finds running) a broker as a local process in `dir`, on a free port. A
 * formatted `dir` keeps its cluster and data. Needs Java, and Maven or the jars already
 * in .wenming/kafka-libs.
 */
export async function startLocalKafka(dir: string): Promise<ProvidedKafka & Required<Pick<ProvidedKafka, 'dir'>>> {
  const bootstrap = await startScript(dir, await freePort());
  await warmUp([bootstrap]);
  // The port the broker really listens on (a broker already running in `dir` keeps its own).
  const actualPort = Number(bootstrap.split(':').pop());
  const stopBroker = async () => {
    await runScript(SCRIPT, ['stop', dir], 120_000);
  };
  const startBroker = async () => {
    await warmUp([await startScript(dir, actualPort)]);
  };
  return {
    brokers: [bootstrap],
    source: 'local-process',
    dir,
    stop: stopBroker,
    stopBroker,
    startBroker,
    restart: async () => {
      await stopBroker();
      await startBroker();
    },
  };
}

export interface TopicSpec {
  topic: string;
  numPartitions: number;
}

/**
 * Creates the topics (an existing one is left as it is) and waits until every partition
 * has a leader that really serves it. With KRaft a fresh partition can appear in the
 * metadata before its leader hosts it ("does not host this topic-partition"), so the
 * wait ends only when a ListOffsets to each leader succeeds. The broker's replication
 * factor default applies.
 */
export async function createTopics(brokers: string[], topics: TopicSpec[], timeoutMs = 60_000): Promise<void> {
  const admin = new Kafka({ clientId: 'wenming-test-admin', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: topics.map(({ topic, numPartitions }) => ({ topic, numPartitions })),
      waitForLeaders: true,
      timeout: timeoutMs,
    });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const notReady = await unservedTopics(admin, topics);
      if (notReady === undefined) return;
      if (Date.now() > deadline) throw new Error(`topics not ready after ${timeoutMs} ms: ${notReady}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await admin.disconnect();
  }
}

/** Undefined when every partition of every topic has a leader that answers for it; else why not. */
async function unservedTopics(admin: Admin, topics: TopicSpec[]): Promise<string | undefined> {
  try {
    const { topics: metadata } = await admin.fetchTopicMetadata({ topics: topics.map((t) => t.topic) });
    for (const { topic, numPartitions } of topics) {
      const partitions = metadata.find((m) => m.name === topic)?.partitions ?? [];
      if (partitions.length < numPartitions) return `${topic} has ${partitions.length} of ${numPartitions} partitions`;
      const leaderless = partitions.filter((p) => p.leader < 0 || p.partitionErrorCode !== 0);
      if (leaderless.length > 0) return `${topic} partitions ${leaderless.map((p) => p.partitionId).join(',')} have no leader`;
      const offsets = await admin.fetchTopicOffsets(topic);
      if (offsets.length < numPartitions) return `${topic}: offsets for ${offsets.length} of ${numPartitions} partitions`;
    }
    return undefined;
  } catch (err) {
    return message(err);
  }
}

/**
 * Has a fresh broker create __consumer_offsets and allocate producer ids now, so that the
 * suites' first consumer group and idempotent producer do not meet "the coordinator is
 * loading" (kafkajs retries, but logs each one as an error).
 */
async function warmUp(brokers: string[]): Promise<void> {
  const kafka = new Kafka({ clientId: 'wenming-test-warmup', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await admin.connect();
  try {
    await admin.describeGroups(['wenming-warmup']); // finds the group coordinator
    await producer.connect(); // InitProducerId
  } finally {
    await producer.disconnect();
    await admin.disconnect();
  }
}

async function fromContainer(): Promise<ProvidedKafka> {
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const container = await new KafkaContainer(IMAGE).withKraft().withEnvironment({ KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false' }).start();
  return {
    // 9093 is the container's PLAINTEXT listener, advertised with the mapped port.
    brokers: [`${container.getHost()}:${container.getMappedPort(9093)}`],
    source: 'testcontainers',
    stop: async () => {
      await container.stop();
    },
  };
}

/** Runs `kafka.sh start` and returns the bootstrap address it prints last. */
function startScript(dir: string, port: number): Promise<string> {
  // A cold machine resolves ~70 MB of jars with Maven first.
  return scriptAnswer(SCRIPT, ['start', dir, String(port)], 900_000, /^127\.0\.0\.1:\d+$/, 'bootstrap address');
}
