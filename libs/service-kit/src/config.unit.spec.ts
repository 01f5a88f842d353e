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

describe('loadConfig: limits (issue 12)', () => {
  it('has generous defaults', () => {
    assert.deepEqual(loadConfig(base).limits, {
      rateLimitMax: 6000,
      rateLimitWindowMs: 60_000,
      httpBodyLimit: 1024 * 1024,
      httpHeadersTimeoutMs: 10_000,
      httpRequestTimeoutMs: 60_000,
      httpKeepAliveTimeoutMs: 72_000,
      httpConnectionTimeoutMs: 120_000,
      grpcMaxReceiveMessageBytes: 4 * 1024 * 1024,
    });
  });

  it('reads every limit from its variable', () => {
    const { limits } = loadConfig({
      ...base,
      WENMING_RATE_LIMIT: '50',
      WENMING_RATE_LIMIT_WINDOW_SEC: '10',
      HTTP_BODY_LIMIT: '65536',
      HTTP_HEADERS_TIMEOUT_MS: '2000',
      HTTP_REQUEST_TIMEOUT_MS: '5000',
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '4000',
      HTTP_CONNECTION_TIMEOUT_MS: '0',
      GRPC_MAX_MESSAGE_BYTES: '1048576',
    });
    assert.deepEqual(limits, {
      rateLimitMax: 50,
      rateLimitWindowMs: 10_000,
      httpBodyLimit: 65536,
      httpHeadersTimeoutMs: 2000,
      httpRequestTimeoutMs: 5000,
      httpKeepAliveTimeoutMs: 4000,
      httpConnectionTimeoutMs: 0,
      grpcMaxReceiveMessageBytes: 1048576,
    });
  });

  it('refuses a value that is not a whole number in range, naming the variable', () => {
    for (const [name, value] of [
      ['WENMING_RATE_LIMIT', '0'],
      ['WENMING_RATE_LIMIT', 'lots'],
      ['HTTP_BODY_LIMIT', '1.5'],
      ['GRPC_MAX_MESSAGE_BYTES', '-1'],
      ['HTTP_HEADERS_TIMEOUT_MS', '120000'], // longer than the request timeout
    ] as const) {
      assert.throws(
        () => loadConfig({ ...base, [name]: value }),
        (err) => err instanceof ConfigError && err.variable === name,
        `${name}=${value}`,
      );
    }
  });
});

describe('loadConfig: errors never print a password', () => {
  it('redacts a URL quoted in an error', () => {
    assert.throws(
      () => loadConfig({ ...base, WENMING_JWT_SECRET: '', WENMING_JWKS_URL: 'ftp://sso:t0ps3cret@sso.city/jwks' }),
      (err) => err instanceof ConfigError && !err.message.includes('t0ps3cret') && err.message.includes('sso:***@'),
    );
  });

  it('does not echo credentials written into KAFKA_BROKERS', () => {
    assert.throws(
      () => loadConfig({ ...base, KAFKA_BROKERS: 'svc:t0ps3cret@kafka-1:9092' }),
      (err) => err instanceof ConfigError && err.variable === 'KAFKA_BROKERS' && !err.message.includes('t0ps3cret'),
    );
  });
});

describe("loadConfig: inspection's gRPC address for look-back (issue 13)", () => {
  const production = {
    ...base,
    WENMING_PROFILE: 'production',
    EVENTSTORE_URL: 'postgresql://wenming@db/wenming',
    MONGODB_URL: 'mongodb://mongodb:27017',
  };

  it('is required in the production profile when look-back runs without inspection, naming the variable', () => {
    for (const WENMING_SERVICES of ['lookback', 'lookback,plan-submission']) {
      for (const unset of [{}, { WENMING_INSPECTION_GRPC: '' }, { WENMING_INSPECTION_GRPC: '  ' }]) {
        assert.throws(
          () => loadConfig({ ...production, WENMING_SERVICES, ...unset }),
          (err) =>
            err instanceof ConfigError &&
            err.variable === 'WENMING_INSPECTION_GRPC' &&
            /required when look-back runs without inspection in the production profile/.test(err.message),
        );
      }
    }
  });

  it('takes host:port, a DNS name, an IPv4 or a bracketed IPv6 address', () => {
    for (const address of ['inspection:50051', 'wenming-inspection.city.svc.cluster.local:50051', '10.0.0.7:1', '[::1]:50051']) {
      const config = loadConfig({ ...production, WENMING_SERVICES: 'lookback', WENMING_INSPECTION_GRPC: ` ${address} ` });
      assert.equal(config.inspectionGrpc, address);
    }
  });

  it('refuses a value that is not host:port, naming the variable', () => {
    for (const value of [
      'inspection',
      'inspection:',
      'inspection:0',
      'inspection:65536',
      'http://inspection:50051',
      'a b:1',
      '::1:50051',
    ]) {
      for (const env of [production, base]) {
        assert.throws(
          () => loadConfig({ ...env, WENMING_SERVICES: 'lookback', WENMING_INSPECTION_GRPC: value }),
          (err) => err instanceof ConfigError && err.variable === 'WENMING_INSPECTION_GRPC' && err.message.includes('is not host:port'),
          value,
        );
      }
    }
  });

  it("defaults to this process's own gRPC port in the embedded profile or with inspection in the process", () => {
    assert.equal(loadConfig({ ...base, WENMING_SERVICES: 'lookback' }).inspectionGrpc, undefined);
    assert.equal(loadConfig(base).inspectionGrpc, undefined);
    assert.equal(loadConfig({ ...production, WENMING_SERVICES: 'lookback,inspection' }).inspectionGrpc, undefined);
    assert.equal(loadConfig({ ...production }).inspectionGrpc, undefined);
  });

  it('is read only by a process that runs look-back (elsewhere it would do nothing)', () => {
    const read = new Set<string>();
    const env = new Proxy<NodeJS.ProcessEnv>(
      { ...production, WENMING_SERVICES: 'inspection', WENMING_INSPECTION_GRPC: 'not an address' },
      {
        get(target, name) {
          if (typeof name === 'string') read.add(name);
          return Reflect.get(target, name);
        },
      },
    );
    assert.equal(loadConfig(env).inspectionGrpc, undefined);
    assert.equal(read.has('WENMING_INSPECTION_GRPC'), false);
  });
});
