// DESIGN §5 with real clients: a running platform (in-process, real SQLite store,
// real HTTP and gRPC servers) hosting the test-only counter module, called with
// fetch and a grpc-js client. Each rule is checked on both edges.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import { loadConfig } from '@wenming/service-kit';
import { type RunningPlatform, startPlatform } from './platform.js';
import { counterClient, post, streamEvents, tokens } from './test-fixtures/clients.js';
import { counterStreamId, createCounterModule } from './test-fixtures/counter/counter-module.js';

const dir = mkdtempSync(join(tmpdir(), 'wenming-security-'));
const config = loadConfig({ WENMING_DATA_DIR: dir, HTTP_PORT: '0', GRPC_PORT: '0', LOG_LEVEL: 'silent' });
const token = tokens(config);
let platform: RunningPlatform;
let grpcClient: ReturnType<typeof counterClient>;
let office: string;
let unitA: string;

before(async () => {
  platform = await startPlatform(config, { modules: [createCounterModule] });
  grpcClient = counterClient(platform.grpcAddress);
  office = await token(['office']);
  unitA = await token(['unit'], { units: ['unit-a'], sub: 'clerk-a' });
});

after(async () => {
  grpcClient?.dispose();
  await platform?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const incrementPath = (unit: string, name: string) => `/test/units/${unit}/counters/${name}/increment`;
let keys = 0;
const freshKey = () => `key-${++keys}`;

function grpcFailure(answer: Awaited<ReturnType<typeof grpcClient.increment>>) {
  assert.equal(answer.ok, false, `expected a gRPC error, got ${JSON.stringify(answer)}`);
  return (answer as { ok: false; error: import('@grpc/grpc-js').ServiceError }).error;
}

describe('no token, or a token that does not verify: UNAUTHENTICATED / 401', () => {
  it('HTTP: 401 with WWW-Authenticate: Bearer, before the body is even validated', async () => {
    const res = await post(platform.httpUrl, incrementPath('unit-a', 'c1'), { key: freshKey(), body: { amount: 'not a number' } });
    assert.equal(res.status, 401);
    assert.equal(res.body.code, 'UNAUTHENTICATED');
    assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="wenming"');
  });

  it('HTTP: an expired token, a token signed with another key, and a non-bearer scheme are 401 invalid_token', async () => {
    const expired = await token(['office'], { ttlSec: 60, now: new Date(Date.now() - 3_600_000) });
    const foreign = `${office.slice(0, office.lastIndexOf('.'))}.${'A'.repeat(43)}`;
    for (const bad of [expired, foreign, 'garbage']) {
      const res = await post(platform.httpUrl, incrementPath('unit-a', 'c1'), { token: bad, key: freshKey(), body: { amount: 1 } });
      assert.equal(res.status, 401, bad);
      assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer realm="wenming", error="invalid_token"/);
    }
    const expiredRes = await post(platform.httpUrl, incrementPath('unit-a', 'c1'), {
      token: expired,
      key: freshKey(),
      body: { amount: 1 },
    });
    assert.match(expiredRes.body.message, /expired/);
  });

  it('gRPC: UNAUTHENTICATED without metadata and with a bad token', async () => {
    const request = { unitId: 'unit-a', name: 'c1', amount: 1, idempotencyKey: freshKey() };
    assert.equal(grpcFailure(await grpcClient.increment(request)).code, status.UNAUTHENTICATED);
    assert.equal(grpcFailure(await grpcClient.increment(request, 'garbage')).code, status.UNAUTHENTICATED);
  });

  it('probes, the OpenAPI document and its UI need no token; an unknown route is 404, not 401', async () => {
    assert.equal((await fetch(`${platform.httpUrl}/healthz`)).status, 200);
    assert.equal((await fetch(`${platform.httpUrl}/readyz`)).status, 200);
    const docs = await fetch(`${platform.httpUrl}/docs`);
    assert.equal(docs.status, 200);
    assert.match(docs.headers.get('content-type') ?? '', /html/);
    const openapi = await fetch(`${platform.httpUrl}/openapi.json`);
    assert.equal(openapi.status, 200);
    // biome-ignore lint/suspicious/noExplicitAny: walking a JSON document
    const doc = (await openapi.json()) as any;
    assert.equal(doc.openapi, '3.1.0');
    assert.deepEqual(doc.security, [{ bearer: [] }]);
    const increment = doc.paths['/test/units/{unitId}/counters/{name}/increment'].post;
    assert.ok(increment.requestBody.content['application/json'].schema.properties.amount);
    assert.ok(increment.responses['403'], 'error responses are documented');
    assert.deepEqual(doc.paths['/healthz'].get.security, [], 'public routes say so');
    const missing = await fetch(`${platform.httpUrl}/no/such/route`);
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { code: string }).code, 'NOT_FOUND');
  });
});

describe('a role that may not act: PERMISSION_DENIED / 403', () => {
  it('HTTP: an inspector, and a read-only auditor, may not increment', async () => {
    for (const role of ['inspector', 'auditor'] as const) {
      const res = await post(platform.httpUrl, incrementPath('unit-a', 'c1'), {
        token: await token([role]),
        key: freshKey(),
        body: { amount: 1 },
      });
      assert.equal(res.status, 403, role);
      assert.equal(res.body.code, 'PERMISSION_DENIED');
    }
  });

  it('gRPC: PERMISSION_DENIED for the same callers', async () => {
    for (const role of ['inspector', 'auditor'] as const) {
      const answer = await grpcClient.increment(
        { unitId: 'unit-a', name: 'c1', amount: 1, idempotencyKey: freshKey() },
        await token([role]),
      );
      assert.equal(grpcFailure(answer).code, status.PERMISSION_DENIED, role);
    }
  });
});

describe('a unit user reaches only its own units: PERMISSION_DENIED / 403', () => {
  it('HTTP: unit-a acts on unit-a, not on unit-b; the office acts on both', async () => {
    const other = await post(platform.httpUrl, incrementPath('unit-b', 'scoped'), { token: unitA, key: freshKey(), body: { amount: 1 } });
    assert.equal(other.status, 403);
    assert.equal(other.body.code, 'PERMISSION_DENIED');
    assert.deepEqual(await streamEvents(platform.store, counterStreamId('unit-b', 'scoped')), [], 'nothing was appended');
    const own = await post(platform.httpUrl, incrementPath('unit-a', 'scoped'), { token: unitA, key: freshKey(), body: { amount: 1 } });
    assert.equal(own.status, 200);
    const byOffice = await post(platform.httpUrl, incrementPath('unit-b', 'scoped'), {
      token: office,
      key: freshKey(),
      body: { amount: 1 },
    });
    assert.equal(byOffice.status, 200);
  });

  it('gRPC: the same', async () => {
    const other = await grpcClient.increment({ unitId: 'unit-b', name: 'scoped-grpc', amount: 1, idempotencyKey: freshKey() }, unitA);
    assert.equal(grpcFailure(other).code, status.PERMISSION_DENIED);
    const own = await grpcClient.increment({ unitId: 'unit-a', name: 'scoped-grpc', amount: 1, idempotencyKey: freshKey() }, unitA);
    assert.equal(own.ok, true);
  });

  it('every event records its actor', async () => {
    const [event] = await streamEvents(platform.store, counterStreamId('unit-a', 'scoped'));
    assert.deepEqual(event?.metadata.actor, { id: 'clerk-a', role: 'unit' });
    assert.equal(event?.metadata.unitId, 'unit-a');
  });
});

describe('malformed input: INVALID_ARGUMENT / 400 naming the field', () => {
  it('HTTP: the body, header and path fields are named', async () => {
    const cases: Array<[string, Parameters<typeof post>[2], string]> = [
      [incrementPath('unit-a', 'c2'), { body: { amount: 0 } }, 'amount'],
      [incrementPath('unit-a', 'c2'), { body: { amount: 'lots' } }, 'amount'],
      [incrementPath('unit-a', 'c2'), { body: {} }, 'amount'],
      [incrementPath('unit-a', 'c2'), { body: { amount: 1, expectedRevision: -1 } }, 'expectedRevision'],
      [incrementPath('unit-a', 'c2'), { body: { amount: 1 }, key: undefined }, 'idempotency-key'],
      [incrementPath('unit-a', 'c2'), { rawBody: '{"amount": ' }, 'body'],
      [incrementPath('unit-a', 'bad%20name'), { body: { amount: 1 } }, 'name'],
    ];
    for (const [path, options, field] of cases) {
      const res = await post(platform.httpUrl, path, { token: office, key: freshKey(), ...options });
      assert.equal(res.status, 400, `${field}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.code, 'INVALID_ARGUMENT');
      assert.equal(res.body.field, field, JSON.stringify(res.body));
      assert.ok(res.body.message.includes(field), res.body.message);
    }
  });

  it('gRPC: the message field is named, in the message and in the wenming-field trailer', async () => {
    const good = { unitId: 'unit-a', name: 'c2', amount: 1, idempotencyKey: freshKey() };
    const cases: Array<[object, string]> = [
      [{ ...good, amount: 0 }, 'amount'],
      [{ ...good, amount: 101 }, 'amount'],
      [{ ...good, idempotencyKey: '' }, 'idempotencyKey'],
      [{ ...good, unitId: 'no spaces allowed' }, 'unitId'],
      [{ ...good, expectedRevision: -3 }, 'expectedRevision'],
    ];
    for (const [request, field] of cases) {
      const error = grpcFailure(await grpcClient.increment(request, office));
      assert.equal(error.code, status.INVALID_ARGUMENT, field);
      assert.ok(error.details.startsWith(`${field}:`), error.details);
      assert.deepEqual(error.metadata.get('wenming-field'), [field]);
    }
  });
});

describe('a concurrency conflict (a stale expectedRevision): ABORTED / 409', () => {
  it('HTTP: 409 ABORTED, and nothing is appended', async () => {
    const path = incrementPath('unit-a', 'occ');
    const first = await post(platform.httpUrl, path, { token: office, key: freshKey(), body: { amount: 1 } });
    assert.equal(first.body.nextExpectedRevision, 0);
    const second = await post(platform.httpUrl, path, { token: office, key: freshKey(), body: { amount: 1, expectedRevision: 0 } });
    assert.equal(second.status, 200);
    assert.equal(second.body.nextExpectedRevision, 1);
    const stale = await post(platform.httpUrl, path, { token: office, key: freshKey(), body: { amount: 1, expectedRevision: 0 } });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.code, 'ABORTED');
    assert.equal((await streamEvents(platform.store, counterStreamId('unit-a', 'occ'))).length, 2);
  });

  it('gRPC: ABORTED', async () => {
    const request = { unitId: 'unit-a', name: 'occ-grpc', amount: 1 };
    const first = await grpcClient.increment({ ...request, idempotencyKey: freshKey() }, office);
    assert.ok(first.ok);
    await grpcClient.increment({ ...request, idempotencyKey: freshKey(), expectedRevision: 0 }, office);
    const stale = await grpcClient.increment({ ...request, idempotencyKey: freshKey(), expectedRevision: 0 }, office);
    assert.equal(grpcFailure(stale).code, status.ABORTED);
    assert.equal((await streamEvents(platform.store, counterStreamId('unit-a', 'occ-grpc'))).length, 2);
  });
});

describe('a forbidden transition: FAILED_PRECONDITION / 409 with the current state', () => {
  it('HTTP and gRPC: a closed counter refuses an increment', async () => {
    const closed = await post(platform.httpUrl, '/test/units/unit-a/counters/shut/close', { token: office, key: freshKey() });
    assert.equal(closed.status, 200);
    const res = await post(platform.httpUrl, incrementPath('unit-a', 'shut'), { token: office, key: freshKey(), body: { amount: 1 } });
    assert.equal(res.status, 409);
    assert.equal(res.body.code, 'FAILED_PRECONDITION');
    assert.equal(res.body.currentState, 'closed');
    const error = grpcFailure(
      await grpcClient.increment({ unitId: 'unit-a', name: 'shut', amount: 1, idempotencyKey: freshKey() }, office),
    );
    assert.equal(error.code, status.FAILED_PRECONDITION);
    assert.deepEqual(error.metadata.get('wenming-current-state'), ['closed']);
  });
});

describe('the same idempotency key twice: one append, the same answer', () => {
  it('HTTP: the repeat answers like the first call, even after the stream moved on', async () => {
    const path = incrementPath('unit-a', 'idem');
    // 9 → 10 crosses a milestone: the first call appends two events.
    await post(platform.httpUrl, path, { token: office, key: 'idem-0', body: { amount: 9 } });
    const first = await post(platform.httpUrl, path, { token: office, key: 'idem-1', body: { amount: 1 } });
    assert.equal(first.status, 200);
    assert.equal(first.body.eventIds.length, 2);
    const again = await post(platform.httpUrl, path, { token: office, key: 'idem-1', body: { amount: 1 } });
    assert.deepEqual(again.body, first.body);
    await post(platform.httpUrl, path, { token: office, key: 'idem-2', body: { amount: 5 } });
    const later = await post(platform.httpUrl, path, { token: office, key: 'idem-1', body: { amount: 1 } });
    assert.equal(later.status, 200);
    assert.deepEqual(later.body, first.body, 'still the first answer (total 10), not the current total');
    const events = await streamEvents(platform.store, counterStreamId('unit-a', 'idem'));
    assert.deepEqual(
      events.map((e) => e.type),
      ['CounterIncremented', 'CounterIncremented', 'MilestoneReached', 'CounterIncremented'],
    );
    assert.deepEqual(
      events.slice(1, 3).map((e) => e.id),
      first.body.eventIds,
    );
  });

  it('gRPC: the same, and HTTP and gRPC share the key space of a stream', async () => {
    const request = { unitId: 'unit-a', name: 'idem-grpc', amount: 3, idempotencyKey: 'idem-g' };
    const first = await grpcClient.increment(request, office);
    const again = await grpcClient.increment(request, office);
    assert.ok(first.ok && again.ok);
    assert.deepEqual(again.reply, first.reply);
    const overHttp = await post(platform.httpUrl, incrementPath('unit-a', 'idem-grpc'), {
      token: office,
      key: 'idem-g',
      body: { amount: 3 },
    });
    assert.deepEqual(overHttp.body, first.reply);
    assert.equal((await streamEvents(platform.store, counterStreamId('unit-a', 'idem-grpc'))).length, 1);
  });

  it('concurrent repeats of one key still append once', async () => {
    const path = incrementPath('unit-a', 'idem-race');
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => post(platform.httpUrl, path, { token: office, key: 'race', body: { amount: 2 } })),
    );
    for (const answer of answers) assert.deepEqual(answer.body, answers[0]?.body);
    assert.equal((await streamEvents(platform.store, counterStreamId('unit-a', 'idem-race'))).length, 1);
  });
});
