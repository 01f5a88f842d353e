// Bearer token verification with jose. Only the algorithms of the configured mode
// are accepted (HS256 for a shared secret; RS256/ES256 for SSO keys), so a token
// cannot choose its own algorithm ("alg: none", or HS256 signed with a public key).
import { createRemoteJWKSet, errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify, SignJWT } from 'jose';
import type { AuthConfig } from '../config.js';
import { UnauthenticatedError } from '../errors/domain-errors.js';
import { isRole, type Principal, type Role } from './principal.js';
import { hs256Secret } from './secret.js';

export interface TokenVerifier {
  /** The principal the token names; throws UnauthenticatedError when it does not verify. */
  verify(token: string): Promise<Principal>;
}

export interface VerifierOptions {
  /** Replaces the key source of the config (tests; a JWKS already fetched). */
  key?: Uint8Array | JWTVerifyGetKey;
  /** Seconds of clock skew tolerated on exp/nbf/iat (default 5). */
  clockToleranceSec?: number;
}

const SHARED_SECRET_ALGORITHMS = ['HS256'];
const SSO_ALGORITHMS = ['RS256', 'ES256'];

export function createTokenVerifier(config: AuthConfig, options: VerifierOptions = {}): TokenVerifier {
  const key = options.key ?? (config.mode === 'hs256' ? hs256Secret(config) : createRemoteJWKSet(new URL(config.jwksUrl)));
  const verifyOptions = {
    algorithms: config.mode === 'hs256' ? SHARED_SECRET_ALGORITHMS : SSO_ALGORITHMS,
    clockTolerance: options.clockToleranceSec ?? 5,
    ...(config.issuer !== undefined ? { issuer: config.issuer } : {}),
    ...(config.audience !== undefined ? { audience: config.audience } : {}),
  };
  return {
    async verify(token) {
      let payload: JWTPayload;
      try {
        // jose's overloads split on the key's type; both forms verify the same way.
        payload =
          key instanceof Uint8Array
            ? (await jwtVerify(token, key, verifyOptions)).payload
            : (await jwtVerify(token, key, verifyOptions)).payload;
      } catch (err) {
        throw rejection(err);
      }
      return principalFromClaims(payload);
    },
  };
}

/**
 * A token the caller got wrong is UNAUTHENTICATED; a key set we could not fetch is
 * our failure, not theirs, so it propagates and becomes INTERNAL (logged).
 */
function rejection(err: unknown): unknown {
  if (!(err instanceof errors.JOSEError)) return err;
  switch (err.code) {
    case 'ERR_JWKS_TIMEOUT':
    case 'ERR_JWKS_INVALID':
      return err;
    case 'ERR_JWT_EXPIRED':
      return new UnauthenticatedError('token expired');
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return new UnauthenticatedError(`token rejected: ${err.message}`);
    default:
      return new UnauthenticatedError('token does not verify (malformed, or signed by an unknown key or algorithm)');
  }
}

/**
 * Unknown role names are dropped rather than refused: an SSO token also carries
 * roles of other systems. A token left with no Wenming role authenticates but is
 * refused by every role check (PERMISSION_DENIED).
 */
export function principalFromClaims(payload: JWTPayload): Principal {
  if (typeof payload.sub !== 'string' || payload.sub === '') throw new UnauthenticatedError('token has no subject (sub)');
  const roles = Array.isArray(payload.roles) ? [...new Set(payload.roles.filter(isRole))] : [];
  const units = Array.isArray(payload.units) ? payload.units.filter((u): u is string => typeof u === 'string' && u !== '') : [];
  return { id: payload.sub, roles, units };
}

export interface TokenClaims {
  sub: string;
  roles: Role[];
  units?: string[];
  /** Lifetime in seconds (see parseDuration for '8h'). */
  ttlSec: number;
  issuer?: string;
  audience?: string;
}

/** Signs an HS256 token for the embedded profile (the CLI and tests). */
export async function signHs256Token(claims: TokenClaims, secret: Uint8Array, now: Date = new Date()): Promise<string> {
  const iat = Math.floor(now.getTime() / 1000);
  const jwt = new SignJWT({ roles: claims.roles, units: claims.units ?? [] })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuedAt(iat)
    .setExpirationTime(iat + claims.ttlSec);
  if (claims.issuer !== undefined) jwt.setIssuer(claims.issuer);
  if (claims.audience !== undefined) jwt.setAudience(claims.audience);
  return jwt.sign(secret);
}

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/** '90s', '30m', '8h', '2d' → seconds; undefined for anything else. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+)([smhd])$/.exec(text.trim());
  if (!match) return undefined;
  const seconds = Number(match[1]) * UNIT_SECONDS[match[2] as keyof typeof UNIT_SECONDS];
  return seconds > 0 && Number.isSafeInteger(seconds) ? seconds : undefined;
}
