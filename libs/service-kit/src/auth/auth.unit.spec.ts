// Bearer tokens (HS256, the embedded profile) and the role / unit rules of DESIGN §5.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SignJWT, UnsecuredJWT } from 'jose';
import { type AuthConfig, ConfigError, loadConfig } from '../config.js';
import { PermissionDeniedError, UnauthenticatedError } from '../errors/domain-errors.js';
import { bearerToken } from './bearer.js';
import { type Principal, requireRole, requireUnitAccess, requireWrite } from './principal.js';
import { hs256Secret } from './secret.js';
import { createTokenVerifier, parseDuration, signHs256Token } from './tokens.js';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wenming-auth-'));
  dirs.push(dir);
  return dir;
}

const SECRET = 'a-test-secret-that-is-long-enough-for-hs256!';
const hs256 = (extra: Partial<Extract<AuthConfig, { mode: 'hs256' }>> = {}): AuthConfig => ({
  mode: 'hs256',
  secret: SECRET,
  secretFile: '/nonexistent/jwt-secret',
  ...extra,
});
const key = new TextEncoder().encode(SECRET);
const sign = (claims: Partial<Parameters<typeof signHs256Token>[0]> = {}, secret = key, now?: Date) =>
  signHs256Token({ sub: 'alice', roles: ['office'], ttlSec: 600, ...claims }, secret, now);

async function rejectsUnauthenticated(promise: Promise<unknown>, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof UnauthenticatedError, `expected UnauthenticatedError, got ${err}`);
    if (message) assert.match(err.message, message);
    return true;
  });
}

describe('HS256 bearer tokens', () => {
  it('a token the CLI would sign verifies into the principal it names', async () => {
    const now = new Date('2026-03-01T08:00:00Z');
    const token = await sign({ sub: 'clerk-7', roles: ['unit'], units: ['u-1', 'u-2'] }, key, now);
    assert.deepEqual(await createTokenVerifier(hs256(), { now: () => now }).verify(token), {
      id: 'clerk-7',
      roles: ['unit'],
      units: ['u-1', 'u-2'],
      expiresAt: new Date('2026-03-01T08:10:00Z'),
    });
  });

  it('refuses an expired token', async () => {
    const token = await sign({ ttlSec: 60 }, key, new Date(Date.now() - 10 * 60_000));
    await rejectsUnauthenticated(createTokenVerifier(hs256()).verify(token), /expired/);
  });

  it('refuses a token signed with another secret', async () => {
    const token = await sign({}, new TextEncoder().encode('another-secret-that-is-long-enough-for-hs256'));
    await rejectsUnauthenticated(createTokenVerifier(hs256()).verify(token), /does not verify/);
  });

  it('checks audience and issuer when configured', async () => {
    const verifier = createTokenVerifier(hs256({ audience: 'wenming', issuer: 'city-sso' }));
    await rejectsUnauthenticated(verifier.verify(await sign({ audience: 'other-app', issuer: 'city-sso' })), /aud/);
    await rejectsUnauthenticated(verifier.verify(await sign({ audience: 'wenming', issuer: 'someone-else' })), /iss/);
    await rejectsUnauthenticated(verifier.verify(await sign()), /aud|iss/);
    assert.equal((await verifier.verify(await sign({ audience: 'wenming', issuer: 'city-sso' }))).id, 'alice');
  });

  it('refuses unsigned tokens and other algorithms', async () => {
    const unsigned = new UnsecuredJWT({ roles: ['admin'] }).setSubject('mallory').setExpirationTime('1h').encode();
    await rejectsUnauthenticated(createTokenVerifier(hs256()).verify(unsigned));
    const hs512 = await new SignJWT({ roles: ['admin'] })
      .setProtectedHeader({ alg: 'HS512' })
      .setSubject('mallory')
      .setExpirationTime('1h')
      .sign(key);
    await rejectsUnauthenticated(createTokenVerifier(hs256()).verify(hs512));
  });

  it('keeps only Wenming roles and string unit ids, and requires a subject', async () => {
    const token = await new SignJWT({ roles: ['office', 'sso-superuser', 7], units: ['u-1', 3, ''] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('bob')
      .setExpirationTime('1h')
      .sign(key);
    const { expiresAt: _, ...principal } = await createTokenVerifier(hs256()).verify(token);
    assert.deepEqual(principal, { id: 'bob', roles: ['office'], units: ['u-1'] });
    const anonymous = await new SignJWT({ roles: ['office'] }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(key);
    await rejectsUnauthenticated(createTokenVerifier(hs256()).verify(anonymous), /sub/);
  });

  it('requires exp, and caps the lifetime at 12 h unless configured otherwise', async () => {
    const now = Math.floor(Date.now() / 1000);
    const raw = (claims: { exp?: number; iat?: number }) => {
      const jwt = new SignJWT({ roles: ['office'] }).setProtectedHeader({ alg: 'HS256' }).setSubject('mallory');
      if (claims.iat !== undefined) jwt.setIssuedAt(claims.iat);
      if (claims.exp !== undefined) jwt.setExpirationTime(claims.exp);
      return jwt.sign(key);
    };
    const verifier = createTokenVerifier(hs256());
    await rejectsUnauthenticated(verifier.verify(await raw({ iat: now })), /missing required "exp" claim/);
    await rejectsUnauthenticated(verifier.verify(await raw({ iat: now, exp: 1e300 })), /"exp" gives a lifetime longer than the 12h/);
    await rejectsUnauthenticated(verifier.verify(await raw({ exp: 1e300 })), /lifetime longer than the 12h/);
    await rejectsUnauthenticated(verifier.verify(await raw({ iat: now, exp: now + 12 * 3600 + 1 })), /lifetime/);
    // No iat: exp - now is the lifetime.
    await rejectsUnauthenticated(verifier.verify(await raw({ exp: now + 13 * 3600 })), /lifetime/);
    // Minted a year ahead with a short lifetime: valid then, never now.
    const yearAhead = now + 365 * 86_400;
    await rejectsUnauthenticated(verifier.verify(await raw({ iat: yearAhead, exp: yearAhead + 600 })), /"iat" is in the future/);
    // What a clock slightly ahead of ours signs still verifies (the 5 s tolerance).
    assert.equal((await verifier.verify(await raw({ iat: now + 3, exp: now + 600 }))).id, 'mallory');
    assert.equal((await verifier.verify(await raw({ iat: now, exp: now + 12 * 3600 }))).id, 'mallory');
    assert.equal((await verifier.verify(await raw({ exp: now + 600 }))).id, 'mallory', 'iat is optional');
    const shortLived = createTokenVerifier(hs256({ maxTtlSec: 1800 }));
    await rejectsUnauthenticated(shortLived.verify(await sign({ ttlSec: 1801 })), /longer than the 30m/);
    assert.equal((await shortLived.verify(await sign({ ttlSec: 1800 }))).id, 'alice');
  });

  it('reads WENMING_TOKEN_MAX_TTL at start, refusing what is not a lifetime', () => {
    const env = { WENMING_DATA_DIR: '/tmp/wenming-auth-spec' };
    assert.equal(loadConfig(env).auth.maxTtlSec, 12 * 3600);
    assert.equal(loadConfig({ ...env, WENMING_TOKEN_MAX_TTL: '30m' }).auth.maxTtlSec, 1800);
    for (const bad of ['forever', '0h', '8d', '-1h']) {
      assert.throws(
        () => loadConfig({ ...env, WENMING_TOKEN_MAX_TTL: bad }),
        (err) => err instanceof ConfigError && err.variable === 'WENMING_TOKEN_MAX_TTL',
        bad,
      );
    }
  });

  it('reads the Authorization header the same way on both edges', () => {
    assert.equal(bearerToken('Bearer abc.def.ghi'), 'abc.def.ghi');
    assert.equal(bearerToken('bearer abc.def.ghi'), 'abc.def.ghi');
    assert.throws(
      () => bearerToken(undefined),
      (err) => err instanceof UnauthenticatedError && err.reason === 'missing',
    );
    assert.throws(
      () => bearerToken('Basic dXNlcjpwYXNz'),
      (err) => err instanceof UnauthenticatedError && err.reason === 'invalid',
    );
    assert.throws(() => bearerToken('Bearer two words'), UnauthenticatedError);
  });

  it('parses token lifetimes', () => {
    assert.deepEqual(['90s', '30m', '8h', '2d'].map(parseDuration), [90, 1800, 28_800, 172_800]);
    assert.deepEqual(['', '8', 'h', '-1h', '0h', '1w', '1.5h'].map(parseDuration), Array(7).fill(undefined));
  });
});

describe('the embedded secret', () => {
  it('is generated once into <data dir>/jwt-secret with mode 0600, and reused', () => {
    const dir = tempDir();
    const config = loadConfig({ WENMING_DATA_DIR: join(dir, 'data') });
    assert.equal(config.auth.mode, 'hs256');
    if (config.auth.mode !== 'hs256') return;
    assert.equal(config.auth.secretFile, join(dir, 'data', 'jwt-secret'));
    const first = hs256Secret(config.auth);
    assert.ok(first.length >= 32);
    assert.equal(statSync(config.auth.secretFile).mode & 0o777, 0o600);
    assert.deepEqual(hs256Secret(config.auth), first, 'the server and the CLI read the same secret');
    assert.equal(readFileSync(config.auth.secretFile, 'utf8').trim(), new TextDecoder().decode(first));
  });

  it('WENMING_JWT_SECRET wins over the file', () => {
    const config = loadConfig({ WENMING_DATA_DIR: tempDir(), WENMING_JWT_SECRET: SECRET });
    if (config.auth.mode !== 'hs256') assert.fail('hs256 expected');
    assert.equal(new TextDecoder().decode(hs256Secret(config.auth)), SECRET);
  });

  it('refuses a secret file others can read, or one too short', () => {
    const dir = tempDir();
    const file = join(dir, 'jwt-secret');
    writeFileSync(file, `${'x'.repeat(40)}\n`, { mode: 0o644 });
    chmodSync(file, 0o644);
    assert.throws(
      () => hs256Secret({ mode: 'hs256', secretFile: file }),
      (err) => err instanceof ConfigError && /chmod 600/.test(err.message),
    );
    writeFileSync(file, 'short', { mode: 0o600 });
    chmodSync(file, 0o600);
    assert.throws(
      () => hs256Secret({ mode: 'hs256', secretFile: file }),
      (err) => err instanceof ConfigError && err.variable === 'WENMING_JWT_SECRET',
    );
  });
});

describe('authorisation rules', () => {
  const who = (roles: Principal['roles'], units: string[] = []): Principal => ({ id: 'p', roles, units });

  it('requireRole: one of the listed roles', () => {
    requireRole(who(['inspector']), 'inspector', 'office');
    requireRole(who(['unit', 'office']), 'office');
    assert.throws(() => requireRole(who(['unit']), 'office', 'inspector'), PermissionDeniedError);
    assert.throws(() => requireRole(who([]), 'office'), /no role/);
  });

  it('requireWrite: auditors read only', () => {
    requireWrite(who(['office']));
    requireWrite(who(['auditor', 'office']));
    assert.throws(() => requireWrite(who(['auditor'])), /read-only/);
    assert.throws(() => requireWrite(who([])), PermissionDeniedError);
  });

  it('requireUnitAccess: a unit user acts only for its own units; city-wide roles for any', () => {
    requireUnitAccess(who(['unit'], ['u-1', 'u-2']), 'u-2');
    assert.throws(() => requireUnitAccess(who(['unit'], ['u-1']), 'u-9'), PermissionDeniedError);
    assert.throws(() => requireUnitAccess(who(['unit'], ['u-1']), 'u-9', 'read'), PermissionDeniedError);
    for (const role of ['office', 'inspector', 'supervisor', 'admin'] as const) requireUnitAccess(who([role]), 'u-9');
  });

  it('requireUnitAccess: an auditor reads any unit and writes none', () => {
    requireUnitAccess(who(['auditor']), 'u-9', 'read');
    assert.throws(() => requireUnitAccess(who(['auditor']), 'u-9'), /read-only/);
    assert.throws(() => requireUnitAccess(who(['auditor', 'unit'], ['u-1']), 'u-9'), PermissionDeniedError);
    requireUnitAccess(who(['auditor', 'unit'], ['u-1']), 'u-1');
  });
});

describe('auth configuration', () => {
  const base = { WENMING_DATA_DIR: '/tmp/wenming-config-test' };
  const configError = (env: NodeJS.ProcessEnv, variable: string) =>
    assert.throws(
      () => loadConfig({ ...base, ...env }),
      (err) => err instanceof ConfigError && err.variable === variable,
    );

  it('names the variable that is wrong', () => {
    configError({ WENMING_JWT_SECRET: 'too-short' }, 'WENMING_JWT_SECRET');
    configError({ WENMING_JWKS_URL: 'not a url' }, 'WENMING_JWKS_URL');
    configError({ WENMING_JWKS_URL: 'ftp://sso.example/keys' }, 'WENMING_JWKS_URL');
    configError({ WENMING_JWKS_URL: 'https://sso.example/keys', WENMING_JWT_SECRET: SECRET }, 'WENMING_JWT_SECRET');
    configError({ WENMING_PROFILE: 'production', EVENTSTORE_URL: 'postgresql://db/wenming' }, 'WENMING_JWKS_URL');
  });

  it('production verifies with the SSO key set, checking issuer and audience when set', () => {
    const config = loadConfig({
      WENMING_PROFILE: 'production',
      EVENTSTORE_URL: 'postgresql://db/wenming',
      WENMING_JWKS_URL: 'https://sso.example/.well-known/jwks.json',
      WENMING_JWT_ISSUER: 'https://sso.example',
      WENMING_JWT_AUDIENCE: 'wenming',
    });
    assert.deepEqual(config.auth, {
      mode: 'jwks',
      jwksUrl: 'https://sso.example/.well-known/jwks.json',
      issuer: 'https://sso.example',
      audience: 'wenming',
      maxTtlSec: 12 * 3600,
    });
  });
});
