// Issue 12, items 8 and 9 against a running platform (in-process, real SQLite store,
// real HTTP and gRPC servers, plan submission's StreamPlanHistory): a follow ends when
// its token expires, one caller holds a bounded number of streams, an idle follow
// reads nothing, a follow the caller may not read fails at once, and an error that
// echoes a 100 KB value still ends the call, on both edges.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import * as svc from '@wenming/contracts/wenming/plansubmission/v1/plansubmission_service.js';
import type { EventStore, ReadStreamOptions } from '@wenming/eventstore';
import { loadConfig, type Role } from '@wenming/service-kit';
import { type RunningPlatform, startPlatform } from './platform.js';
import { tokens } from './test-fixtures/clients.js';
import { bearer, httpJson } from './test-fixtures/e2e-calls.js';

const MAX_STREAMS = 3;
const dir = mkdtempSync(join(tmpdir(), 'wenming-security-streams-'));
const config = loadConfig({
  WENMING_DATA_DIR: dir,
  HTTP_PORT: '0',
  GRPC_PORT: '0',
  LOG_LEVEL: 'silent',
  WENMING_SERVICES: 'plan-submission',
  WENMING_MAX_STREAMS_PER_CALLER: String(MAX_STREAMS),
});
const token = tokens(config);
let platform: RunningPlatform;
let client: svc.PlanSubmissionServiceClient;
/** readStream calls on the platform's store, by stream id: what a follow costs. */
const streamReads = new Map<string, number>();

before(async () => {
  platform = await startPlatform(config);
  countReads(platform.store);
  client = new svc.PlanSubmissionServiceClient(platform.grpcAddress, grpc.credentials.createInsecure());
});

after(async () => {
  client?.close();
  await platform?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Wraps the store's readStream in place: the modules hold this same object. */
function countReads(store: EventStore): void {
  const readStream = store.readStream.bind(store);
  store.readStream = (streamId: string, options?: ReadStreamOptions) => {
    streamReads.set(streamId, (streamReads.get(streamId) ?? 0) + 1);
    return readStream(streamId, options);
  };
}

/** A plan's stream as the store holds it; what the history stream sends needs no more. */
const notePlan = (planId: string, unitId = 'tax', n = 1) =>
  platform.store.append(
    `plan-${planId}`,
    Array.from({ length: n }, () => ({
      id: randomUUID(),
      type: 'PlanDraftSaved',
      data: { planId, unitId },
      occurredAt: '2026-03-01T08:00:00Z',
      metadata: { unitId, actor: { id: 'clerk-tax', role: 'unit' } },
    })),
  );

const office = (sub = 'office-1', ttlSec?: number) => token(['office'], { sub, ...(ttlSec ? { ttlSec } : {}) });

/** A follow on a plan, its revisions as they come and its end (a status, or undefined for OK). */
function follow(planId: string, bearerToken: string, fromRevision = 0) {
  const call = client.streamPlanHistory({ planId, fromRevision, follow: true }, bearer(bearerToken));
  const revisions: number[] = [];
  const waiting: Array<[number, () => void]> = [];
  call.on('data', (m: svc.StreamPlanHistoryResponse) => {
    revisions.push(m.event!.revision);
    for (const [count, resolve] of waiting) if (revisions.length >= count) resolve();
  });
  const ended = new Promise<grpc.ServiceError | undefined>((resolve) => {
    call.on('error', resolve);
    call.on('end', () => resolve(undefined));
  });
  const received = (count: number) =>
    revisions.length >= count ? Promise.resolve() : new Promise<void>((resolve) => waiting.push([count, resolve]));
  return { call, revisions, ended, received };
}

/** The stream's end, or 'still open' after `ms`: a follow that never ends fails the spec instead of hanging it. */
const endWithin = <T>(ended: Promise<T>, ms: number) =>
  Promise.race([ended, new Promise<'still open'>((r) => setTimeout(() => r('still open'), ms).unref())]);

describe('a follow ends when its token expires', () => {
  it('UNAUTHENTICATED "token expired" at the expiry, after delivering what came before', async () => {
    await notePlan('expiring');
    const shortLived = await office('short-lived', 2);
    const exp = (JSON.parse(Buffer.from(shortLived.split('.')[1]!, 'base64url').toString()) as { exp: number }).exp;
    const f = follow('expiring', shortLived);
    await f.received(1);
    await notePlan('expiring');
    await f.received(2);
    const end = await endWithin(f.ended, 5000);
    assert.notEqual(end, 'still open', 'the follow outlived its token');
    assert.equal((end as grpc.ServiceError).code, grpc.status.UNAUTHENTICATED);
    assert.match((end as grpc.ServiceError).details, /token expired/);
    assert.ok(Date.now() >= exp * 1000 - 50, 'it ran until the expiry');
  });
});

describe('streams per caller', () => {
  it(`a caller holds at most ${MAX_STREAMS} (WENMING_MAX_STREAMS_PER_CALLER), RESOURCE_EXHAUSTED beyond; a cancel frees one`, async () => {
    await notePlan('capped');
    const greedy = await office('greedy');
    const open = Array.from({ length: MAX_STREAMS }, () => follow('capped', greedy));
    await Promise.all(open.map((f) => f.received(1)));
    const refused = follow('capped', greedy);
    const end = await endWithin(refused.ended, 5000);
    assert.equal((end as grpc.ServiceError).code, grpc.status.RESOURCE_EXHAUSTED, String(end));
    assert.match((end as grpc.ServiceError).details, new RegExp(`WENMING_MAX_STREAMS_PER_CALLER=${MAX_STREAMS}`));
    // Another caller is not held back by this one.
    const other = follow('capped', await office('patient'));
    await other.received(1);
    open[0]!.call.cancel();
    // The server learns of the cancel asynchronously: retry until the slot is free.
    let again = follow('capped', greedy);
    for (let attempt = 0; attempt < 50 && (await endWithin(again.ended, 50)) !== 'still open'; attempt++) {
      again = follow('capped', greedy);
    }
    await again.received(1);
    for (const f of [...open.slice(1), other, again]) f.call.cancel();
  });
});

describe('an idle follow costs nothing', () => {
  it('200 idle follows read their stream once, and again only when it moves', async () => {
    const planIds = Array.from({ length: 200 }, (_, i) => `idle-${i}`);
    for (const id of planIds) await notePlan(id);
    const follows = await Promise.all(planIds.map(async (id, i) => follow(id, await office(`idle-${i}`))));
    await Promise.all(follows.map((f) => f.received(1)));
    const idleReads = () => planIds.reduce((n, id) => n + (streamReads.get(`plan-${id}`) ?? 0), 0);
    // A follow may still be finishing its first reads after its first event arrived (on a
    // loaded machine, dozens were): count from when the reads have settled.
    let afterFirstRead = idleReads();
    for (const started = Date.now(); Date.now() - started < 10_000; ) {
      await new Promise((r) => setTimeout(r, 300));
      if (idleReads() === afterFirstRead) break;
      afterFirstRead = idleReads();
    }
    // The platform keeps working and time passes (the poll this replaces re-read every follow every 250 ms).
    const busy = follow('busy', await office('busy'));
    for (let i = 0; i < 10; i++) await notePlan('busy');
    await busy.received(10);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(idleReads(), afterFirstRead, 'no idle follow read its stream again');
    const before = streamReads.get('plan-idle-7') ?? 0;
    await notePlan('idle-7');
    await follows[7]!.received(2);
    assert.ok((streamReads.get('plan-idle-7') ?? 0) > before, 'the follow whose plan moved read it');
    assert.equal(idleReads() - afterFirstRead, (streamReads.get('plan-idle-7') ?? 0) - before, 'and no other follow did');
    for (const f of [...follows, busy]) f.call.cancel();
  });
});

describe('permission first', () => {
  it("a follow on another unit's plan fails at once, not when that plan changes", async () => {
    await notePlan('tax-plan', 'tax', 2);
    const land = await token(['unit'] as Role[], { units: ['land'], sub: 'clerk-land' });
    // From the current revision: nothing to send yet, so only a check made first can refuse it.
    const f = follow('tax-plan', land, 2);
    const end = await endWithin(f.ended, 3000);
    assert.notEqual(end, 'still open', 'the refusal waited for the plan to change');
    assert.ok(
      [grpc.status.PERMISSION_DENIED, grpc.status.NOT_FOUND].includes((end as grpc.ServiceError).code),
      String((end as grpc.ServiceError).details),
    );
    assert.deepEqual(f.revisions, []);
  });
});

describe('an error echoing a 100 KB value', () => {
  // 120 KB of UTF-8 (360 KB percent-encoded in a grpc-message trailer), yet under the
  // edge's 65,536-character string limit, so it reaches the id check that quotes it.
  const huge = '名'.repeat(40_000);

  it('gRPC: INVALID_ARGUMENT with the value cut short, and the call ends', async () => {
    const metadata = bearer(await office());
    const answer = await new Promise<grpc.ServiceError | null>((resolve) =>
      client.getPlan({ planId: huge }, metadata, { deadline: Date.now() + 5000 }, (err) => resolve(err)),
    );
    assert.ok(answer, 'an error');
    assert.equal(answer.code, grpc.status.INVALID_ARGUMENT, answer.details);
    assert.ok(answer.details.length <= 1000, `${answer.details.length} characters`);
    assert.match(answer.details, /^planId: /);
    assert.match(answer.details, /…/);
  });

  it('gRPC: the same in a stream', async () => {
    const end = await endWithin(follow(huge, await office()).ended, 5000);
    assert.equal((end as grpc.ServiceError).code, grpc.status.INVALID_ARGUMENT);
    assert.ok((end as grpc.ServiceError).details.length <= 1000);
  });

  it('HTTP: 400 with the value cut short', async () => {
    const unitUser = await token(['unit'], { units: ['tax'], sub: 'clerk-tax' });
    const body = { campaignId: 'c1', unitId: huge, planId: 'p-huge' };
    const res = await httpJson(`${platform.httpUrl}/api/plan-submission/plans`, 'POST', unitUser, body, 'huge-1');
    assert.equal(res.status, 400, JSON.stringify(res.body).slice(0, 300));
    assert.equal(res.body.field, 'unitId');
    assert.ok(res.body.message.length <= 1000, `${res.body.message.length} characters`);
  });
});
