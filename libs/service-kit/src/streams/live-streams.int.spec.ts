// historyStream over LiveStreams with real parts: a grpc-js server and client (the
// generated PlanSubmissionService stream rpc), a SQLite event store, HS256 tokens.
// What is counted is the stream reads `read` makes, so "an idle follow costs
// nothing" is a count, not a CPU reading.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import * as svc from '@wenming/contracts/wenming/plansubmission/v1/plansubmission_service.js';
import { type EventStore, openEventStore, type RecordedEvent } from '@wenming/eventstore';
import pino from 'pino';
import { createTokenVerifier, signHs256Token } from '../auth/tokens.js';
import { ConfigError, loadConfig } from '../config.js';
import { PermissionDeniedError } from '../errors/domain-errors.js';
import { historyStream } from '../operations/grpc.js';
import { LiveStreams } from './live-streams.js';

const SECRET = 'a-test-secret-that-is-long-enough-for-hs256!';
const key = new TextEncoder().encode(SECRET);
const MAX_PER_CALLER = 4;
const dir = mkdtempSync(join(tmpdir(), 'wenming-live-streams-'));
let store: EventStore;
let streams: LiveStreams;
let server: grpc.Server;
let client: svc.PlanSubmissionServiceClient;
/** Stream reads made by the rpc, by plan id. */
const reads = new Map<string, number>();
const totalReads = () => [...reads.values()].reduce((a, b) => a + b, 0);

before(async () => {
  store = await openEventStore(`sqlite:${join(dir, 'events.db')}`, { pollIntervalMs: 50 });
  const logger = pino({ level: 'silent' });
  streams = new LiveStreams({ store, logger, maxPerCaller: MAX_PER_CALLER });
  server = new grpc.Server();
  server.addService(svc.PlanSubmissionServiceService, {
    streamPlanHistory: historyStream<svc.StreamPlanHistoryRequest>({
      auth: createTokenVerifier({ mode: 'hs256', secret: SECRET, secretFile: '/nonexistent' }),
      logger,
      streams,
      streamId: (request) => `plan-${request.planId}`,
      authorize: (principal, request) => {
        if (request.planId.startsWith('secret') && principal.id !== 'owner') throw new PermissionDeniedError('not yours');
      },
      read: async (_principal, request, from) => {
        reads.set(request.planId, (reads.get(request.planId) ?? 0) + 1);
        const out: RecordedEvent[] = [];
        for await (const e of store.readStream(`plan-${request.planId}`, { fromRevision: from })) out.push(e);
        return out;
      },
    }),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  client = new svc.PlanSubmissionServiceClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
});

after(async () => {
  client?.close();
  server?.forceShutdown();
  await streams?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const append = (planId: string, n = 1) =>
  store.append(
    `plan-${planId}`,
    Array.from({ length: n }, () => ({
      id: randomUUID(),
      type: 'PlanNoted',
      data: {},
      occurredAt: '2026-03-01T08:00:00Z',
      metadata: { unitId: 'u1' },
    })),
  );

const tokenFor = (sub: string, ttlSec = 600) => signHs256Token({ sub, roles: ['office'], ttlSec }, key);

/** A follow call with its events and its end (status) as promises. */
async function follow(planId: string, options: { sub?: string; token?: string; fromRevision?: number } = {}) {
  const metadata = new grpc.Metadata();
  metadata.set('authorization', `Bearer ${options.token ?? (await tokenFor(options.sub ?? 'office-1'))}`);
  const call = client.streamPlanHistory({ planId, fromRevision: options.fromRevision ?? 0, follow: true }, metadata);
  const revisions: number[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  call.on('data', (m: svc.StreamPlanHistoryResponse) => {
    revisions.push(m.event!.revision);
    for (const w of waiters.filter((w) => revisions.length >= w.count)) w.resolve();
  });
  const ended = new Promise<grpc.ServiceError | undefined>((resolve) => {
    call.on('error', (err: grpc.ServiceError) => resolve(err));
    call.on('end', () => resolve(undefined));
  });
  return {
    call,
    revisions,
    ended,
    /** Resolves once `count` events have arrived. */
    received: (count: number) =>
      revisions.length >= count ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ count, resolve })),
  };
}

/** Resolves when `check` holds; for server-side effects of a client action (a cancel) with no message to wait on. */
async function eventually(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.fail(`never: ${what}`);
}

describe('a follow', () => {
  it('sends the history, then each new event as it is recorded, none missed however soon after the call', async () => {
    await append('p1', 2);
    const f = await follow('p1');
    await f.received(2);
    for (let i = 0; i < 5; i++) await append('p1');
    await f.received(7);
    assert.deepEqual(f.revisions, [0, 1, 2, 3, 4, 5, 6]);
    f.call.cancel();
    // Appended the moment the call is made: the watch starts before the first read.
    for (let i = 0; i < 10; i++) {
      const racing = await follow(`race-${i}`);
      await append(`race-${i}`);
      await racing.received(1);
      racing.call.cancel();
    }
  });

  it('while idle reads nothing: 200 follows read once each, and again only when their own stream moves', async () => {
    const planIds = Array.from({ length: 200 }, (_, i) => `idle-${i}`);
    for (const id of planIds) await append(id);
    const follows = await Promise.all(planIds.map((id, i) => follow(id, { sub: `idle-caller-${i}` })));
    await Promise.all(follows.map((f) => f.received(1)));
    const idleReads = () => planIds.reduce((n, id) => n + (reads.get(id) ?? 0), 0);
    assert.equal(idleReads(), 200);
    // Other streams move, time passes (the old poll re-read every follow every 200 ms) ...
    const busy = await follow('busy');
    for (let i = 0; i < 20; i++) await append('busy');
    await busy.received(20);
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(idleReads(), 200, 'no idle follow read again');
    // ... and the one whose stream moves reads once more, and only it.
    await append('idle-7');
    await follows[7]!.received(2);
    assert.equal(reads.get('idle-7'), 2);
    assert.equal(idleReads(), 201);
    for (const f of [...follows, busy]) f.call.cancel();
  });

  it('fails at once on a stream the caller may not read, before reading or waiting', async () => {
    const readsBefore = totalReads();
    const f = await follow('secret-1', { sub: 'snoop' });
    const error = await f.ended;
    assert.equal(error?.code, grpc.status.PERMISSION_DENIED);
    assert.equal(totalReads(), readsBefore, 'nothing was read for it');
    assert.equal(streams.openFor('snoop'), 0);
  });

  it('ends with UNAUTHENTICATED "token expired" when its token expires', async () => {
    await append('expiring');
    const token = await tokenFor('short-lived', 2);
    const f = await follow('expiring', { token });
    await f.received(1);
    const exp = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).exp as number;
    const error = await f.ended;
    assert.equal(error?.code, grpc.status.UNAUTHENTICATED);
    assert.match(error?.details ?? '', /token expired/);
    assert.ok(Date.now() >= exp * 1000 - 50, 'not before the token expired');
    assert.equal(streams.openFor('short-lived'), 0, 'the slot is released');
  });
});

describe('streams per caller', () => {
  it(`at most ${MAX_PER_CALLER} open at once (RESOURCE_EXHAUSTED naming the cap), a slot freed when one is cancelled`, async () => {
    await append('capped');
    const open = [];
    for (let i = 0; i < MAX_PER_CALLER; i++) {
      const f = await follow('capped', { sub: 'greedy' });
      await f.received(1);
      open.push(f);
    }
    const refused = await follow('capped', { sub: 'greedy' });
    const error = await refused.ended;
    assert.equal(error?.code, grpc.status.RESOURCE_EXHAUSTED);
    assert.match(error?.details ?? '', new RegExp(`WENMING_MAX_STREAMS_PER_CALLER=${MAX_PER_CALLER}`));
    const other = await follow('capped', { sub: 'someone-else' });
    await other.received(1);
    open[0]!.call.cancel();
    await eventually(() => streams.openFor('greedy') === MAX_PER_CALLER - 1, 'the cancelled stream is released');
    const again = await follow('capped', { sub: 'greedy' });
    await again.received(1);
    for (const f of [...open.slice(1), other, again]) f.call.cancel();
    await eventually(() => streams.openFor('greedy') === 0, 'every greedy stream is released');
  });

  it('a stream that is not a follow ends by itself and frees its slot', async () => {
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${await tokenFor('one-shot')}`);
    for (let i = 0; i < MAX_PER_CALLER + 2; i++) {
      const call = client.streamPlanHistory({ planId: 'p1', fromRevision: 0, follow: false }, metadata);
      const events: unknown[] = [];
      call.on('data', (m) => events.push(m));
      await new Promise<void>((resolve, reject) => {
        call.on('end', resolve);
        call.on('error', reject);
      });
      assert.equal(events.length, 7);
    }
    assert.equal(streams.openFor('one-shot'), 0);
  });
});

describe('WENMING_MAX_STREAMS_PER_CALLER', () => {
  it('is 16 unless set, and a value that is no stream count stops the process at start', () => {
    const env = { WENMING_DATA_DIR: dir };
    assert.equal(loadConfig(env).maxStreamsPerCaller, 16);
    assert.equal(loadConfig({ ...env, WENMING_MAX_STREAMS_PER_CALLER: '40' }).maxStreamsPerCaller, 40);
    for (const bad of ['0', '-1', 'many', '2.5', '100000']) {
      assert.throws(
        () => loadConfig({ ...env, WENMING_MAX_STREAMS_PER_CALLER: bad }),
        (err) => err instanceof ConfigError && err.variable === 'WENMING_MAX_STREAMS_PER_CALLER',
        bad,
      );
    }
  });
});

describe('closing', () => {
  it('ends every follow with UNAVAILABLE so clients reconnect', async () => {
    await append('closing');
    const f = await follow('closing', { sub: 'last' });
    await f.received(1);
    await streams.close();
    const error = await f.ended;
    assert.equal(error?.code, grpc.status.UNAVAILABLE);
    assert.equal(streams.openFor('last'), 0);
  });
});
