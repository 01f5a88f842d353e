// Process configuration from environment variables, checked once at start so a
// wrong value fails fast with the variable's name instead of surfacing later.
import { resolve } from 'node:path';

export const SERVICE_NAMES = ['plan-submission', 'inspection', 'supervision', 'awards', 'lookback'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface WenmingConfig {
  profile: 'embedded' | 'production';
  dataDir: string;
  host: string;
  httpPort: number;
  grpcPort: number;
  eventStoreUrl: string;
  services: ServiceName[];
  logLevel: string;
  auth: AuthConfig;
  messaging: MessagingConfig;
}

/**
 * The bus the relay publishes to: Kafka when KAFKA_BROKERS is set, otherwise the
 * durable in-process bus in the data directory (one process only). `relay` says
 * whether this process runs the relay: run it in one process per event store
 * (several relays would each publish everything, harmless but wasteful).
 */
export type MessagingConfig =
  | { kind: 'kafka'; brokers: string[]; topicPartitions: number; relay: boolean }
  | { kind: 'in-process'; path: string; relay: boolean };

/**
 * How bearer tokens are verified (DESIGN §5). `hs256`: one shared secret, the
 * embedded profile's way (from WENMING_JWT_SECRET, else a secret generated once
 * into `secretFile` so the server and the `wenming token` CLI agree). `jwks`: RS256 /
 * ES256 keys fetched from the city SSO's JWKS URL, the production way.
 */
export type AuthConfig =
  | { mode: 'hs256'; secret?: string; secretFile: string; issuer?: string; audience?: string }
  | { mode: 'jwks'; jwksUrl: string; issuer?: string; audience?: string };

/** HS256 keys shorter than the hash output (256 bits) weaken it (RFC 7518 §3.2). */
export const MIN_JWT_SECRET_LENGTH = 32;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): WenmingConfig {
  const profile = env.WENMING_PROFILE ?? 'embedded';
  if (profile !== 'embedded' && profile !== 'production') {
    throw new ConfigError('WENMING_PROFILE', `${JSON.stringify(profile)} is not a profile; use embedded or production`);
  }
  const dataDir = resolve(env.WENMING_DATA_DIR ?? './data');
  const eventStoreUrl = env.EVENTSTORE_URL ?? `sqlite:${resolve(dataDir, 'events.db')}`;
  if (profile === 'production' && eventStoreUrl.startsWith('sqlite:') && env.EVENTSTORE_URL === undefined) {
    throw new ConfigError('EVENTSTORE_URL', 'is required in the production profile (postgresql://… or esdb://…)');
  }
  return {
    profile,
    dataDir,
    // The embedded profile is one machine's business: listen on loopback unless told otherwise.
    host: env.BIND_HOST ?? (profile === 'embedded' ? '127.0.0.1' : '0.0.0.0'),
    httpPort: port(env, 'HTTP_PORT', 8080),
    grpcPort: port(env, 'GRPC_PORT', 50051),
    eventStoreUrl,
    services: services(env.WENMING_SERVICES ?? 'all'),
    logLevel: env.LOG_LEVEL ?? 'info',
    auth: auth(env, profile, dataDir),
    messaging: messaging(env, dataDir),
  };
}

function messaging(env: NodeJS.ProcessEnv, dataDir: string): MessagingConfig {
  const relayRaw = env.WENMING_RELAY ?? 'on';
  if (relayRaw !== 'on' && relayRaw !== 'off') {
    throw new ConfigError('WENMING_RELAY', `${JSON.stringify(relayRaw)} is not on or off`);
  }
  const relay = relayRaw === 'on';
  const brokersRaw = nonEmpty(env.KAFKA_BROKERS);
  if (brokersRaw === undefined) return { kind: 'in-process', path: resolve(dataDir, 'bus.db'), relay };
  const brokers = brokersRaw.split(',').map((b) => b.trim());
  for (const broker of brokers) {
    if (!/^[A-Za-z0-9.-]+:\d{1,5}$/.test(broker)) {
      throw new ConfigError(
        'KAFKA_BROKERS',
        `${JSON.stringify(broker)} is not host:port (use a comma list, e.g. kafka-1:9092,kafka-2:9092)`,
      );
    }
  }
  const partitions = Number(env.KAFKA_TOPIC_PARTITIONS ?? 6);
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > 1000) {
    throw new ConfigError('KAFKA_TOPIC_PARTITIONS', `${JSON.stringify(env.KAFKA_TOPIC_PARTITIONS)} is not a partition count (1-1000)`);
  }
  return { kind: 'kafka', brokers, topicPartitions: partitions, relay };
}

function auth(env: NodeJS.ProcessEnv, profile: 'embedded' | 'production', dataDir: string): AuthConfig {
  const issuer = nonEmpty(env.WENMING_JWT_ISSUER);
  const audience = nonEmpty(env.WENMING_JWT_AUDIENCE);
  const claims = { ...(issuer !== undefined ? { issuer } : {}), ...(audience !== undefined ? { audience } : {}) };
  const secret = nonEmpty(env.WENMING_JWT_SECRET);
  const jwksUrl = nonEmpty(env.WENMING_JWKS_URL);
  if (secret !== undefined && jwksUrl !== undefined) {
    throw new ConfigError('WENMING_JWT_SECRET', 'and WENMING_JWKS_URL are both set; set one (a shared HS256 secret, or the SSO key set)');
  }
  if (jwksUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(jwksUrl);
    } catch {
      throw new ConfigError('WENMING_JWKS_URL', `${JSON.stringify(jwksUrl)} is not a URL`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new ConfigError('WENMING_JWKS_URL', `${JSON.stringify(jwksUrl)} must be an http(s) URL`);
    }
    return { mode: 'jwks', jwksUrl: url.href, ...claims };
  }
  if (secret !== undefined && secret.length < MIN_JWT_SECRET_LENGTH) {
    throw new ConfigError(
      'WENMING_JWT_SECRET',
      `is ${secret.length} characters; use at least ${MIN_JWT_SECRET_LENGTH} (e.g. openssl rand -base64 48)`,
    );
  }
  // A generated secret lives on one machine's disk: fine for the embedded profile,
  // wrong for replicas that must all accept the same tokens.
  if (profile === 'production' && secret === undefined) {
    throw new ConfigError('WENMING_JWKS_URL', 'is required in the production profile (or WENMING_JWT_SECRET, shared by every replica)');
  }
  return { mode: 'hs256', ...(secret !== undefined ? { secret } : {}), secretFile: resolve(dataDir, 'jwt-secret'), ...claims };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new ConfigError(name, `${JSON.stringify(raw)} is not a port number (0-65535; 0 picks a free port)`);
  }
  return value;
}

function services(raw: string): ServiceName[] {
  if (raw.trim() === 'all') return [...SERVICE_NAMES];
  const names = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const name of names) {
    if (!(SERVICE_NAMES as readonly string[]).includes(name)) {
      throw new ConfigError(
        'WENMING_SERVICES',
        `${JSON.stringify(name)} is not a service; use all or a list of ${SERVICE_NAMES.join(', ')}`,
      );
    }
  }
  if (names.length === 0) throw new ConfigError('WENMING_SERVICES', 'names no service');
  return names as ServiceName[];
}
