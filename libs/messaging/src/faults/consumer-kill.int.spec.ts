// Issue 3, fault 3: "a consumer killed between processing and committing: after
// restart, the read side shows each event's effect exactly once."
//
// The relay publishes 4,000 stored events (20 units) to a 6-partition topic. A
// consumer child process (consumer-process.ts) projects them into a SQLite read model
// with SqliteProcessedEvents.onceAtomic, while kafkajs commits its offsets only every
// autoCommit interval. It is SIGKILLed a random few ms after it reported between 800
// and 2,400 applied events: the events applied since the last offset commit are then
// in the read model but not committed (counted from the read model and the group's
// committed offsets), so the restarted consumer (same group) is given them again.
// It must skip each of them: the per-unit counters equal the store's per-unit event
// counts and the applied-event log has no duplicate.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SqliteEventStore } from '@wenming/eventstore';
import Database from 'better-sqlite3';
import { KafkaBus } from '../kafka/kafka-bus.js';
import { startRelay } from '../relay.js';
import {
  appendSpread,
  type Child,
  committedCount,
  reap,
  sharedBrokers,
  startChild,
  topicEnd,
  uniqueName,
  waitFor,
  within,
} from './fault-kit.js';

const SUITE = 'fault: SIGKILL of a consumer between processing and committing';
const EVENTS = 4_000;
const UNITS = 20;
const PARTITIONS = 6;
const consumerScript = fileURLToPath(new URL('./consumer-process.ts', import.meta.url));

const gate = sharedBrokers(SUITE);

function readModel(path: string) {
  const db = new Database(path);
  try {
    const applied = (db.prepare('SELECT count(*) AS n FROM applied_events').get() as { n: number }).n;
    const distinct = (db.prepare('SELECT count(DISTINCT event_id) AS n FROM applied_events').get() as { n: number }).n;
    const marks = (db.prepare('SELECT count(*) AS n FROM processed_events').get() as { n: number }).n;
    const counters = new Map(
      (db.prepare('SELECT unit_id, events FROM unit_counters').all() as { unit_id: string; events: number }[]).map((r) => [
        r.unit_id,
        r.events,
      ]),
    );
    const ids = new Set((db.prepare('SELECT event_id FROM applied_events').all() as { event_id: string }[]).map((r) => r.event_id));
    return { applied, distinct, marks, counters, ids };
  } finally {
    db.close();
  }
}

describe(SUITE, { skip: gate.skip ?? false }, () => {
  const brokers = gate.brokers ?? [];
  let dir: string;
  let store: SqliteEventStore;
  let bus: KafkaBus;
  const children: Child[] = [];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'wenming-consumer-kill-'));
    bus = new KafkaBus({ brokers, clientId: 'wenming-fault-consumer-kill' });
  });
  after(async () => {
    await Promise.all(children.map(reap));
    await bus?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies each event exactly once although the restarted consumer is redelivered some', { timeout: 120_000 }, async () => {
    const started = Date.now();
    store = new SqliteEventStore({ path: join(dir, 'events.db'), pollIntervalMs: 20 });
    await appendSpread(store, EVENTS, UNITS, 2, 50);
    const topic = uniqueName('wenming.faults.consumerkill');
    await bus.createTopics([{ topic, numPartitions: PARTITIONS }]);
    const relay = startRelay({ store, bus, topicOf: () => topic, checkpoint: 'relay-consumer-kill' });
    await relay.caughtUp;
    await relay.stop();
    const { total } = await topicEnd(brokers, topic);
    assert.equal(total, EVENTS, 'the relay published each event once');

    const groupId = uniqueName('wenming-fault-projection');
    const readModelPath = join(dir, 'read-model.db');
    const args = [brokers.join(','), topic, groupId, readModelPath];

    // First run: killed a random few ms after it reported `threshold` applied events.
    const threshold = 800 + Math.floor(Math.random() * 1_600);
    const delayMs = Math.floor(Math.random() * 6);
    let applied1 = 0;
    let killed = false;
    const first = startChild(consumerScript, args, (line) => {
      if (!line.startsWith('applied ')) return;
      applied1++;
      if (!killed && applied1 >= threshold) {
        killed = true;
        setTimeout(() => first.process.kill('SIGKILL'), delayMs);
      }
    });
    children.push(first);
    const exit = await within(60_000, `the first consumer run reports ${threshold} applied events and is killed`, first.exited);
    assert.equal(exit.signal, 'SIGKILL', `the consumer was killed (it exited with ${JSON.stringify(exit)} after ${applied1} applied)`);

    const atKill = readModel(readModelPath);
    const committedAtKill = await committedCount(brokers, groupId, topic);
    const appliedNotCommitted = atKill.applied - committedAtKill;
    assert.ok(atKill.applied < EVENTS, `the kill landed mid-run (${atKill.applied} of ${EVENTS} applied)`);
    assert.ok(
      appliedNotCommitted >= 0,
      `offsets are committed only after processing (${committedAtKill} committed, ${atKill.applied} applied)`,
    );

    // Second run, same group: resumes from the committed offsets, so it is given the
    // applied-but-uncommitted events again. It must skip them.
    let applied2 = 0;
    let redelivered2 = 0;
    const second = startChild(consumerScript, args, (line) => {
      if (line.startsWith('applied ')) applied2++;
      else if (line.startsWith('redelivered ')) redelivered2++;
    });
    children.push(second);
    // The group rebalances only once the killed member's session (10 s) expired.
    await waitFor(
      async () => applied2 + atKill.applied >= EVENTS && (await committedCount(brokers, groupId, topic)) >= EVENTS,
      60_000,
      'the restarted consumer applies the rest and commits to the end of the topic',
      () => `${applied2} applied, ${redelivered2} redelivered`,
    );
    second.process.kill('SIGTERM');
    assert.deepEqual(
      await within(30_000, 'the restarted consumer stops on SIGTERM', second.exited),
      { code: 0, signal: null },
      'the restarted consumer stops cleanly',
    );

    console.log(
      `consumer-kill: killed ${delayMs} ms after ${threshold} applied events reported; the read model then held ${atKill.applied}, ` +
        `the group had committed ${committedAtKill}: ${appliedNotCommitted} applied but not committed; ` +
        `the restarted consumer applied ${applied2} and skipped ${redelivered2} redelivered; ${Date.now() - started} ms`,
    );
    const end = readModel(readModelPath);
    assert.equal(end.applied, EVENTS, 'each event applied once');
    assert.equal(end.distinct, EVENTS, 'no event applied twice');
    assert.equal(end.marks, EVENTS, 'one processed mark per event');
    const stored = new Map<string, number>();
    for await (const e of store.readAll()) {
      assert.ok(end.ids.has(e.id), `event ${e.id} applied`);
      stored.set(e.metadata.unitId!, (stored.get(e.metadata.unitId!) ?? 0) + 1);
    }
    assert.deepEqual(new Map([...end.counters].sort()), new Map([...stored].sort()), 'per-unit counters equal the per-unit event counts');
    assert.equal(applied2, EVENTS - atKill.applied, 'the restart applied exactly what the first run had not');
    // Everything applied but not committed at the kill is redelivered (and skipped).
    assert.ok(redelivered2 >= appliedNotCommitted, `${redelivered2} redelivered, ${appliedNotCommitted} applied but not committed`);
    if (appliedNotCommitted > 0) assert.ok(redelivered2 > 0);
  });
});
