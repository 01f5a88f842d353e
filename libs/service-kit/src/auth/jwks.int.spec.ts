// RS256 / ES256 verification against a real JWKS endpoint (a local HTTP server
// standing in for the city SSO), fetched with jose's createRemoteJWKSet.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { loadConfig } from '../config.js';
import { UnauthenticatedError } from '../errors/domain-errors.js';
import { createTokenVerifier, type TokenVerifier } from './tokens.js';

type Key = Awaited<ReturnType<typeof generateKeyPair>>;
let rsa: Key;
let ec: Key;
let stranger: Key;
let server: Server;
let verifier: TokenVerifier;
let jwksRequests = 0;

before(async () => {
  [rsa, ec, stranger] = await Promise.all([generateKeyPair('RS256'), generateKeyPair('ES256'), generateKeyPair('RS256')]);
  const keys: JWK[] = [
    { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
    { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
  ];
  server = createServer((_req, res) => {
    jwksRequests += 1;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const config = loadConfig({
    WENMING_PROFILE: 'production',
    EVENTSTORE_URL: 'postgresql://unused/wenming',
    WENMING_JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    WENMING_JWT_ISSUER: 'https://sso.city.example',
    WENMING_JWT_AUDIENCE: 'wenming',
  });
  verifier = createTokenVerifier(config.auth);
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

function token(key: Key, alg: 'RS256' | 'ES256', kid: string, claims: { aud?: string; iss?: string; exp?: number } = {}) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ roles: ['inspector'], units: [] })
    .setProtectedHeader({ alg, kid })
    .setSubject('inspector-3')
    .setIssuer(claims.iss ?? 'https://sso.city.example')
    .setAudience(claims.aud ?? 'wenming')
    .setIssuedAt(now)
    .setExpirationTime(claims.exp ?? now + 600)
    .sign(key.privateKey);
}

describe('RS256 / ES256 from the SSO key set', () => {
  it('verifies RS256 and ES256 tokens signed by keys of the set', async () => {
    const signed = await token(rsa, 'RS256', 'rsa-1');
    const exp = JSON.parse(Buffer.from(signed.split('.')[1]!, 'base64url').toString()).exp as number;
    assert.deepEqual(await verifier.verify(signed), {
      id: 'inspector-3',
      roles: ['inspector'],
      units: [],
      expiresAt: new Date(exp * 1000),
    });
    assert.equal((await verifier.verify(await token(ec, 'ES256', 'ec-1'))).id, 'inspector-3');
    assert.ok(jwksRequests >= 1, 'the key set was fetched over HTTP');
  });

  it('refuses a key outside the set, an expired token, a wrong audience or issuer', async () => {
    const cases = [
      token(stranger, 'RS256', 'rsa-1'),
      token(stranger, 'RS256', 'unknown-kid'),
      token(rsa, 'RS256', 'rsa-1', { exp: Math.floor(Date.now() / 1000) - 3600 }),
      token(rsa, 'RS256', 'rsa-1', { aud: 'another-system' }),
      token(rsa, 'RS256', 'rsa-1', { iss: 'https://evil.example' }),
    ];
    for (const pending of cases) await assert.rejects(verifier.verify(await pending), UnauthenticatedError);
  });

  it('refuses an HS256 token, whatever secret signed it (no algorithm confusion)', async () => {
    const hs = await new SignJWT({ roles: ['admin'] })
      .setProtectedHeader({ alg: 'HS256', kid: 'rsa-1' })
      .setSubject('mallory')
      .setIssuer('https://sso.city.example')
      .setAudience('wenming')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('x'.repeat(64)));
    await assert.rejects(verifier.verify(hs), UnauthenticatedError);
  });
});
