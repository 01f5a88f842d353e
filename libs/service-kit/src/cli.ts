// What the `wenming` command line's light commands (token) need of service-kit,
// without the servers, gRPC, fastify, telemetry and drivers the package's index
// loads: importing the index costs seconds, this entry a few milliseconds.
export { DEFAULT_MAX_TOKEN_TTL_SEC, formatDuration, parseDuration } from './auth/duration.js';
export { isRole, ROLES, type Role } from './auth/principal.js';
export { existingHs256Secret, type Hs256SecretSource, hs256Secret } from './auth/secret.js';
export { signHs256Token } from './auth/tokens.js';
export { ConfigError, loadConfig, type WenmingConfig } from './config.js';
export { redactError, redactSecrets } from './redact.js';
