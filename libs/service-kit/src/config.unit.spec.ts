// The bus settings of loadConfig: the in-process bus unless KAFKA_BROKERS is set,
// and every Kafka setting checked with an error naming its variable.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from './config.js';

const base = { WENMING_DATA_DIR: '/tmp/wenming-config-spec', WENMING_JWT_SECRET: 'x'.repeat(40) };

describe('loadConfig: messaging', () => {
  it('uses the in-process bus in the data directory without KAFKA_BROKERS', () => {
    const { messaging } = loadConfig(base);
    assert.deepEqual(messaging, { kind: 'in-process', path: '/tmp/wenming-config-spec/bus.db', relay: true });
  });

  it('reads brokers, partitions, relay and the namespace', () => {
    const { messaging } = loadConfig({
      ...base,
      KAFKA_BROKERS: 'kafka-1:9092, kafka-2:9092',
      KAFKA_TOPIC_PARTITIONS: '12',
      KAFKA_NAMESPACE: 'city-a.training',
      WENMING_RELAY: 'off',
    });
    assert.deepEqual(messaging, {
      kind: 'kafka',
      brokers: ['kafka-1:9092', 'kafka-2:9092'],
      topicPartitions: 12,
      relay: false,
      namespace: 'city-a.training',
    });
    // An empty namespace is none (compose files often pass KAFKA_NAMESPACE= through).
    const plain = loadConfig({ ...base, KAFKA_BROKERS: 'kafka:9092', KAFKA_NAMESPACE: '' }).messaging;
    assert.equal('namespace' in plain, false);
  });

  for (const [variable, value] of [
    ['KAFKA_BROKERS', 'kafka'],
    ['KAFKA_TOPIC_PARTITIONS', '0'],
    ['KAFKA_NAMESPACE', 'city a'],
    ['KAFKA_NAMESPACE', '.hidden'],
    ['WENMING_RELAY', 'yes'],
  ] as const) {
    it(`refuses ${variable}=${JSON.stringify(value)} naming the variable`, () => {
      assert.throws(
        () => loadConfig({ ...base, KAFKA_BROKERS: 'kafka:9092', [variable]: value }),
        (err) => err instanceof ConfigError && err.variable === variable,
      );
    });
  }
});

describe('loadConfig: the token secret', () => {
  it("refuses the example manifests' placeholder, naming the variable", () => {
    for (const placeholder of ['change-me-to-at-least-32-random-characters', 'CHANGEME-please-0123456789abcdef0123']) {
      assert.throws(
        () => loadConfig({ ...base, WENMING_JWT_SECRET: placeholder }),
        (err) => err instanceof ConfigError && err.variable === 'WENMING_JWT_SECRET' && /placeholder/.test(err.message),
      );
    }
  });
});
