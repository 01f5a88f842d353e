// Finds or starts a real Apache Kafka broker for the suites, in DESIGN §4's order: the
// brokers named by KAFKA_BROKERS; else Docker through testcontainers; else a single-node
// KRaft broker run as a plain local process from Maven Central jars
// (infra/local/kafka/kafka.sh); else a skip whose reason says what each way found.
// Never a mock.
//
// The local broker can be stopped and started again on the same folder and port (its
// topics and messages survive), so fault tests can bounce it. `npm test` runs the specs
// in other processes: it passes the folder in WENMING_KAFKA_DIR, and a spec gets the
// controls back with localKafkaBroker(). The broker is shared by every spec file, and
// node's test runner runs files concurrently: a test that bounces the shared broker
// disturbs the others, so prefer startLocalKafka() on a private folder for that.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { dockerEngine, freePort, message, runScript } from './local-server.js';

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

/** Controls of a local broker started by another process (see localKafkaBroker). */
export interface LocalKafkaBroker {
  dir: string;
  brokers: string[];
  stopBroker(): Promise<void>;
  startBroker(): Promise<void>;
  restart(): Promise<void>;
}

/**
 * Confluent Platform 7.9 is Apache Kafka 3.9, the line infra/local/kafka/pom.xml pins
 * (the kafkajs-compatible one; INFRA-NOTES). @testcontainers/kafka 11 drives only the
 * confluentinc/cp-kafka images.
 */
const IMAGE = 'confluentinc/cp-kafka:7.9.0';
const SCRIPT = fileURLToPath(new URL('../../../infra/local/kafka/kafka.sh', import.meta.url));
/** The variable `npm test` passes the local broker's folder in. */
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

  const reasons: string[] = [];
  const docker = await dockerEngine();
  if (docker === true) {
    try {
      return await fromContainer();
    } catch (err) {
      reasons.push(`testcontainers could not start ${IMAGE}: ${message(err)}`);
    }
  } else {
    reasons.push(`no Docker engine (${docker})`);
  }
  try {
    const dir = join(workDir, 'kafka');
    // A fresh cluster for every run, unless a broker still runs there (a run that died
    // without stopping it): then the script reuses it, port and all.
    if ((await runScript(SCRIPT, ['status', dir], 10_000).catch(() => '')) === '') rmSync(dir, { recursive: true, force: true });
    return await startLocalKafka(dir);
  } catch (err) {
    reasons.push(`no local Kafka process (${message(err)})`);
  }
  return { skipped: reasons.join('; ') };
}

/**
 * Starts (or finds running) a broker as a local process in `dir`, on `port` or a free
 * one. A formatted `dir` keeps its cluster and data. Needs Java, and Maven or the jars
 * already in .wenming/kafka-libs.
 */
export async function startLocalKafka(dir: string, port?: number): Promise<ProvidedKafka & Required<Pick<ProvidedKafka, 'dir'>>> {
  mkdirSync(dir, { recursive: true });
  const bootstrap = await startScript(dir, port ?? (await freePort()));
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

/**
 * The controls of the local broker `npm test` started (it passes its folder in
 * WENMING_KAFKA_DIR), or undefined when the brokers came from elsewhere.
 */
export function localKafkaBroker(env: NodeJS.ProcessEnv = process.env): LocalKafkaBroker | undefined {
  const dir = env[KAFKA_DIR_ENV];
  if (!dir) return undefined;
  const port = Number(readFileSync(join(dir, 'port'), 'utf8').trim());
  const stopBroker = async () => {
    await runScript(SCRIPT, ['stop', dir], 120_000);
  };
  const startBroker = async () => {
    await warmUp([await startScript(dir, port)]);
  };
  return {
    dir,
    brokers: [`127.0.0.1:${port}`],
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
async function startScript(dir: string, port: number): Promise<string> {
  // A cold machine resolves ~70 MB of jars with Maven first.
  const stdout = await runScript(SCRIPT, ['start', dir, String(port)], 900_000);
  const bootstrap = stdout.trim().split('\n').pop() ?? '';
  if (!/^127\.0\.0\.1:\d+$/.test(bootstrap)) throw new Error(`${SCRIPT} printed no bootstrap address: ${stdout.slice(-300)}`);
  return bootstrap;
}
