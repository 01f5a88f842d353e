// Issue 3, fault 2: "stop and restart the broker in the middle of a run: the producer
// retries, nothing is lost."
//
// A private single-node broker (startLocalKafka on a temp folder: bouncing the shared
// one would disturb the spec files running meanwhile). An appender adds a few events
// every 10 ms to a SQLite store while two relays publish them, each to its own topic:
//  - `patient`: KafkaBus' default retry budget (60 s), so its producer rides out the
//    outage by retrying the send in flight;
//  - `impatient`: a retry budget of ~3 s, shorter than the outage, so its sends fail
//    and the relay's own loop resubscribes from its checkpoint and tries again.
// Once both have events acknowledged, the broker is stopped; appends go on while it is
// down for 4 s; it is started again on the same folder and port. Consumers in their own
// groups then read both topics: every appended event id, per unit in the store's order.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SqliteEventStore } from '@wenming/eventstore';
import { createTopics, KAFKA_DIR_ENV, type ProvidedKafka, startLocalKafka } from '@wenming/testing';
import { KafkaBus } from '../kafka/kafka-bus.js';
import { type Relay, startRelay } from '../relay.js';
import {
  assertCompleteInUnitOrder,
  Collector,
  progressEvent,
  requireReal,
  skipOrFail,
  sleep,
  uniqueName,
  waitFor,
  within,
} from './fault-kit.js';

const SUITE = 'fault: broker stopped and restarted mid-run';
const UNITS = 8;
const DOWN_MS = 4_000;
/** The whole test, broker starts included, fails rather than hang past this. */
const TEST_BUDGET_MS = 150_000;

// Only where npm test could run a local broker itself (or where CI demands the suites).
const skip =
  process.env[KAFKA_DIR_ENV] || requireReal
    ? undefined
    : `${KAFKA_DIR_ENV} not set: npm test did not run a local broker, so this machine may not run the private one this test bounces`;
if (skip) skipOrFail(SUITE, skip);

interface Relayed {
  name: string;
  topic: string;
  bus: KafkaBus;
  relay: Relay;
  acked: number;
  publishedUpTo: number;
  errors: string[];
  collector?: Collector;
}

describe(SUITE, { skip: skip ?? false }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'wenming-broker-restart-'));
  let kafka: (ProvidedKafka & { dir: string }) | undefined;
  let store: SqliteEventStore | undefined;
  const relays: Relayed[] = [];
  let appending = false;

  after(async () => {
    appending = false;
    for (const r of relays) {
      await r.relay.stop().catch(() => undefined);
      await r.collector?.stop().catch(() => undefined);
      await r.bus.close().catch(() => undefined);
    }
    await store?.close();
    await kafka?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('relays publish every event appended before, during and after the outage, in order per unit', {
    timeout: TEST_BUDGET_MS,
  }, async () => {
    const started = Date.now();
    kafka = await within(120_000, 'a private broker starts', startLocalKafka(join(dir, 'kafka')));
    const { brokers } = kafka;
    store = new SqliteEventStore({ path: join(dir, 'events.db'), pollIntervalMs: 20 });
    for (const [name, retryForMs] of [
      ['patient', undefined],
      ['impatient', 0], // kafkajs then retries 5 times: ~3 s of backoff in all
    ] as const) {
      const topic = uniqueName(`wenming.faults.brokerrestart.${name}`);
      await createTopics(brokers, [{ topic, numPartitions: 3 }]);
      const bus = new KafkaBus({ brokers, clientId: `wenming-fault-${name}`, ...(retryForMs === undefined ? {} : { retryForMs }) });
      const entry: Relayed = { name, topic, bus, acked: 0, publishedUpTo: 0, errors: [], relay: undefined as unknown as Relay };
      entry.relay = startRelay({
        store,
        bus,
        topicOf: () => topic,
        checkpoint: `relay-${name}`,
        retryDelayMs: 200,
        onError: (err) => entry.errors.push(err instanceof Error ? `${err.name}: ${err.message}` : String(err)),
        onPublished: (events) => {
          entry.acked += events.length;
          entry.publishedUpTo = events[events.length - 1]!.position;
        },
      });
      relays.push(entry);
    }

    // A steady stream of appends: 1–5 events every 10 ms, to two streams per unit.
    let appended = 0;
    let appendedUpTo = 0;
    let appendFailure: unknown;
    appending = true;
    const appender = (async () => {
      for (let n = 0; appending; n++) {
        const unit = n % UNITS;
        const size = 1 + (n % 5);
        const result = await store!.append(
          `rectification-r${unit}s${n % 2}`,
          Array.from({ length: size }, (_, i) => progressEvent(`unit-${unit}`, n * 10 + i)),
        );
        appended += size;
        appendedUpTo = result.position;
        await sleep(10);
      }
    })().catch((err) => {
      appendFailure = err;
    });

    const progress = () =>
      relays.map((r) => `${r.name}: ${r.acked} acknowledged, up to ${r.publishedUpTo}, ${r.errors.length} errors`).join('; ');
    await waitFor(() => relays.every((r) => r.acked >= 200), 30_000, 'the relays have 200 events acknowledged before the outage', progress);
    const ackedBeforeStop = relays.map((r) => r.acked);
    const outageStarted = Date.now();
    await within(60_000, 'the broker stops', kafka.stopBroker!());
    const stopMs = Date.now() - outageStarted;
    const appendedAtStop = appended;
    await sleep(DOWN_MS); // the outage itself: appends go on, nothing can be published
    const appendedWhileDown = appended - appendedAtStop;
    let t = Date.now();
    await within(120_000, 'the broker starts again on the same folder and port', kafka.startBroker!());
    const startMs = Date.now() - t;
    const outageMs = Date.now() - outageStarted;

    // Keep appending until both relays have published what was appended during the outage.
    const positionAtRestart = appendedUpTo;
    await waitFor(
      () => relays.every((r) => r.publishedUpTo >= positionAtRestart),
      60_000,
      'the relays publish what was appended during the outage',
      () => `${progress()}; last errors: ${relays.map((r) => r.errors.at(-1) ?? 'none').join(' | ')}`,
    );
    appending = false;
    await appender;
    assert.equal(appendFailure, undefined, 'the appender never failed');
    const lastPosition = appendedUpTo;
    await waitFor(() => relays.every((r) => r.publishedUpTo >= lastPosition), 30_000, 'the relays publish every appended event', progress);

    const units = Array.from({ length: UNITS }, (_, u) => `unit-${u}`);
    const report: string[] = [];
    for (const r of relays) {
      t = Date.now();
      r.collector = new Collector(brokers, r.topic);
      await r.collector.start();
      const inTopic = await r.collector.drain(60_000);
      assert.equal(inTopic, r.collector.messages.length);
      const duplicates = await assertCompleteInUnitOrder(store, r.collector.messages, units);
      report.push(
        `${r.name} relay: ${r.errors.length} failed publishes (resubscribed from the checkpoint)${r.errors[0] ? ` e.g. ${r.errors[0]}` : ''}, ` +
          `${inTopic} messages, ${duplicates} duplicates`,
      );
    }
    console.log(
      `broker-restart: ${appended} events appended (${ackedBeforeStop.join('/')} acknowledged before the stop, ${appendedWhileDown} appended while down); ` +
        `broker stop ${stopMs} ms, down ${DOWN_MS} ms, start ${startMs} ms; ${report.join('; ')}; ${Date.now() - started} ms`,
    );
    assert.ok(appendedWhileDown > 0, 'events were appended during the outage');
    // The impatient producer gives up after ~3 s of backoff (at most ~3.7 s with jitter):
    // an outage this long makes its relay take the resubscribe path at least once.
    const impatient = relays.find((r) => r.name === 'impatient')!;
    if (outageMs > 5_000) assert.ok(impatient.errors.length > 0, `the impatient relay saw its sends fail during a ${outageMs} ms outage`);
  });
});
