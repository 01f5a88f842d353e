// Child process for the kill test: appends batches as fast as it can and prints
// each batch's ids only after the store acknowledged it. The parent SIGKILLs it
// at an arbitrary instant and checks that every printed id survived.
import { randomUUID } from 'node:crypto';
import { openEventStore } from '../open.js';

const [url, streams = '8'] = process.argv.slice(2);
if (!url) throw new Error('usage: append-until-killed <eventstore-url> [streams]');
const store = await openEventStore(url);
const streamCount = Number(streams);
for (let n = 0; ; n++) {
  const stream = `rectification-kill${n % streamCount}`;
  const events = Array.from({ length: 1 + (n % 5) }, (_, i) => ({
    id: randomUUID(),
    type: 'ProgressReported',
    occurredAt: '2026-05-01T10:00:00+08:00',
    data: { batch: n, step: i },
    metadata: { unitId: `unit-${n % streamCount}` },
  }));
  await store.append(stream, events);
  process.stdout.write(`ack ${events.map((e) => e.id).join(' ')}\n`);
}
