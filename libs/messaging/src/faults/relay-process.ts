// Child process of relay-kill.int.spec.ts: the relay as it runs in production, on
// its own. It opens the event store by URL and a KafkaBus, and relays the whole log
// to one topic from a fixed checkpoint name. After each acknowledged (and
// checkpointed) batch it prints `published <events so far> <last position>`, and
// `caught-up` once it has published everything stored. SIGTERM stops it cleanly.
import { openEventStore } from '@wenming/eventstore';
import { Kafka } from 'kafkajs';
import { KafkaBus } from '../kafka/kafka-bus.js';
import { startRelay } from '../relay.js';

const [url, brokers, topic, checkpoint] = process.argv.slice(2);
if (!url || !brokers || !topic || !checkpoint) throw new Error('usage: relay-process <eventstore-url> <brokers> <topic> <checkpoint>');

// Whether kafkajs is instrumented here (started with the telemetry register module, as
// in production): the OpenTelemetry instrumentation wraps every producer's send.
const probe = new Kafka({ brokers: brokers.split(','), clientId: 'wenming-probe' }).producer();
process.stdout.write(`kafkajs-instrumented ${'__wrapped' in probe.send}\n`);

const store = await openEventStore(url, { pollIntervalMs: 20 });
const bus = new KafkaBus({ brokers: brokers.split(','), clientId: 'wenming-fault-relay' });
let published = 0;
const relay = startRelay({
  store,
  bus,
  topicOf: () => topic,
  checkpoint,
  retryDelayMs: 200,
  onError: (err) => console.error('relay-process: publish failed, retrying from the checkpoint:', err),
  onPublished: (events) => {
    published += events.length;
    process.stdout.write(`published ${published} ${events[events.length - 1]!.position}\n`);
  },
});
relay.caughtUp.then(() => process.stdout.write('caught-up\n'));

process.once('SIGTERM', async () => {
  await relay.stop();
  await bus.close();
  await store.close();
  process.exit(0);
});
