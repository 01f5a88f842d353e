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
}

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
  };
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
