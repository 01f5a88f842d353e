// Look-back against hostile and careless callers (issue 12, items 2, 4 and 9), on one
// embedded platform (look-back alone: nothing here needs another service). Every
// refused request leaves the store as it was: the log's head is compared around it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import * as lb from '@wenming/contracts/wenming/lookback/v1/lookback_service.js';
import { LookbackServiceClient } from '@wenming/contracts/wenming/lookback/v1/lookback_service.js';
import { loadConfig } from '@wenming/service-kit';
import { type RunningPlatform, startPlatform } from './platform.js';
import { bearer, httpJson, type Json, signToken, unaryCall } from './test-fixtures/e2e-calls.js';

const dir = mkdtempSync(join(tmpdir(), 'wenming-lookback-hostile-'));
const config = loadConfig({
  WENMING_DATA_DIR: dir,
  HTTP_PORT: '0',
  GRPC_PORT: '0',
  LOG_LEVEL: 'silent',
  WENMING_SERVICES: 'lookback',
});
let platform: RunningPlatform;
let lookback: LookbackServiceClient;
const tok: Record<string, string> = {};
let n = 0;

const post = (path: string, who: string, body: unknown) =>
  httpJson(`${platform.httpUrl}/api/lookback${path}`, 'POST', tok[who], body, `hostile-${++n}`);
const head = () => platform.store.headPosition();

/** The request is refused with `status` and appends nothing. */
async function refused(status: number, call: () => Promise<{ status: number; body: Json }>): Promise<Json> {
  const before = await head();
  const r = await call();
  assert.equal(r.status, status, JSON.stringify(r.body).slice(0, 500));
  assert.equal(await head(), before, 'a refused request wrote nothing');
  return r.body;
}

/** A raw POST: the body as given (bytes or text), so sizes and malformed JSON reach the server as sent. */
async function rawPost(path: string, who: string, body: string | Buffer): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${platform.httpUrl}/api/lookback${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tok[who]}`, 'content-type': 'application/json', 'idempotency-key': `raw-${++n}` },
    body,
  });
  const text = await res.text();
  let parsed: Json = text;
  try {
    parsed = JSON.parse(text);
  } catch {}
  return { status: res.status, body: parsed };
}

function nested(levels: number): unknown {
  let v: unknown = 'core';
  for (let i = 0; i < levels; i++) v = { a: v };
  return v;
}

before(async () => {
  platform = await startPlatform(config);
  lookback = new LookbackServiceClient(platform.grpcAddress, grpc.credentials.createInsecure());
  tok.office = await signToken(config, ['office'], [], 'office-1');
  tok.inspector = await signToken(config, ['inspector'], [], 'insp-1');
  tok.auditor = await signToken(config, ['auditor'], [], 'auditor-1');
  tok.u1 = await signToken(config, ['unit'], ['u1'], 'clerk-u1');
  tok.nobody = await signToken(config, [], [], 'no-role');
  const opened = await post('/reviews', 'office', { reviewId: 'h1', title: '回头看', unitIds: ['u1', 'u2'] });
  assert.equal(opened.status, 200, JSON.stringify(opened.body));
});

after(async () => {
  lookback?.close();
  await platform?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('look-back routes take the proto request messages (issue 12, item 2)', () => {
  const check = { unitId: 'u1', check: 'LOOKBACK_CHECK_STUDY_AND_EDUCATION', result: 'CHECK_RESULT_PASSED' };

  it('refuses a body nested thousands deep, naming the field, and stores nothing', async () => {
    // Written as text: JSON.stringify itself overflows on such a value.
    const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    const text = JSON.stringify({ ...check, examined: ['DEEP'] }).replace('"DEEP"', deep);
    const body = await refused(400, () => rawPost('/reviews/h1/checks', 'office', text));
    assert.match(JSON.stringify(body), /examined/);
  });

  it('refuses unknown fields, $-keys and wrong types', async () => {
    await refused(400, () => post('/reviews/h1/checks', 'office', { ...check, extra: 1 }));
    await refused(400, () => post('/reviews/h1/checks', 'office', { ...check, $where: 'x' }));
    await refused(400, () => post('/reviews/h1/checks', 'office', { ...check, examined: [{ eventId: 'e', $gt: '' }] }));
    await refused(400, () => post('/reviews/h1/checks', 'office', { ...check, notes: 42 }));
    await refused(400, () => post('/reviews/h1/checks', 'office', { ...check, check: 'LOOKBACK_CHECK_MADE_UP' }));
    await refused(400, () => post('/integrity-checks', 'auditor', { scope: { unitId: 'u1', deep: nested(50) } }));
    await refused(400, () => post('/dossier-exports', 'auditor', { unitId: 'u1', include: ['everything'] }));
    await refused(400, () => httpJson(`${platform.httpUrl}/api/lookback/units/u1/timeline?limit=5&$where=1`, 'GET', tok.auditor));
  });

  it('refuses control characters and lone surrogates in every command, over HTTP and gRPC', async () => {
    await refused(400, () => post('/reviews/h1/checks', 'office', { ...check, result: 'CHECK_RESULT_FAILED', notes: 'a\u0000b' }));
    await refused(400, () => post('/reviews/h1/conclude', 'office', { conclusion: 'x\uD800' }));
    await refused(400, () => post('/reviews', 'office', { title: 'bidi \u202E txt', unitIds: ['u1'] }));
    const before = await head();
    await assert.rejects(
      unaryCall(
        lookback,
        'recordLookbackCheck',
        bearer(tok.office),
        lb.RecordLookbackCheckRequest.fromPartial({
          idempotencyKey: 'grpc-nul',
          reviewId: 'h1',
          unitId: 'u1',
          check: 1,
          result: 3,
          notes: 'nul \u0000 here',
        }),
      ),
      (e: grpc.ServiceError) => e.code === grpc.status.INVALID_ARGUMENT && /notes/.test(e.details),
    );
    assert.equal(await head(), before);
  });

  it('a well-formed check is still recorded', async () => {
    const r = await post('/reviews/h1/checks', 'office', {
      ...check,
      examined: [{ eventId: '0b4f6c1e-2f7d-4e0b-9d55-6a4c1e3b2a10', streamId: 'plan-p1', revision: 3 }],
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  });
});

describe('authorization before the body, and bodies limited to their need (issue 12, item 4)', () => {
  it('refuses the dossier check to a unit user before reading its body (403 for malformed JSON, not 400)', async () => {
    await refused(403, () => rawPost('/dossiers/verify', 'u1', '{"eventsJson": "not closed'));
    await refused(403, () => rawPost('/dossiers/verify', 'nobody', '{'));
  });

  it('refuses a body over the limit of its route with 413', async () => {
    const big = JSON.stringify({ eventsJson: 'x'.repeat(33 * 1024 * 1024), manifestJson: '{}' });
    await refused(413, () => rawPost('/dossiers/verify', 'auditor', big));
    const command = JSON.stringify({
      unitId: 'u1',
      check: 'LOOKBACK_CHECK_STUDY_AND_EDUCATION',
      result: 'CHECK_RESULT_FAILED',
      notes: 'n'.repeat(70_000),
    });
    await refused(413, () => rawPost('/reviews/h1/checks', 'office', command));
  });

  it('still checks a dossier an auditor sends', async () => {
    const r = await rawPost(
      '/dossiers/verify',
      'auditor',
      JSON.stringify({ eventsJson: '[]', manifestJson: '{"eventCount":0,"streams":[]}' }),
    );
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.eventsChecked, 0);
  });
});

describe('recurrences: only the roles that may regress (issue 12, item 3)', () => {
  it('refuses an inspector before anything is read or sent', async () => {
    await refused(403, () =>
      post('/reviews/h1/recurrences', 'inspector', { unitId: 'u1', rectificationId: 'r1', description: '又反弹了' }),
    );
  });
});

describe('GetEvent: permission first, then the id index (issue 12, item 9)', () => {
  let eventId: string;
  before(async () => {
    for await (const e of platform.store.readStream('lookback-review-h1')) eventId ??= e.id;
  });

  it('finds an event by id for an auditor', async () => {
    const got = await unaryCall<lb.GetEventResponse>(
      lookback,
      'getEvent',
      bearer(tok.auditor),
      lb.GetEventRequest.fromPartial({ eventId }),
    );
    assert.equal(got.entry?.event?.id, eventId);
  });

  it('refuses a caller with no role before reading, and answers NOT_FOUND for an id that is not a uuid', async () => {
    await assert.rejects(
      unaryCall(lookback, 'getEvent', bearer(tok.nobody), lb.GetEventRequest.fromPartial({ eventId })),
      (e: grpc.ServiceError) => e.code === grpc.status.PERMISSION_DENIED,
    );
    await assert.rejects(
      unaryCall(lookback, 'getEvent', bearer(tok.auditor), lb.GetEventRequest.fromPartial({ eventId: 'no-such-event' })),
      (e: grpc.ServiceError) => e.code === grpc.status.NOT_FOUND,
    );
  });

  it("a unit user cannot tell another unit's event from no event: NOT_FOUND both", async () => {
    // The review opened for u1 and u2 is unitless (two units): not the unit user's to read.
    const hidden = await unaryCall(lookback, 'getEvent', bearer(tok.u1), lb.GetEventRequest.fromPartial({ eventId })).catch(
      (e: grpc.ServiceError) => e,
    );
    const absent = await unaryCall(
      lookback,
      'getEvent',
      bearer(tok.u1),
      lb.GetEventRequest.fromPartial({ eventId: '0b4f6c1e-2f7d-4e0b-9d55-6a4c1e3b2a10' }),
    ).catch((e: grpc.ServiceError) => e);
    assert.equal((hidden as grpc.ServiceError).code, grpc.status.NOT_FOUND);
    assert.equal((absent as grpc.ServiceError).code, grpc.status.NOT_FOUND);
  });
});
