// Bearer token verification with jose. Only the algorithms of the configured mode
// are accepted (HS256 for a shared secret; RS256/ES256 for SSO keys), so a token
// cannot choose its own algorithm ("alg: none", or HS256 signed with a public key).
// Every token carries `exp`, lives at most the configured lifetime (DESIGN §5: a
// stolen token is worth hours, not years) and was not issued in the future.
import { createRemoteJWKSet, errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify, SignJWT } from 'jose';
import type { AuthConfig } from '../config.js';
import { UnauthenticatedError } from '../errors/domain-errors.js';
import { DEFAULT_MAX_TOKEN_TTL_SEC, formatDuration } from './duration.js';
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
  /** The verifier's clock (tests); default the system clock. */
  now?: () => Date;
}

const SHARED_SECRET_ALGORITHMS = ['HS256'];
const SSO_ALGORITHMS = ['RS256', 'ES256'];

export function createTokenVerifier(config: AuthConfig, options: VerifierOptions = {}): TokenVerifier {
  const key = options.key ?? (config.mode === 'hs256' ? hs256Secret(config) : createRemoteJWKSet(new URL(config.jwksUrl)));
  const clockTolerance = options.clockToleranceSec ?? 5;
  const maxTtlSec = config.maxTtlSec ?? DEFAULT_MAX_TOKEN_TTL_SEC;
  const now = options.now ?? (() => new Date());
  const baseOptions = {
    algorithms: config.mode === 'hs256' ? SHARED_SECRET_ALGORITHMS : SSO_ALGORITHMS,
    clockTolerance,
    requiredClaims: ['exp'],
    ...(config.issuer !== undefined ? { issuer: config.issuer } : {}),
    ...(config.audience !== undefined ? { audience: config.audience } : {}),
  };
  return {
    async verify(token) {
      let payload: JWTPayload;
      const at = now();
      const verifyOptions = { ...baseOptions, currentDate: at };
      try {
        // jose's overloads split on the key's type; both forms verify the same way.
        payload =
          key instanceof Uint8Array
            ? (await jwtVerify(token, key, verifyOptions)).payload
            : (await jwtVerify(token, key, verifyOptions)).payload;
      } catch (err) {
        throw rejection(err);
      }
      checkLifetime(payload, at.getTime() / 1000, maxTtlSec, clockTolerance);
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
 * jose has checked that `exp` is present, a number and not past, and that `iat`, if
 * present, is a number. What it allows and we do not: a lifetime beyond the cap
 * (`exp` a year or 1e300 ahead) and an `iat` in the future, which would let a token
 * minted ahead of time outlive the cap once its day comes.
 */
function checkLifetime(payload: JWTPayload, nowSec: number, maxTtlSec: number, toleranceSec: number): void {
  const exp = payload.exp as number;
  const iat = payload.iat;
  const cap = formatDuration(maxTtlSec);
  if (iat !== undefined && iat > nowSec + toleranceSec) {
    throw new UnauthenticatedError('token rejected: "iat" is in the future (issued later than now)');
  }
  if (iat !== undefined ? exp - iat > maxTtlSec : exp - nowSec > maxTtlSec + toleranceSec) {
    throw new UnauthenticatedError(`token rejected: "exp" gives a lifetime longer than the ${cap} this server accepts`);
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
  // exp is checked by the verifier; a principal built from claims without it (tests) never expires.
  const expiresAt = typeof payload.exp === 'number' ? { expiresAt: new Date(payload.exp * 1000) } : {};
  return { id: payload.sub, roles, units, ...expiresAt };
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

export { parseDuration } from './duration.js';
