import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { Kafka } from 'kafkajs';
import { messagingContract } from '../contract/bus-contract.js';
import { sharedBrokers } from '../faults/fault-kit.js';
import { KafkaBus } from './kafka-bus.js';

const { brokers, skip } = sharedBrokers('Kafka messaging contract');

messagingContract({
  name: 'Kafka (kafkajs, real broker)',
  skip,
  open: async () => new KafkaBus({ brokers: brokers ?? [], clientId: 'wenming-contract' }),
});

// The same contract with every topic and group under a namespace (KAFKA_NAMESPACE).
messagingContract({
  name: 'Kafka under a namespace',
  skip,
  open: async () => new KafkaBus({ brokers: brokers ?? [], clientId: 'wenming-contract', namespace: `ns-${randomUUID().slice(0, 8)}` }),
});

describe('Kafka namespaces', { skip: skip ?? false }, () => {
  it('keeps two deployments on one cluster apart: topics and groups are prefixed on the broker', async () => {
    const nsA = `city-a-${randomUUID().slice(0, 6)}`;
    const a = new KafkaBus({ brokers: brokers!, namespace: nsA });
    const b = new KafkaBus({ brokers: brokers!, namespace: `city-b-${randomUUID().slice(0, 6)}` });
    const topic = 'wenming.inspection.events.v1';
    try {
      await a.createTopics([{ topic, numPartitions: 2 }]);
      await b.createTopics([{ topic, numPartitions: 2 }]);
      await a.publish(topic, [
        { key: 'u1', value: 'for a' },
        { key: 'u2', value: 'for a too' },
      ]);
      assert.equal(await a.lag('inspection.catalogs', [topic]), 2);
      assert.equal(await b.lag('inspection.catalogs', [topic]), 0, "city b's topic holds none of city a's messages");

      const seen: string[] = [];
      const consumer = await a.consume({
        groupId: 'inspection.catalogs',
        topics: [topic],
        handler: async (m) => {
          seen.push(`${m.topic}:${m.value}`);
        },
      });
      const deadline = Date.now() + 30_000;
      while (seen.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await consumer.stop();
      // Handlers see the plain topic name, whatever the namespace.
      assert.deepEqual(seen.sort(), [`${topic}:for a`, `${topic}:for a too`]);

      const admin = new Kafka({ brokers: brokers!, logLevel: 0 }).admin();
      await admin.connect();
      try {
        const onBroker = await admin.listTopics();
        assert.ok(onBroker.includes(`${nsA}.${topic}`), 'the prefixed topic exists');
        const groups = (await admin.listGroups()).groups.map((g) => g.groupId);
        assert.ok(groups.includes(`${nsA}.inspection.catalogs`), groups.join(', '));
      } finally {
        await admin.disconnect();
      }
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('refuses a namespace Kafka could not name a topic with', () => {
    for (const bad of ['', '.hidden', 'city a', 'x'.repeat(101), 'city/a']) {
      assert.throws(() => new KafkaBus({ brokers: ['localhost:9092'], namespace: bad }), /Kafka namespace/, JSON.stringify(bad));
    }
  });
});
