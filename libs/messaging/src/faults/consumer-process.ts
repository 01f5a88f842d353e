// Child process of consumer-kill.int.spec.ts: a projection as it runs in production.
// It consumes relayed events with startEventConsumer (KafkaBus: offsets are committed
// by kafkajs' autoCommit interval, after handlers resolved) and applies each event to
// a read model in a SQLite file with SqliteProcessedEvents.onceAtomic: the effect and
// the "processed" mark commit in one transaction. A SIGKILL therefore lands between
// processing and committing: events applied since the last offset commit come again
// after a restart, and must change nothing.
//
// Read model: per-unit event counters, and a log of applied event ids with no unique
// constraint (so a double application would show as a duplicate row).
// Prints `applied <id>` or `redelivered <id>` after each event's transaction; SIGTERM
// stops it cleanly.

import { startEventConsumer } from '../event-consumer.js';
import { KafkaBus } from '../kafka/kafka-bus.js';
import { SqliteProcessedEvents } from '../processed-events.js';

const [brokers, topic, groupId, readModelPath] = process.argv.slice(2);
if (!brokers || !topic || !groupId || !readModelPath)
  throw new Error('usage: consumer-process <brokers> <topic> <group-id> <read-model.db>');

const processed = new SqliteProcessedEvents(readModelPath);
processed.db.exec(`
  CREATE TABLE IF NOT EXISTS unit_counters (unit_id TEXT PRIMARY KEY, events INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS applied_events (seq INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL, unit_id TEXT NOT NULL, position INTEGER NOT NULL);
`);
const bump = processed.db.prepare(
  'INSERT INTO unit_counters (unit_id, events) VALUES (?, 1) ON CONFLICT (unit_id) DO UPDATE SET events = events + 1',
);
const log = processed.db.prepare('INSERT INTO applied_events (event_id, unit_id, position) VALUES (?, ?, ?)');

const bus = new KafkaBus({ brokers: brokers.split(','), clientId: 'wenming-fault-consumer' });
const consumer = await startEventConsumer({
  bus,
  groupId,
  topics: [topic],
  accepts: { ProgressReported: 1 },
  handle: async (event) => {
    const unitId = event.metadata.unitId ?? '';
    const applied = processed.onceAtomic(groupId, event.id, () => {
      bump.run(unitId);
      log.run(event.id, unitId, event.position);
    });
    process.stdout.write(`${applied ? 'applied' : 'redelivered'} ${event.id}\n`);
  },
});
process.stdout.write('consuming\n');

process.once('SIGTERM', async () => {
  await consumer.stop();
  await bus.close();
  await processed.close();
  process.exit(0);
});
consumer.done.catch((err) => {
  console.error('consumer-process: the consumer failed:', err);
  process.exit(1);
});
