export { bearerToken } from './bearer.js';
export { DEFAULT_MAX_TOKEN_TTL_SEC, formatDuration } from './duration.js';
export { ACTING_SERVICE_METADATA, authenticateCall } from './grpc.js';
export { registerHttpAuth } from './http.js';
export * from './principal.js';
export { existingHs256Secret, type Hs256SecretSource, hs256Secret } from './secret.js';
export {
  createTokenVerifier,
  parseDuration,
  principalFromClaims,
  signHs256Token,
  type TokenClaims,
  type TokenVerifier,
  type VerifierOptions,
} from './tokens.js';
