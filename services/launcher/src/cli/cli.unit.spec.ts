// `wenming token`: what it prints verifies with the server's own verifier and secret.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createTokenVerifier, hs256Secret, loadConfig } from '@wenming/service-kit';
import { runCli } from './run.js';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wenming-cli-'));
  dirs.push(dir);
  return dir;
}
/** A data directory a server has started in: it holds the secret file the server created. */
function serverDataDir(): string {
  const dir = dataDir();
  const auth = loadConfig({ WENMING_DATA_DIR: dir }).auth;
  if (auth.mode === 'hs256') hs256Secret(auth);
  return dir;
}

async function cli(argv: string[], env: NodeJS.ProcessEnv) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { env, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

function decodeJwt(token: string): { sub?: string; iat?: number; exp?: number } {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
}

/** The server side: the verifier startPlatform builds from the same environment. */
/** The principal the server makes of a token, without its expiry (checked apart). */
const serverVerify = async (env: NodeJS.ProcessEnv, token: string) => {
  const { expiresAt: _, ...principal } = await createTokenVerifier(loadConfig(env).auth).verify(token);
  return principal;
};

describe('wenming token', () => {
  it("prints a token the server accepts, signed with the server's secret file, and says which file", async () => {
    const env = { WENMING_DATA_DIR: serverDataDir() };
    const secretFile = join(env.WENMING_DATA_DIR, 'jwt-secret');
    const { code, stdout, stderr } = await cli(['token', '--role', 'office', '--sub', 'alice'], env);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    assert.deepEqual(await serverVerify(env, stdout.trim()), { id: 'alice', roles: ['office'], units: [] });
    assert.match(stderr, /token for alice \(office\), expires /);
    assert.ok(stderr.includes(`signed with the secret file ${secretFile}\n`), stderr);
  });

  it('never mints a secret unasked: without one it refuses (exit 2), with --create-secret it creates the file and says so', async () => {
    const env = { WENMING_DATA_DIR: dataDir() };
    const secretFile = join(env.WENMING_DATA_DIR, 'jwt-secret');
    const refused = await cli(['token', '--role', 'office'], env);
    assert.equal(refused.code, 2);
    assert.equal(refused.stdout, '');
    assert.ok(refused.stderr.includes(`WENMING_JWT_SECRET is unset and ${secretFile} does not exist`), refused.stderr);
    assert.match(refused.stderr, /--create-secret/);
    assert.equal(existsSync(secretFile), false, 'no secret file was created');

    const created = await cli(['token', '--role', 'office', '--sub', 'alice', '--create-secret'], env);
    assert.equal(created.code, 0, created.stderr);
    assert.ok(created.stderr.includes(`signed with the secret file ${secretFile} (created now)`), created.stderr);
    assert.equal(statSync(secretFile).mode & 0o777, 0o600);
    assert.equal((await serverVerify(env, created.stdout.trim())).id, 'alice');
    // Asked again, it uses the file now there and creates nothing.
    const again = await cli(['token', '--role', 'office', '--create-secret'], env);
    assert.ok(again.stderr.includes(`signed with the secret file ${secretFile}\n`), again.stderr);
  });

  it('unit users carry their units; the lifetime is --ttl', async () => {
    const env = { WENMING_DATA_DIR: serverDataDir() };
    const { code, stdout } = await cli(['token', '-r', 'unit', '-u', 'u-1', '--unit', 'u-2', '--sub', 'clerk', '--ttl', '90s'], env);
    assert.equal(code, 0);
    assert.deepEqual(await serverVerify(env, stdout.trim()), { id: 'clerk', roles: ['unit'], units: ['u-1', 'u-2'] });
    const claims = decodeJwt(stdout.trim());
    assert.equal((claims.exp ?? 0) - (claims.iat ?? 0), 90);
  });

  it('signs no token longer-lived than WENMING_TOKEN_MAX_TTL, as the server accepts none', async () => {
    const env = { WENMING_DATA_DIR: serverDataDir(), WENMING_TOKEN_MAX_TTL: '30m' };
    const refused = await cli(['token', '--role', 'office', '--ttl', '31m'], env);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /--ttl is at most 30m/);
    const { code, stdout } = await cli(['token', '--role', 'office', '--ttl', '30m'], env);
    assert.equal(code, 0);
    assert.equal((await serverVerify(env, stdout.trim())).roles[0], 'office');
  });

  it('uses WENMING_JWT_SECRET, issuer and audience like the server', async () => {
    const env = {
      WENMING_DATA_DIR: dataDir(),
      WENMING_JWT_SECRET: 'shared-secret-of-this-city-deployment-0123456789',
      WENMING_JWT_ISSUER: 'wenming-embedded',
      WENMING_JWT_AUDIENCE: 'wenming',
    };
    const { stdout, stderr } = await cli(['token', '--role', 'auditor', '--sub', 'a1'], env);
    assert.equal((await serverVerify(env, stdout.trim())).id, 'a1');
    assert.match(stderr, /signed with WENMING_JWT_SECRET\n/);
    assert.equal(existsSync(join(env.WENMING_DATA_DIR, 'jwt-secret')), false, 'the variable set, no file is read or made');
    await assert.rejects(serverVerify({ ...env, WENMING_JWT_AUDIENCE: 'another' }, stdout.trim()));
  });

  it('refuses wrong usage with exit status 2 and a clear message', async () => {
    const env = { WENMING_DATA_DIR: dataDir() };
    const cases: Array<[string[], RegExp]> = [
      [['token', '--role', 'mayor'], /"mayor" is not a role; use office, unit, inspector, supervisor, auditor, admin/],
      [['token', '--role', 'office', '--colour', 'red'], /Unknown option '--colour'/],
      [['token'], /--role is required/],
      [['token', '--role', 'unit'], /--role unit needs at least one --unit/],
      [['token', '--role', 'office', '--unit', 'u-1'], /--unit applies only with --role unit/],
      [['token', '--role', 'office', '--ttl', 'forever'], /not a duration/],
      [['token', '--role', 'office', '--ttl', '13h'], /at most 12h \(WENMING_TOKEN_MAX_TTL\)/],
      [['token', '--role', 'office', 'extra'], /Unexpected argument 'extra'/],
      [['mint'], /unknown command "mint"/],
      [[], /Usage: wenming <command>/],
    ];
    for (const [argv, message] of cases) {
      const { code, stdout, stderr } = await cli(argv, env);
      assert.equal(code, 2, argv.join(' '));
      assert.equal(stdout, '', 'nothing on stdout, so $(wenming token …) never captures an error');
      assert.match(stderr, message);
    }
  });

  it('refuses when tokens come from the SSO, or the configuration is wrong, naming the variable', async () => {
    const sso = await cli(['token', '--role', 'office'], {
      WENMING_DATA_DIR: dataDir(),
      WENMING_JWKS_URL: 'https://sso.example/jwks.json',
    });
    assert.equal(sso.code, 2);
    assert.match(sso.stderr, /city SSO/);
    const bad = await cli(['token', '--role', 'office'], { WENMING_DATA_DIR: dataDir(), WENMING_JWT_SECRET: 'short' });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /WENMING_JWT_SECRET: is 5 characters/);
  });

  it('--help prints the options and succeeds', async () => {
    const { code, stdout } = await cli(['token', '--help'], {});
    assert.equal(code, 0);
    assert.match(stdout, /--role, -r/);
    assert.equal((await cli(['--help'], {})).code, 0);
  });

  it('runs as `npm run wenming` and as the bin does, with the same exit statuses', () => {
    const env = { ...process.env, WENMING_DATA_DIR: serverDataDir() };
    const script = fileURLToPath(new URL('./main.ts', import.meta.url));
    const bin = fileURLToPath(new URL('../../bin/wenming.js', import.meta.url));
    const viaScript = spawnSync(process.execPath, ['--import', 'tsx', script, 'token', '--role', 'inspector', '--sub', 'i1'], {
      env,
      encoding: 'utf8',
    });
    assert.equal(viaScript.status, 0, viaScript.stderr);
    const viaBin = spawnSync(process.execPath, [bin, 'token', '--role', 'inspector', '--sub', 'i1'], { env, encoding: 'utf8' });
    assert.equal(viaBin.status, 0, viaBin.stderr);
    for (const out of [viaScript.stdout, viaBin.stdout]) assert.equal(decodeJwt(out.trim()).sub, 'i1');
    const wrong = spawnSync(process.execPath, [bin, 'token', '--role', 'mayor'], { env, encoding: 'utf8' });
    assert.equal(wrong.status, 2);
  });

  it('answers in well under a second: the token command loads no server, gRPC or telemetry code', () => {
    // A resolve hook reports every heavy package a run loads; `verify` (which opens the
    // event store through the platform) shows the probe sees them.
    const hook = `export async function resolve(s, c, n) { const r = await n(s, c); if (/\\/node_modules\\/(fastify|@grpc|@opentelemetry)\\//.test(r.url)) console.error('HEAVY ' + r.url); return r; }`;
    const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});`;
    const env = { ...process.env, WENMING_DATA_DIR: serverDataDir() };
    const script = fileURLToPath(new URL('./main.ts', import.meta.url));
    const run = (...args: string[]) =>
      spawnSync(
        process.execPath,
        ['--import', 'tsx', '--import', `data:text/javascript,${encodeURIComponent(register)}`, script, ...args],
        {
          env,
          encoding: 'utf8',
        },
      );
    const token = run('token', '--role', 'office');
    assert.equal(token.status, 0, token.stderr);
    assert.doesNotMatch(token.stderr, /HEAVY/);
    assert.match(run('verify', '--help').stderr, /HEAVY/);
  });
});
