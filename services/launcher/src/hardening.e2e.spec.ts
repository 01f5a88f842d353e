// Issue 12, item 10 (hardening) against a running platform (in-process, real SQLite
// files, real HTTP and gRPC servers, the test-only counter module): security
// headers, rate limits per caller and route, slow-client timeouts, body and message
// limits, private data files, and no password in what the platform prints.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { dossierFromEvents, writeDossier } from '@wenming/lookback';
import { loadConfig } from '@wenming/service-kit';
import { service as healthService } from 'grpc-health-check';
import { startupBanner } from './banner.js';
import { runCli } from './cli/run.js';
import { describeReadStore, type RunningPlatform, startPlatform } from './platform.js';
import { counterClient, post, tokens } from './test-fixtures/clients.js';
import { createCounterModule } from './test-fixtures/counter/counter-module.js';

// Every file below is created with no umask at all, under a directory anyone may
// write: only Wenming's own modes keep the files private.
const previousUmask = process.umask(0);
const base = mkdtempSync(join(tmpdir(), 'wenming-hardening-'));
chmodSync(base, 0o777);
const dataDir = join(base, 'data'); // Wenming creates it
const RATE = 10;
const BODY_LIMIT = 64 * 1024;
const config = loadConfig({
  WENMING_DATA_DIR: dataDir,
  HTTP_PORT: '0',
  GRPC_PORT: '0',
  LOG_LEVEL: 'silent',
  WENMING_RATE_LIMIT: String(RATE),
  HTTP_HEADERS_TIMEOUT_MS: '500',
  HTTP_REQUEST_TIMEOUT_MS: '1500',
  HTTP_BODY_LIMIT: String(BODY_LIMIT),
  GRPC_MAX_MESSAGE_BYTES: String(BODY_LIMIT),
});
let platform: RunningPlatform;
let grpcClient: ReturnType<typeof counterClient>;
let token: ReturnType<typeof tokens>;
let port: number;

before(async () => {
  platform = await startPlatform(config, { modules: [createCounterModule] });
  token = tokens(config); // the secret file is created by the platform, or here
  grpcClient = counterClient(platform.grpcAddress);
  port = Number(new URL(platform.httpUrl).port);
});

after(async () => {
  process.umask(previousUmask);
  grpcClient?.dispose();
  await platform?.stop();
  rmSync(base, { recursive: true, force: true });
});

let keys = 0;
const freshKey = () => `key-${++keys}`;
const increment = (sub: string, name = 'c1', route: 'increment' | 'close' = 'increment') =>
  token(['office'], { sub }).then((t) =>
    post(platform.httpUrl, `/test/units/unit-a/counters/${name}/${route}`, { token: t, key: freshKey(), body: { amount: 1 } }),
  );

describe('security headers on every answer (@fastify/helmet)', () => {
  function assertHardened(headers: Headers, what: string) {
    assert.equal(headers.get('x-content-type-options'), 'nosniff', what);
    assert.ok(headers.get('x-frame-options'), what);
    assert.match(headers.get('strict-transport-security') ?? '', /max-age=\d+/, what);
    assert.equal(headers.get('referrer-policy'), 'no-referrer', what);
    assert.equal(headers.get('x-powered-by'), null, what);
  }

  it('an API answer, a refusal and an unknown route carry them, with a CSP that allows nothing', async () => {
    const health = await fetch(`${platform.httpUrl}/healthz`);
    const refused = await post(platform.httpUrl, '/test/units/unit-a/counters/c1/increment', { key: freshKey(), body: { amount: 1 } });
    const unknown = await fetch(`${platform.httpUrl}/no/such/route`);
    assert.deepEqual([health.status, refused.status, unknown.status], [200, 401, 404]);
    for (const [what, headers] of [
      ['healthz', health.headers],
      ['401', refused.headers],
      ['404', unknown.headers],
    ] as const) {
      assertHardened(headers, what);
      assert.match(headers.get('content-security-policy') ?? '', /default-src 'none'.*frame-ancestors 'none'/, what);
    }
  });

  it('/docs still works: 200 HTML under a CSP that admits its own scripts and styles, and they load', async () => {
    const docs = await fetch(`${platform.httpUrl}/docs`);
    assert.equal(docs.status, 200);
    assert.match(docs.headers.get('content-type') ?? '', /text\/html/);
    assertHardened(docs.headers, 'docs');
    const csp = docs.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /style-src 'self'/);
    assert.doesNotMatch(csp, /upgrade-insecure-requests/, 'the embedded profile serves plain HTTP');
    const html = await docs.text();
    const assets = [...html.matchAll(/(?:src|href)="([^"]+\.(?:js|css))"/g)].map((m) => new URL(m[1]!, docs.url));
    assert.ok(assets.length >= 2, html);
    for (const asset of assets) {
      assert.equal(asset.origin, new URL(platform.httpUrl).origin, `${asset} is same-origin ('self')`);
      assert.equal((await fetch(asset)).status, 200, String(asset));
    }
    assert.equal((await fetch(`${platform.httpUrl}/openapi.json`)).status, 200);
  });
});

describe('rate limits per caller and route (@fastify/rate-limit; a token bucket on gRPC)', () => {
  it(`HTTP: the ${RATE + 1}th request of one caller on one route is 429 RESOURCE_EXHAUSTED with Retry-After`, async () => {
    for (let i = 0; i < RATE; i++) assert.equal((await increment('rate-a')).status, 200, `request ${i + 1}`);
    const refused = await increment('rate-a');
    assert.equal(refused.status, 429);
    assert.equal(refused.body.code, 'RESOURCE_EXHAUSTED');
    assert.match(refused.body.message, /too many requests/);
    assert.ok(Number(refused.headers.get('retry-after')) > 0, 'Retry-After in seconds');
    assert.equal(refused.headers.get('x-content-type-options'), 'nosniff');
    // The caller is the token's subject: a fresh token for the same user is the same caller.
    assert.equal((await increment('rate-a', 'c2')).status, 429);
    // Another caller, and the same caller on another route, are counted apart.
    assert.equal((await increment('rate-b')).status, 200);
    assert.equal((await increment('rate-a', 'c9', 'close')).status, 200);
  });

  it('health probes are never limited', async () => {
    for (let i = 0; i < RATE * 3; i++) {
      assert.equal((await fetch(`${platform.httpUrl}/healthz`)).status, 200);
      assert.equal((await fetch(`${platform.httpUrl}/readyz`)).status, 200);
    }
  });

  it('gRPC: the same per caller and method, RESOURCE_EXHAUSTED with a retry-after trailer; health exempt', async () => {
    const call = async (sub: string) =>
      grpcClient.increment({ unitId: 'unit-a', name: `g-${sub}`, amount: 1, idempotencyKey: freshKey() }, await token(['office'], { sub }));
    for (let i = 0; i < RATE; i++) assert.equal((await call('rate-g')).ok, true, `call ${i + 1}`);
    const refused = await call('rate-g');
    assert.equal(refused.ok, false);
    const error = (refused as { error: grpc.ServiceError }).error;
    assert.equal(error.code, grpc.status.RESOURCE_EXHAUSTED);
    assert.match(error.details, /too many calls/);
    assert.ok(Number(error.metadata.get('retry-after')[0]) > 0);
    assert.equal((await call('rate-h')).ok, true, 'another caller is untouched');

    const Health = grpc.makeClientConstructor(healthService, 'grpc.health.v1.Health');
    const health = new Health(platform.grpcAddress, grpc.credentials.createInsecure()) as unknown as grpc.Client & {
      check(req: { service: string }, cb: (err: grpc.ServiceError | null, res: { status: string }) => void): void;
    };
    try {
      for (let i = 0; i < RATE * 3; i++) {
        const status = await new Promise<string>((resolve, reject) =>
          health.check({ service: '' }, (err, res) => (err ? reject(err) : resolve(res.status))),
        );
        assert.equal(status, 'SERVING');
      }
    } finally {
      health.close();
    }
  });
});

describe('slow clients are cut off (headersTimeout 500 ms, requestTimeout 1500 ms)', () => {
  /** Sends `head` at once, then `drip` one byte every 100 ms; resolves when the server closes the connection. */
  function slowClient(head: string, drip: string): Promise<{ elapsedMs: number; answer: string; sentAll: boolean }> {
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const socket = connect(port, '127.0.0.1');
      let answer = '';
      let sent = 0;
      let timer: NodeJS.Timeout | undefined;
      socket.on('data', (chunk) => {
        answer += chunk.toString('latin1');
      });
      socket.on('error', () => undefined); // a reset after the server gave up is expected
      socket.on('close', () => {
        clearInterval(timer);
        resolve({ elapsedMs: Date.now() - started, answer, sentAll: sent >= drip.length });
      });
      socket.on('connect', () => {
        socket.write(head);
        timer = setInterval(() => {
          if (sent < drip.length) socket.write(drip[sent++]!);
        }, 100);
      });
      setTimeout(() => reject(new Error(`still connected after 15 s; got ${JSON.stringify(answer)}`)), 15_000).unref();
    });
  }

  it('headers sent a byte at a time: 408 and closed once headersTimeout passes, long before they end', async () => {
    const result = await slowClient('GET /healthz HTTP/1.1\r\nHost: wenming\r\n', `X-Slow: ${'a'.repeat(100)}\r\n\r\n`);
    assert.equal(result.sentAll, false, 'cut off before the headers were complete');
    assert.ok(result.elapsedMs < 3000, `closed after ${result.elapsedMs} ms`);
    assert.match(result.answer, /^HTTP\/1\.1 408/);
  });

  it('a connection that sends nothing is closed too', async () => {
    const result = await slowClient('', '');
    assert.ok(result.elapsedMs < 3000, `closed after ${result.elapsedMs} ms`);
  });

  it('a body sent a byte at a time: cut off once requestTimeout passes', async () => {
    const t = await token(['office'], { sub: 'slow-body' });
    const body = JSON.stringify({ amount: 1, pad: 'x'.repeat(100) });
    const head = [
      'POST /test/units/unit-a/counters/slow/increment HTTP/1.1',
      'Host: wenming',
      `Authorization: Bearer ${t}`,
      'Idempotency-Key: slow-1',
      'Content-Type: application/json',
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      '',
    ].join('\r\n');
    const result = await slowClient(head, body);
    assert.equal(result.sentAll, false, 'cut off before the body was complete');
    assert.ok(result.elapsedMs < 4000, `closed after ${result.elapsedMs} ms`);
    assert.match(result.answer, /^HTTP\/1\.1 408/);
  });
});

describe('body and message limits', () => {
  it('a body over the limit is 413, whether announced by Content-Length or streamed', async () => {
    const t = await token(['office'], { sub: 'big-body' });
    const big = JSON.stringify({ amount: 1, pad: 'x'.repeat(BODY_LIMIT) });
    const res = await post(platform.httpUrl, '/test/units/unit-a/counters/big/increment', { token: t, key: freshKey(), rawBody: big });
    assert.equal(res.status, 413);
    const streamed = await sendBody({ authorization: `Bearer ${t}`, 'idempotency-key': freshKey() }, 4 * BODY_LIMIT, false);
    assert.equal(streamed.status, 413);
  });

  it('an unauthenticated 50 MB body is refused 401 without the server buffering it', async () => {
    const before = process.memoryUsage().rss;
    const res = await sendBody({}, 50 * 1024 * 1024, true);
    const grownMb = (process.memoryUsage().rss - before) / 1024 / 1024;
    assert.equal(res.status, 401);
    assert.ok(grownMb < 20, `RSS grew by ${grownMb.toFixed(1)} MB`);
  });

  it('gRPC: a message over GRPC_MAX_MESSAGE_BYTES is RESOURCE_EXHAUSTED before any handler runs', async () => {
    const answer = await grpcClient.increment(
      { unitId: 'unit-a', name: 'x'.repeat(BODY_LIMIT + 1), amount: 1, idempotencyKey: freshKey() },
      await token(['office'], { sub: 'big-message' }),
    );
    assert.equal(answer.ok, false);
    assert.equal((answer as { error: grpc.ServiceError }).error.code, grpc.status.RESOURCE_EXHAUSTED);
  });

  /** POSTs `size` bytes to the increment route from one reused 64 KiB buffer (so the client holds no big body). */
  function sendBody(headers: Record<string, string>, size: number, announce: boolean): Promise<{ status: number }> {
    return new Promise((resolve, reject) => {
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/test/units/unit-a/counters/big/increment',
          headers: { 'content-type': 'application/json', ...headers, ...(announce ? { 'content-length': String(size) } : {}) },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
        },
      );
      let written = 0;
      let answered = false;
      req.on('response', () => {
        answered = true;
      });
      req.on('error', (err) => (answered ? undefined : reject(err)));
      const pump = () => {
        while (!answered && written < size) {
          written += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
  }
});

describe('data files are private whatever the umask and the directory mode', () => {
  it('the data directory Wenming created is 0700, and every file in it 0600', async () => {
    // Something in each store, so their -wal files exist.
    assert.equal((await increment('files')).status, 200);
    assert.equal(statSync(dataDir).mode & 0o777, 0o700);
    const files = readdirSync(dataDir, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(join(dataDir, f)).isFile());
    for (const expected of ['events.db', 'events.db-wal', 'bus.db', 'readmodels.db', 'jwt-secret']) {
      assert.ok(files.includes(expected), `${expected} in ${files.join(', ')}`);
    }
    for (const file of files) {
      assert.equal((statSync(join(dataDir, file)).mode & 0o777).toString(8), '600', file);
    }
  });

  it('a dossier export is 0600 files in a 0700 directory', async () => {
    const dossier = dossierFromEvents('unit-a', []);
    const out = join(base, 'dossier-unit-a');
    const written = await writeDossier(out, dossier);
    assert.equal((statSync(out).mode & 0o777).toString(8), '700');
    for (const file of written) assert.equal((statSync(file).mode & 0o777).toString(8), '600', file);
  });
});

describe('connection strings are never shown with their password', () => {
  const secretEnv = {
    WENMING_DATA_DIR: dataDir,
    WENMING_JWT_SECRET: 'y'.repeat(40),
    EVENTSTORE_URL: 'postgresql://db.city/wenming?user=wenming&password=s3cret-pg',
    MONGODB_URL: 'mongodb://reader:s3cret-mongo@m1:27017,m2:27017/wenming?replicaSet=rs0',
    KAFKA_BROKERS: 'kafka-1:9092',
  };

  it('the startup banner and `wenming projections list` name the stores without it', () => {
    const cfg = loadConfig(secretEnv);
    const lines = startupBanner(cfg, { httpUrl: 'http://127.0.0.1:1', grpcAddress: '127.0.0.1:2', missingServices: [] });
    const text = lines.join('\n');
    assert.doesNotMatch(text, /s3cret/);
    assert.match(text, /event store {2}postgresql:\/\/db\.city\/wenming\?user=wenming&password=\*\*\*/);
    assert.match(text, /MongoDB mongodb:\/\/reader:\*\*\*@m1:27017,m2:27017/);
    assert.doesNotMatch(describeReadStore(cfg), /s3cret/);
  });

  it('/healthz reports an unreachable store without the password its driver quoted', async () => {
    const ping = platform.store.ping;
    platform.store.ping = async () => {
      throw new Error('connect ECONNREFUSED 10.0.0.9:5432 (postgresql://wenming:s3cret-pg@10.0.0.9:5432/wenming)');
    };
    try {
      const res = await fetch(`${platform.httpUrl}/healthz`);
      assert.equal(res.status, 503);
      const text = await res.text();
      assert.doesNotMatch(text, /s3cret/);
      assert.match(text, /wenming:\*\*\*@10\.0\.0\.9/);
    } finally {
      platform.store.ping = ping;
    }
  });

  it('a CLI command that fails on the store prints its error without the password', async () => {
    let stderr = '';
    const code = await runCli(['projections', 'list'], {
      env: { ...secretEnv, EVENTSTORE_URL: 'mysql://wenming:s3cret-my@db.city/wenming', MONGODB_URL: '' },
      stdout: () => undefined,
      stderr: (text) => {
        stderr += text;
      },
    });
    assert.notEqual(code, 0);
    assert.match(stderr, /EVENTSTORE_URL/);
    assert.doesNotMatch(stderr, /s3cret/);
  });
});
