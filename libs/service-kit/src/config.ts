// Process configuration from environment variables, checked once at start so a
// wrong value fails fast with the variable's name instead of surfacing later.
import { resolve } from 'node:path';
import { DEFAULT_MAX_TOKEN_TTL_SEC, parseDuration } from './auth/duration.js';
import { redactSecrets } from './redact.js';

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
  readStore: ReadStoreConfig;
  /** Server streams one caller (token `sub`) may hold open at once (WENMING_MAX_STREAMS_PER_CALLER). */
  maxStreamsPerCaller: number;
  limits: LimitsConfig;
  /**
   * Where look-back finds inspection's gRPC API (WENMING_INSPECTION_GRPC, host:port),
   * read only when this process runs look-back. Unset: inspection is in this process
   * (or the embedded profile), and look-back calls this process's own gRPC port.
   */
  inspectionGrpc?: string;
  /** Not errors, but worth an operator's attention; the launcher logs each once at start. */
  warnings: string[];
}

/**
 * Where read models live: MongoDB when MONGODB_URL is set (the production way; every
 * replica of a service shares them), otherwise the embedded SQLite file in the data
 * directory (one process's own copy).
 */
export type ReadStoreConfig = { kind: 'mongodb'; url: string; database: string } | { kind: 'sqlite'; path: string };

/**
 * The bus the relay publishes to: Kafka when KAFKA_BROKERS is set, otherwise the
 * durable in-process bus in the data directory (one process only). `relay` says
 * whether this process runs the relay: run it in one process per event store
 * (several relays would each publish everything, harmless but wasteful).
 */
export type MessagingConfig =
  | { kind: 'kafka'; brokers: string[]; topicPartitions: number; relay: boolean; namespace?: string }
  | { kind: 'in-process'; path: string; relay: boolean };

/**
 * How bearer tokens are verified (DESIGN §5). `hs256`: one shared secret, the
 * embedded profile's way (from WENMING_JWT_SECRET, else a secret generated once
 * into `secretFile` so the server and the `wenming token` CLI agree). `jwks`: RS256 /
 * ES256 keys fetched from the city SSO's JWKS URL, the production way.
 */
export type AuthConfig = (
  | { mode: 'hs256'; secret?: string; secretFile: string; issuer?: string; audience?: string }
  | { mode: 'jwks'; jwksUrl: string; issuer?: string; audience?: string }
) & {
  /** The longest lifetime (exp - iat) a token may have, in seconds (WENMING_TOKEN_MAX_TTL; default 12 h). */
  maxTtlSec?: number;
};

/**
 * What one caller or one connection may cost the process (DESIGN §5: caps on request
 * rates; issue 12). Generous by default: they stop floods and slow-loris clients, not
 * the demo loader or an integration that batches.
 */
export interface LimitsConfig {
  /** Requests one caller (token subject, else client address) may make to one route or rpc per window. */
  rateLimitMax: number;
  rateLimitWindowMs: number;
  /** Largest request body fastify reads for a route that sets none of its own. */
  httpBodyLimit: number;
  /** Time a client has to send a request's headers, and the whole request (headers and body). */
  httpHeadersTimeoutMs: number;
  httpRequestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this; a socket silent this long is closed too. */
  httpKeepAliveTimeoutMs: number;
  httpConnectionTimeoutMs: number;
  /** Largest gRPC message the server accepts (grpc.max_receive_message_length). */
  grpcMaxReceiveMessageBytes: number;
}

const MIB = 1024 * 1024;

/** HS256 keys shorter than the hash output (256 bits) weaken it (RFC 7518 §3.2). */
export const MIN_JWT_SECRET_LENGTH = 32;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly variable: string,
    message: string,
  ) {
    // Messages quote the value that is wrong, which may be a URL with a password in it.
    super(redactSecrets(`${variable}: ${message}`));
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
  const serviceNames = services(env.WENMING_SERVICES ?? 'all');
  const inspectionGrpc = inspectionAddress(env, profile, serviceNames);
  return {
    profile,
    dataDir,
    // The embedded profile is one machine's business: listen on loopback unless told otherwise.
    host: env.BIND_HOST ?? (profile === 'embedded' ? '127.0.0.1' : '0.0.0.0'),
    httpPort: port(env, 'HTTP_PORT', 8080),
    grpcPort: port(env, 'GRPC_PORT', 50051),
    eventStoreUrl,
    services: serviceNames,
    logLevel: env.LOG_LEVEL ?? 'info',
    auth: auth(env, profile, dataDir),
    messaging: messaging(env, dataDir),
    readStore: readStore(env, dataDir),
    maxStreamsPerCaller: maxStreamsPerCaller(env),
    limits: limits(env),
    ...(inspectionGrpc !== undefined ? { inspectionGrpc } : {}),
    warnings: warnings(env, profile),
  };
}

/**
 * WENMING_INSPECTION_GRPC, for a process that runs look-back (its recurrences have
 * inspection regress the rectification over gRPC). Required in the production profile
 * when inspection runs elsewhere: without it look-back would call its own port, where
 * no inspection answers, and every regression would fail long after start.
 */
function inspectionAddress(env: NodeJS.ProcessEnv, profile: 'embedded' | 'production', names: ServiceName[]): string | undefined {
  if (!names.includes('lookback')) return undefined;
  const raw = nonEmpty(env.WENMING_INSPECTION_GRPC)?.trim();
  if (raw === undefined) {
    if (profile === 'production' && !names.includes('inspection')) {
      throw new ConfigError(
        'WENMING_INSPECTION_GRPC',
        "is required when look-back runs without inspection in the production profile: set it to inspection's gRPC host:port (e.g. inspection:50051)",
      );
    }
    return undefined;
  }
  // A DNS name or IPv4 address, or an IPv6 address in brackets, then a port.
  const match = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]):(\d{1,5})$/.exec(raw);
  const portNumber = match ? Number(match[1]) : 0;
  if (!match || portNumber < 1 || portNumber > 65535) {
    throw new ConfigError(
      'WENMING_INSPECTION_GRPC',
      `${JSON.stringify(raw)} is not host:port (inspection's gRPC address, e.g. inspection:50051 or wenming-inspection.wenming.svc:50051)`,
    );
  }
  return raw;
}

function readStore(env: NodeJS.ProcessEnv, dataDir: string): ReadStoreConfig {
  const url = nonEmpty(env.MONGODB_URL);
  const databaseRaw = nonEmpty(env.MONGODB_DATABASE);
  if (url === undefined) {
    if (databaseRaw !== undefined) {
      throw new ConfigError(
        'MONGODB_DATABASE',
        'is set but MONGODB_URL is not; set MONGODB_URL too, or unset both for the embedded read store',
      );
    }
    return { kind: 'sqlite', path: resolve(dataDir, 'readmodels.db') };
  }
  // Host lists (mongodb://a:27017,b:27017/…) are not WHATWG URLs, so check the shape by hand.
  const match = /^mongodb(?:\+srv)?:\/\/(?:[^@/]*@)?([^/?]+)(?:\/([^?]*))?(?:\?.*)?$/.exec(url.trim());
  if (!match) {
    throw new ConfigError('MONGODB_URL', 'is not a mongodb:// or mongodb+srv:// URL (e.g. mongodb://mongodb:27017/?replicaSet=rs0)');
  }
  const database = databaseRaw ?? (match[2] ? decodeURIComponent(match[2]) : 'wenming');
  // MongoDB's own rule for database names: no /\. "$*<>:|? or spaces, under 64 bytes.
  if (!/^[^/\\. "$*<>:|?]{1,63}$/.test(database)) {
    throw new ConfigError(
      databaseRaw !== undefined ? 'MONGODB_DATABASE' : 'MONGODB_URL',
      `${JSON.stringify(database)} is not a MongoDB database name (1-63 characters, none of /\\. "$*<>:|? or space)`,
    );
  }
  return { kind: 'mongodb', url: url.trim(), database };
}

function warnings(env: NodeJS.ProcessEnv, profile: 'embedded' | 'production'): string[] {
  const out: string[] = [];
  // Production without MongoDB is allowed, with a warning, rather than refused: one
  // production process per service (or all services in one process on PostgreSQL, the
  // compose file's wenming-pg) is a real deployment, and its read models are a cache
  // it rebuilds from the event store. What breaks is replicas: each would keep its
  // own copy, and consumers in one Kafka group each see only their partitions, so
  // every copy would miss something. Hence the warning names the limit.
  if (profile === 'production' && nonEmpty(env.MONGODB_URL) === undefined) {
    out.push(
      "MONGODB_URL is not set: read models stay in this process's SQLite file (WENMING_DATA_DIR/readmodels.db); run one replica per service, or set MONGODB_URL so replicas share them",
    );
  }
  return out;
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
    // Credentials go in the SASL settings, never in the list; and an error must not print them.
    if (broker.includes('@')) {
      throw new ConfigError('KAFKA_BROKERS', 'holds a user or password (…@host); list host:port only, e.g. kafka-1:9092,kafka-2:9092');
    }
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
  // Every topic and group of this deployment is prefixed with it on the broker, so
  // deployments sharing a cluster do not read each other's events.
  const namespace = nonEmpty(env.KAFKA_NAMESPACE);
  if (namespace !== undefined && !/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$/.test(namespace)) {
    throw new ConfigError(
      'KAFKA_NAMESPACE',
      `${JSON.stringify(namespace)} is not a topic prefix (1-100 of A-Z a-z 0-9 . _ -, not starting with .)`,
    );
  }
  return { kind: 'kafka', brokers, topicPartitions: partitions, relay, ...(namespace !== undefined ? { namespace } : {}) };
}

function auth(env: NodeJS.ProcessEnv, profile: 'embedded' | 'production', dataDir: string): AuthConfig {
  const issuer = nonEmpty(env.WENMING_JWT_ISSUER);
  const audience = nonEmpty(env.WENMING_JWT_AUDIENCE);
  const claims = {
    ...(issuer !== undefined ? { issuer } : {}),
    ...(audience !== undefined ? { audience } : {}),
    maxTtlSec: tokenMaxTtl(env),
  };
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
  // The example manifests ship a placeholder; applied unedited, anyone who read them
  // could sign tokens for every role. Refuse it rather than start.
  if (secret !== undefined && /change[-_ ]?me/i.test(secret)) {
    throw new ConfigError('WENMING_JWT_SECRET', 'is a placeholder ("change-me…"); generate one, e.g. openssl rand -base64 48');
  }
  // A generated secret lives on one machine's disk: fine for the embedded profile,
  // wrong for replicas that must all accept the same tokens.
  if (profile === 'production' && secret === undefined) {
    throw new ConfigError('WENMING_JWKS_URL', 'is required in the production profile (or WENMING_JWT_SECRET, shared by every replica)');
  }
  return { mode: 'hs256', ...(secret !== undefined ? { secret } : {}), secretFile: resolve(dataDir, 'jwt-secret'), ...claims };
}

function tokenMaxTtl(env: NodeJS.ProcessEnv): number {
  const raw = nonEmpty(env.WENMING_TOKEN_MAX_TTL);
  if (raw === undefined) return DEFAULT_MAX_TOKEN_TTL_SEC;
  const seconds = parseDuration(raw);
  // Beyond a week a stolen token is as good as a password; the SSO's own tokens live minutes to hours.
  if (seconds === undefined || seconds > 7 * 86_400) {
    throw new ConfigError('WENMING_TOKEN_MAX_TTL', `${JSON.stringify(raw)} is not a token lifetime of at most 7d (e.g. 90s, 30m, 12h)`);
  }
  return seconds;
}

function maxStreamsPerCaller(env: NodeJS.ProcessEnv): number {
  const raw = nonEmpty(env.WENMING_MAX_STREAMS_PER_CALLER);
  if (raw === undefined) return 16;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 10_000) {
    throw new ConfigError('WENMING_MAX_STREAMS_PER_CALLER', `${JSON.stringify(raw)} is not a stream count (1-10000)`);
  }
  return value;
}

/** What every limit is unless configured: generous enough for the demo loader and the test suites. */
export const DEFAULT_LIMITS: LimitsConfig = {
  rateLimitMax: 6000,
  rateLimitWindowMs: 60_000,
  httpBodyLimit: MIB,
  httpHeadersTimeoutMs: 10_000,
  httpRequestTimeoutMs: 60_000,
  httpKeepAliveTimeoutMs: 72_000,
  httpConnectionTimeoutMs: 120_000,
  grpcMaxReceiveMessageBytes: 4 * MIB,
};

function limits(env: NodeJS.ProcessEnv): LimitsConfig {
  const d = DEFAULT_LIMITS;
  const headersTimeout = integer(env, 'HTTP_HEADERS_TIMEOUT_MS', d.httpHeadersTimeoutMs, 100, 3_600_000);
  const requestTimeout = integer(env, 'HTTP_REQUEST_TIMEOUT_MS', d.httpRequestTimeoutMs, 100, 3_600_000);
  // Node refuses to start a server whose headers timeout exceeds its request timeout.
  if (headersTimeout > requestTimeout) {
    throw new ConfigError('HTTP_HEADERS_TIMEOUT_MS', `${headersTimeout} exceeds HTTP_REQUEST_TIMEOUT_MS (${requestTimeout})`);
  }
  return {
    rateLimitMax: integer(env, 'WENMING_RATE_LIMIT', d.rateLimitMax, 1, 1_000_000_000),
    rateLimitWindowMs: integer(env, 'WENMING_RATE_LIMIT_WINDOW_SEC', d.rateLimitWindowMs / 1000, 1, 86_400) * 1000,
    httpBodyLimit: integer(env, 'HTTP_BODY_LIMIT', d.httpBodyLimit, 1024, 1024 * MIB),
    httpHeadersTimeoutMs: headersTimeout,
    httpRequestTimeoutMs: requestTimeout,
    httpKeepAliveTimeoutMs: integer(env, 'HTTP_KEEP_ALIVE_TIMEOUT_MS', d.httpKeepAliveTimeoutMs, 100, 3_600_000),
    httpConnectionTimeoutMs: integer(env, 'HTTP_CONNECTION_TIMEOUT_MS', d.httpConnectionTimeoutMs, 0, 3_600_000),
    grpcMaxReceiveMessageBytes: integer(env, 'GRPC_MAX_MESSAGE_BYTES', d.grpcMaxReceiveMessageBytes, 1024, 1024 * MIB),
  };
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `${JSON.stringify(raw)} is not a whole number from ${min} to ${max}`);
  }
  return value;
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
