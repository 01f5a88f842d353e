// Issue 12 replayed from outside: each case the hostile-client probe found, sent again
// to a running platform (its own process, the demo city loaded through the public
// API) over HTTP and gRPC, as the caller who found it. The detailed tests of each
// fix sit beside the code; this file is the standing check that the platform as a
// whole still holds.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import * as insp from '@wenming/contracts/wenming/inspection/v1/inspection_service.js';
import * as lb from '@wenming/contracts/wenming/lookback/v1/lookback_service.js';
import * as plans from '@wenming/contracts/wenming/plansubmission/v1/plansubmission_service.js';
import { SignJWT } from 'jose';
import { type SecurityPlatform, startSecurityPlatform } from './platform.js';

let platform: SecurityPlatform;
const tokens: Record<string, string> = {};
let secret: Uint8Array;

before(async () => {
  // Small limits, so the probes of item 10 run in seconds (the demo loads without them).
  platform = await startSecurityPlatform({
    serviceEnv: { HTTP_HEADERS_TIMEOUT_MS: '2000', HTTP_REQUEST_TIMEOUT_MS: '5000', WENMING_RATE_LIMIT: '300' },
  });
  secret = new TextEncoder().encode(readFileSync(join(platform.dir, 'jwt-secret'), 'utf8').trim());
  const t = platform.token;
  Object.assign(tokens, {
    office: await t(['office']),
    auditor: await t(['auditor']),
    admin: await t(['admin']),
    noRole: await t([]),
    unitTax: await t(['unit'], { units: ['tax'], sub: 'clerk-tax' }),
    unitHealth: await t(['unit'], { units: ['health'], sub: 'clerk-health' }),
    unitLand: await t(['unit'], { units: ['land'], sub: 'clerk-land' }),
    unitCivil: await t(['unit'], { units: ['civil'], sub: 'clerk-civil' }),
    unitWindow: await t(['unit'], { units: ['approval-window-3'], sub: 'clerk-aw3' }),
    inspectorLi: await t(['inspector'], { sub: 'insp-li' }),
    inspectorOutsider: await t(['inspector'], { sub: 'insp-outsider' }),
  });
});

after(async () => {
  await platform?.stop();
});

// biome-ignore lint/suspicious/noExplicitAny: JSON answers are checked field by field
type Json = any;

async function http(method: 'GET' | 'POST', path: string, token: string | undefined, body?: unknown, key?: string) {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method === 'POST') headers['idempotency-key'] = key ?? `replay-${Math.random()}`;
  const res = await fetch(`${platform.httpUrl}${path}`, {
    method,
    headers,
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let json: Json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: res.status, body: json, headers: res.headers };
}

function metadata(token: string | undefined): grpc.Metadata {
  const m = new grpc.Metadata();
  if (token) m.set('authorization', `Bearer ${token}`);
  return m;
}

function unary<Res>(
  client: grpc.Client,
  method: string,
  token: string | undefined,
  request: object,
): Promise<{ ok: true; reply: Res } | { ok: false; error: grpc.ServiceError }> {
  type UnaryFn = (req: object, m: grpc.Metadata, o: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r: Res) => void) => void;
  const fn = (client as unknown as Record<string, UnaryFn>)[method]!;
  return new Promise((resolve) =>
    fn.call(client, request, metadata(token), { deadline: Date.now() + 20_000 }, (error, reply) =>
      resolve(error ? { ok: false, error } : { ok: true, reply }),
    ),
  );
}

/** Two answers are the same but for the id they name. */
function sameAnswer(hidden: { status: number; body: Json }, absent: { status: number; body: Json }, hiddenId: string, absentId: string) {
  assert.equal(hidden.status, absent.status, `hidden ${JSON.stringify(hidden.body)} vs absent ${JSON.stringify(absent.body)}`);
  assert.equal(JSON.stringify(hidden.body).replaceAll(hiddenId, '<id>'), JSON.stringify(absent.body).replaceAll(absentId, '<id>'));
}

describe('1. poison text is refused at the edge on HTTP and gRPC, and nothing is written', () => {
  it('a NUL in a unit name: 400 naming the field, no event, the platform ready', async () => {
    const before = platform.eventCount();
    const res = await http('POST', '/api/plan-submission/units', tokens.admin, {
      unitId: 'nul-unit',
      name: 'a\u0000b',
      kind: 'UNIT_KIND_WINDOW',
      parentUnitId: 'tax',
    });
    assert.equal(res.status, 400);
    assert.equal(res.body.code, 'INVALID_ARGUMENT');
    assert.equal(res.body.field, 'name');
    const client = new plans.PlanSubmissionServiceClient(platform.grpcAddress, grpc.credentials.createInsecure());
    const answer = await unary(
      client,
      'registerUnit',
      tokens.admin,
      plans.RegisterUnitRequest.fromPartial({ idempotencyKey: 'nul-g', unitId: 'nul-unit-g', name: 'a\u0000b', parentUnitId: 'tax' }),
    );
    client.close();
    assert.equal(answer.ok, false);
    assert.equal(!answer.ok && answer.error.code, grpc.status.INVALID_ARGUMENT);
    assert.equal(platform.eventCount(), before);
    assert.equal((await fetch(`${platform.httpUrl}/readyz`)).status, 200);
  });
});

describe('2. deeply nested JSON on look-back is refused, and integrity checks keep answering', () => {
  it('a 10,000-deep body on a review command is 400, and an integrity check of the unit answers', async () => {
    const deep = `${'['.repeat(10_000)}"x"${']'.repeat(10_000)}`; // as text: JSON.stringify itself overflows on it
    const before = platform.eventCount();
    const res = await http('POST', '/api/lookback/reviews', tokens.office, `{"reviewId":"deep","campaignId":"demo-2026","title":${deep}}`);
    assert.equal(res.status, 400, JSON.stringify(res.body).slice(0, 300));
    const dollar = await http('POST', '/api/lookback/reviews', tokens.office, {
      reviewId: 'dollar',
      campaignId: 'demo-2026',
      title: 't',
      $where: '1',
    });
    assert.equal(dollar.status, 400);
    assert.equal(platform.eventCount(), before);
    const check = await http('POST', '/api/lookback/integrity-checks', tokens.auditor, { scope: { unitId: 'tax' } });
    assert.equal(check.status, 200, JSON.stringify(check.body));
  });
});

describe('3. look-back is no confused deputy', () => {
  it('an inspector cannot file a recurrence; the office cannot regress a rectification of a unit outside the review', async () => {
    const open = await http('POST', '/api/lookback/reviews', tokens.office, {
      reviewId: 'deputy-review',
      campaignId: 'demo-2026',
      title: '回头看：窗口作风',
      unitIds: ['approval-window-3'],
      reviewedPeriod: { startDate: '2026-01-01', endDate: '2026-12-31' },
    });
    assert.equal(open.status, 200, JSON.stringify(open.body));
    const before = platform.eventCount();
    const byInspector = await http('POST', '/api/lookback/reviews/deputy-review/recurrences', tokens.inspectorLi, {
      unitId: 'approval-window-3',
      rectificationId: 'demo-r-tax-queue',
      description: '问题反弹',
    });
    assert.equal(byInspector.status, 403, JSON.stringify(byInspector.body));
    // demo-r-tax-queue is the tax bureau's: not a unit of this review.
    const otherUnit = await http('POST', '/api/lookback/reviews/deputy-review/recurrences', tokens.office, {
      unitId: 'approval-window-3',
      rectificationId: 'demo-r-tax-queue',
      description: '问题反弹',
    });
    assert.ok([400, 404, 409].includes(otherUnit.status), JSON.stringify(otherUnit.body));
    assert.equal(platform.eventCount(), before);
    const rect = await http('GET', '/api/inspection/rectifications/demo-r-tax-queue', tokens.office);
    assert.notEqual(rect.body.rectification?.status, 'RECTIFICATION_STATUS_REGRESSED');
  });
});

describe('4. no large or quadratic work before authorization', () => {
  it('a 50 MB dossier to verify from a unit or an anonymous caller is refused without the process holding it', async () => {
    const rssBefore = platform.rssBytes();
    const big = `{"files":[{"name":"x","content":"${'a'.repeat(50 * 1024 * 1024)}"}]}`;
    for (const token of [undefined, tokens.unitTax]) {
      const res = await fetch(`${platform.httpUrl}/api/lookback/dossiers/verify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: big,
      }).catch((err: Error) => ({ status: 0, err }));
      // The server answers (401/403/413) before reading the body; it may close the connection on the rest.
      assert.ok(res.status === 0 || [401, 403, 413].includes(res.status), `answered ${res.status}`);
    }
    const grown = platform.rssBytes() - rssBefore;
    assert.ok(grown < 40 * 1024 * 1024, `RSS grew by ${grown} bytes`);
    assert.equal((await fetch(`${platform.httpUrl}/healthz`)).status, 200);
  });
});

describe('5. an unannounced inspection looks absent to those who may not see it', () => {
  const id = 'demo-2026-unannounced-windows';
  it('the unit still to be visited gets the same answer as for an inspection that does not exist', async () => {
    sameAnswer(
      await http('GET', `/api/inspection/inspections/${id}`, tokens.unitHealth),
      await http('GET', '/api/inspection/inspections/no-such-inspection', tokens.unitHealth),
      id,
      'no-such-inspection',
    );
    const listed = await http('GET', '/api/inspection/inspections?campaignId=demo-2026', tokens.unitHealth);
    assert.equal(listed.status, 200);
    assert.ok(!JSON.stringify(listed.body).includes(id), 'the listing shows the unannounced inspection');
    for (const [path, body] of [
      ['evidence', { unitId: 'health', evidence: { fileName: 'x.jpg', mediaType: 'image/jpeg', sha256: 'a'.repeat(64) } }],
      ['findings/f1/amend', { description: 'x' }],
      ['findings/f1/withdraw', { reason: 'x' }],
    ] as const) {
      sameAnswer(
        await http('POST', `/api/inspection/inspections/${id}/${path}`, tokens.unitHealth, body),
        await http('POST', `/api/inspection/inspections/no-such-inspection/${path}`, tokens.unitHealth, body),
        id,
        'no-such-inspection',
      );
    }
  });

  it('a 双随机 draw is not readable by a token with no Wenming role, nor by a unit it names before the visit', async () => {
    const draw = 'demo-2026-draw-q4';
    const noRole = await http('GET', `/api/inspection/draws/${draw}`, tokens.noRole);
    assert.ok([403, 404].includes(noRole.status), `no-role token: ${noRole.status}`);
    for (const unit of [tokens.unitLand, tokens.unitCivil, tokens.unitHealth]) {
      const res = await http('GET', `/api/inspection/draws/${draw}`, unit);
      if (res.status === 200) assert.ok(res.body.draw, 'a unit that may see the draw sees it whole');
      else sameAnswer(res, await http('GET', '/api/inspection/draws/no-such-draw', unit), draw, 'no-such-draw');
    }
  });
});

describe('6. no cross-unit leaks', () => {
  it("an inspection's totals show a unit only its own scores", async () => {
    const res = await http('GET', '/api/inspection/inspections/demo-2026-routine-q4', tokens.unitTax);
    assert.equal(res.status, 200);
    const text = JSON.stringify(res.body);
    for (const other of ['tax-window-1', 'approval-window-3', 'civil-marriage'])
      assert.ok(!text.includes(`"${other}"`), `tax sees ${other}`);
  });

  it("a unit's look-back timeline, state and diff show no other unit's data (an inspection's unit list or totals)", async () => {
    const others = ['tax-window-1', 'approval-window-3', 'civil-marriage'];
    const timeline = await http('GET', '/api/lookback/units/tax/timeline?withData=true&limit=500', tokens.unitTax);
    assert.equal(timeline.status, 200, JSON.stringify(timeline.body));
    assert.ok(timeline.body.entries.length > 0, 'the unit sees its own history');
    const state = await http('GET', '/api/lookback/units/tax/state', tokens.unitTax);
    const diff = await http('GET', '/api/lookback/units/tax/diff?from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z', tokens.unitTax);
    for (const [what, answer] of [
      ['timeline', timeline],
      ['state', state],
      ['diff', diff],
    ] as const) {
      assert.equal(answer.status, 200, `${what}: ${JSON.stringify(answer.body).slice(0, 300)}`);
      for (const other of others) assert.ok(!JSON.stringify(answer.body).includes(`"${other}"`), `the ${what} of tax shows ${other}`);
    }
    // The auditor's timeline of the same unit does include the inspection that lists it among others.
    const audited = await http('GET', '/api/lookback/units/tax/timeline?limit=500', tokens.auditor);
    assert.ok(
      audited.body.entries.some((e: Json) => e.type === 'InspectionScheduled'),
      'the auditor sees the InspectionScheduled that lists tax',
    );
  });

  it("the office's review queue is refused to units and to tokens with no Wenming role", async () => {
    assert.equal((await http('GET', '/api/plan-submission/review-queue', tokens.unitTax)).status, 403);
    assert.equal((await http('GET', '/api/plan-submission/review-queue', tokens.noRole)).status, 403);
    assert.equal((await http('GET', '/api/plan-submission/review-queue', tokens.office)).status, 200);
  });

  it("a follow stream on another unit's plan fails at once, before that plan changes", async () => {
    const client = new plans.PlanSubmissionServiceClient(platform.grpcAddress, grpc.credentials.createInsecure());
    const started = Date.now();
    const code = await new Promise<grpc.status>((resolve) => {
      const call = client.streamPlanHistory(
        plans.StreamPlanHistoryRequest.fromPartial({ planId: 'plan-land', follow: true }),
        metadata(tokens.unitTax),
        {
          deadline: Date.now() + 5000,
        },
      );
      call.on('data', () => undefined);
      call.on('error', (err: grpc.ServiceError) => resolve(err.code));
      call.on('end', () => resolve(grpc.status.OK));
    });
    client.close();
    assert.ok([grpc.status.NOT_FOUND, grpc.status.PERMISSION_DENIED].includes(code), grpc.status[code]);
    assert.ok(Date.now() - started < 3000, 'it waited instead of failing at once');
  });
});

describe('7. provenance is the server’s', () => {
  it('an inspector not on the team cannot start an inspection', async () => {
    const before = platform.eventCount();
    const res = await http('POST', '/api/inspection/inspections/demo-2026-unannounced-windows/start', tokens.inspectorOutsider, {
      unitId: 'health',
    });
    assert.ok([403, 404].includes(res.status), `${res.status} ${JSON.stringify(res.body)}`);
    assert.equal(platform.eventCount(), before);
  });
});

describe('8. tokens have a bounded life', () => {
  const sign = (claims: Record<string, unknown>, build: (j: SignJWT) => SignJWT) =>
    build(
      new SignJWT({ roles: ['office'], units: [], ...claims }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject('probe'),
    ).sign(secret);
  it('no exp, exp at 1e300, issued a year ahead, or living longer than the cap: 401 on HTTP, UNAUTHENTICATED on gRPC', async () => {
    const now = Math.floor(Date.now() / 1000);
    const bad = [
      await sign({}, (j) => j.setIssuedAt(now)),
      await sign({ exp: 1e300 }, (j) => j.setIssuedAt(now)),
      await sign({}, (j) => j.setIssuedAt(now + 365 * 86400).setExpirationTime(now + 365 * 86400 + 3600)),
      await sign({}, (j) => j.setIssuedAt(now).setExpirationTime(now + 30 * 86400)),
    ];
    const client = new insp.InspectionServiceClient(platform.grpcAddress, grpc.credentials.createInsecure());
    for (const token of bad) {
      assert.equal((await http('GET', '/api/inspection/inspections', token)).status, 401);
      const answer = await unary(client, 'listInspections', token, insp.ListInspectionsRequest.fromPartial({}));
      assert.equal(!answer.ok && answer.error.code, grpc.status.UNAUTHENTICATED);
    }
    client.close();
  });
});

describe('9. bounded work per caller', () => {
  it('a 100 KB id is answered promptly on both edges, echoing only a little of it', async () => {
    const huge = 'x'.repeat(100_000);
    const res = await http('GET', `/api/lookback/events/${huge}`, tokens.auditor);
    assert.ok(res.status >= 400 && res.status < 500, String(res.status));
    assert.ok(JSON.stringify(res.body ?? '').length < 2000);
    const client = new lb.LookbackServiceClient(platform.grpcAddress, grpc.credentials.createInsecure());
    const answer = await unary(client, 'getEvent', tokens.auditor, lb.GetEventRequest.fromPartial({ eventId: huge }));
    client.close();
    assert.equal(answer.ok, false);
    assert.ok(
      !answer.ok && [grpc.status.INVALID_ARGUMENT, grpc.status.NOT_FOUND].includes(answer.error.code),
      !answer.ok ? answer.error.message : '',
    );
    assert.ok(!answer.ok && answer.error.details.length < 2000);
  });

  it('requests refused before any route runs answer in the API error shape, quoting little', async () => {
    const longParam = await http('GET', `/api/plan-submission/units/${'x'.repeat(5000)}`, tokens.office);
    assert.equal(longParam.status, 414);
    assert.equal(longParam.body.code, 'INVALID_ARGUMENT');
    assert.ok(JSON.stringify(longParam.body).length < 600, JSON.stringify(longParam.body).slice(0, 300));
    const badEncoding = await http('GET', '/api/plan-submission/units/%ZZ', tokens.office);
    assert.equal(badEncoding.status, 400);
    assert.equal(badEncoding.body.code, 'INVALID_ARGUMENT');
    const noRoute = await http('GET', `/api/${'y'.repeat(5000)}`, tokens.office);
    assert.equal(noRoute.status, 404);
    assert.ok(JSON.stringify(noRoute.body).length < 600);
    const hugeHeaders = await http('GET', `/api/lookback/events/${'z'.repeat(100_000)}`, tokens.auditor);
    assert.equal(hugeHeaders.status, 431);
    assert.equal(hugeHeaders.body.code, 'INVALID_ARGUMENT');
  });

  it('a caller cannot hold more open streams than the cap', async () => {
    const client = new insp.InspectionServiceClient(platform.grpcAddress, grpc.credentials.createInsecure());
    const calls: grpc.ClientReadableStream<unknown>[] = [];
    const refused = new Promise<grpc.status>((resolve) => {
      for (let i = 0; i < 40; i++) {
        const call = client.streamRectificationSteps(
          insp.StreamRectificationStepsRequest.fromPartial({ rectificationId: 'demo-r-tax-queue', follow: true }),
          metadata(tokens.office),
        );
        call.on('data', () => undefined);
        call.on('error', (err: grpc.ServiceError) => {
          if (err.code !== grpc.status.CANCELLED) resolve(err.code);
        });
        calls.push(call);
      }
    });
    const code = await Promise.race([refused, new Promise<'none'>((r) => setTimeout(() => r('none'), 5000))]);
    for (const call of calls) call.cancel();
    client.close();
    assert.equal(code, grpc.status.RESOURCE_EXHAUSTED);
  });
});

describe('10. hardening', () => {
  it('security headers on every answer', async () => {
    const res = await fetch(`${platform.httpUrl}/api/inspection/inspections`, { headers: { authorization: `Bearer ${tokens.office}` } });
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.ok(res.headers.get('content-security-policy'), 'no CSP');
    assert.ok(res.headers.get('strict-transport-security') !== undefined);
  });

  it('a client sending its headers slowly is cut off', async () => {
    const closed = await new Promise<boolean>((resolve) => {
      const url = new URL(platform.httpUrl);
      const socket = connect(Number(url.port), url.hostname, () => socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n'));
      const drip = setInterval(() => socket.write('X-Slow: 1\r\n'), 1000);
      socket.on('close', () => {
        clearInterval(drip);
        resolve(true);
      });
      socket.on('error', () => undefined);
      setTimeout(() => {
        clearInterval(drip);
        socket.destroy();
        resolve(false);
      }, 15_000);
    });
    assert.ok(closed, 'the slow client was not cut off within 15 s (headers timeout 2 s)');
  });

  it('a caller sending too many requests gets 429 RESOURCE_EXHAUSTED with Retry-After; others are not slowed', async () => {
    const greedy = await platform.token(['auditor'], { sub: 'greedy' });
    let limited: Response | undefined;
    for (let i = 0; i < 400 && !limited; i++) {
      const res = await fetch(`${platform.httpUrl}/api/plan-submission/campaigns`, { headers: { authorization: `Bearer ${greedy}` } });
      if (res.status === 429) limited = res;
      else await res.arrayBuffer();
    }
    assert.ok(limited, 'no 429 after 400 requests');
    assert.equal(((await limited.json()) as Json).code, 'RESOURCE_EXHAUSTED');
    assert.ok(Number(limited.headers.get('retry-after')) > 0);
    assert.equal((await http('GET', '/api/plan-submission/campaigns', tokens.office)).status, 200);
  });

  it('data files are 0600 and the data directory 0700', () => {
    assert.equal(statSync(platform.dir).mode & 0o777, 0o700);
    for (const name of readdirSync(platform.dir)) {
      const stat = statSync(join(platform.dir, name));
      if (stat.isFile()) assert.equal(stat.mode & 0o077, 0, `${name} is ${(stat.mode & 0o777).toString(8)}`);
    }
  });

  it('unit ids are ASCII ids of the hierarchy: no look-alikes, no wildcard', async () => {
    for (const unitId of ['ｔａｘ', 'tаx', '*', 'tax*']) {
      const res = await http('POST', '/api/plan-submission/units', tokens.admin, {
        unitId,
        name: '假冒单位',
        kind: 'UNIT_KIND_WINDOW',
        parentUnitId: 'tax',
      });
      assert.equal(res.status, 400, unitId);
    }
    const wildcard = await platform.token(['unit'], { units: ['*'] });
    const seen = await http('GET', '/api/plan-submission/plans', wildcard);
    assert.equal(seen.status, 200);
    assert.deepEqual(seen.body.plans, []);
  });

  it('dates outside the campaign are refused; page tokens must be ones the server gave', async () => {
    const res = await http('POST', '/api/plan-submission/campaigns', tokens.office, {
      campaignId: 'far-future',
      title: 't',
      period: { startDate: '9999-01-01', endDate: '9999-12-31' },
      template: 'six-types',
    });
    assert.equal(res.status, 400);
    for (const token of ['abc', '-1', '1e9']) {
      const page = await http('GET', `/api/plan-submission/plans?pageToken=${token}`, tokens.office);
      assert.equal(page.status, 400, token);
      assert.equal(page.body.field, 'page.pageToken');
    }
  });
});
