import { test } from 'node:test';
import { messagingContract } from '../contract/bus-contract.js';
import { KafkaBus } from './kafka-bus.js';

const brokers = process.env.KAFKA_BROKERS?.split(',').filter(Boolean);
const required = process.env.WENMING_REQUIRE_REAL_SERVERS === '1';
const skip = brokers ? undefined : 'KAFKA_BROKERS not set (npm test starts a broker; see README)';
if (skip) {
  console.log(`# Kafka messaging contract SKIPPED: ${skip}`);
  if (required) {
    test('a real Kafka broker is required (WENMING_REQUIRE_REAL_SERVERS=1)', () => {
      throw new Error('KAFKA_BROKERS is not set');
    });
  }
}

messagingContract({
  name: 'Kafka (kafkajs, real broker)',
  skip,
  open: async () => new KafkaBus({ brokers: brokers ?? [], clientId: 'wenming-contract' }),
});
