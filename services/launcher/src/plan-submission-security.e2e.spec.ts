// Issue 12, plan submission's part, from outside with real clients (fetch and the
// generated grpc-js client) against the platform started in-process: every read
// checks the caller first, another unit's plan looks exactly like a plan that does
// not exist (status, code and message, on both edges, and at once on a `follow`
// stream), unit ids stay in the hierarchy, and every date of a command falls
// within the campaign's period.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import * as svc from '@wenming/contracts/wenming/plansubmission/v1/plansubmission_service.js';
import { PlanSubmissionServiceClient } from '@wenming/contracts/wenming/plansubmission/v1/plansubmission_service.js';
import type { PlanSubmissionModule } from '@wenming/plan-submission';
import { COMPLETE_PLAN } from '@wenming/plan-submission/test-data';
import { loadConfig, type Role } from '@wenming/service-kit';
import { type RunningPlatform, startPlatform } from './platform.js';
import { bearer, httpJson, type Json, signToken } from './test-fixtures/e2e-calls.js';

const dir = mkdtempSync(join(tmpdir(), 'wenming-plan-submission-security-'));
const config = loadConfig({
  WENMING_DATA_DIR: dir,
  HTTP_PORT: '0',
  GRPC_PORT: '0',
  LOG_LEVEL: 'silent',
  WENMING_SERVICES: 'plan-submission',
});
let platform: RunningPlatform;
let client: PlanSubmissionServiceClient;
let module: PlanSubmissionModule;
const tok: Record<string, string> = {};
let n = 0;
const k = () => `sec-key-${++n}`;

const http = (method: 'GET' | 'POST', path: string, who: string, body?: unknown, key?: string) =>
  httpJson(`${platform.httpUrl}/api/plan-submission${path}`, method, tok[who], body, key);
const post = (path: string, who: string, body: unknown = {}) => http('POST', path, who, body, k());
const get = (path: string, who: string) => http('GET', path, who);

async function accepted(path: string, who: string, body: unknown = {}) {
  const r = await post(path, who, body);
  assert.equal(r.status, 200, `${path}: ${JSON.stringify(r.body)}`);
  return r.body;
}

type Reply = { ok: true; res: Json } | { ok: false; err: grpc.ServiceError };
function rpc(method: string, who: string, req: Json): Promise<Reply> {
  const codec = (svc as unknown as Record<string, { fromPartial(o: unknown): unknown }>)[
    `${method.charAt(0).toUpperCase()}${method.slice(1)}Request`
  ]!;
  const c = client as unknown as Record<string, (r: unknown, m: grpc.Metadata, cb: (e: grpc.ServiceError | null, r: Json) => void) => void>;
  return new Promise((resolve) =>
    c[method]!.call(client, codec.fromPartial(req), bearer(tok[who]), (e, r) => resolve(e ? { ok: false, err: e } : { ok: true, res: r })),
  );
}

function grpcError(r: Reply): { code: number; details: string } {
  assert.equal(r.ok, false, `expected an error, got ${JSON.stringify(r.ok && r.res)}`);
  const { code, details } = (r as { err: grpc.ServiceError }).err;
  return { code, details };
}

/** Opens StreamPlanHistory and settles with the first error or the end; `undefined` when neither came within `boundMs`. */
function historyOutcome(who: string, req: Json, boundMs: number): Promise<{ code: number; details: string } | 'ended' | undefined> {
  const call = client.streamPlanHistory(svc.StreamPlanHistoryRequest.fromPartial(req), bearer(tok[who]));
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      call.cancel();
      resolve(undefined);
    }, boundMs);
    call.on('data', () => {});
    call.on('error', (e: grpc.ServiceError) => {
      clearTimeout(timer);
      resolve({ code: e.code, details: e.details });
    });
    call.on('end', () => {
      clearTimeout(timer);
      resolve('ended');
    });
  });
}

/** An answer with the plan id written as <id>, so answers about two plans compare. */
const neutral = (answer: unknown, ...ids: string[]) => {
  let text = JSON.stringify(answer);
  for (const id of ids) text = text.replaceAll(id, '<id>');
  return JSON.parse(text);
};

before(async () => {
  platform = await startPlatform(config);
  module = platform.modules.find((m) => m.name === 'plan-submission') as PlanSubmissionModule;
  client = new PlanSubmissionServiceClient(platform.grpcAddress, grpc.credentials.createInsecure());
  const token = (roles: Role[], units: string[] = [], sub?: string) => signToken(config, roles, units, sub);
  tok.office = await token(['office']);
  tok.admin = await token(['admin']);
  tok.auditor = await token(['auditor']);
  tok.inspector = await token(['inspector']);
  tok.tax = await token(['unit'], ['tax'], 'clerk-tax');
  tok.land = await token(['unit'], ['land'], 'clerk-land');
  tok.star = await token(['unit'], ['*'], 'clerk-star');
  tok.nobody = await token([], [], 'someone-else');

  await accepted('/campaigns', 'office', {
    campaignId: 'c1',
    title: '创建六型机关',
    period: { startDate: '2025-01-01', endDate: '2027-12-31' },
    phases: [{ phase: 'CAMPAIGN_PHASE_MOBILIZATION', dates: { startDate: '2025-01-01', endDate: '2025-03-31' } }],
    template: 'six-types',
    planSubmissionDeadline: '2025-02-28',
  });
  await accepted('/units', 'admin', { unitId: 'city', name: '唐山市', kind: 'UNIT_KIND_CITY' });
  await accepted('/units', 'admin', { unitId: 'tax', name: '市税务局', kind: 'UNIT_KIND_DEPARTMENT', parentUnitId: 'city' });
  await accepted('/units', 'admin', { unitId: 'land', name: '市国土资源局', kind: 'UNIT_KIND_DEPARTMENT', parentUnitId: 'city' });
  await accepted('/campaigns/c1/enrol', 'office', { unitIds: ['tax', 'land'] });
  // tax: one plan left as a draft, one submitted, one approved; land: a draft.
  await accepted('/plans', 'tax', { planId: 'p-tax-draft', campaignId: 'c1', unitId: 'tax', content: COMPLETE_PLAN });
  await accepted('/plans', 'tax', { planId: 'p-tax-submitted', campaignId: 'c1', unitId: 'tax', content: COMPLETE_PLAN });
  await accepted('/plans/p-tax-submitted/submit', 'tax');
  await accepted('/plans', 'tax', { planId: 'p-tax', campaignId: 'c1', unitId: 'tax', content: COMPLETE_PLAN });
  await accepted('/plans/p-tax/submit', 'tax');
  await accepted('/plans/p-tax/approve', 'office', { effectiveDate: '2025-03-01' });
  await accepted('/plans', 'land', { planId: 'p-land', campaignId: 'c1', unitId: 'land', content: COMPLETE_PLAN });
  await module.caughtUp();
});

after(async () => {
  client?.close();
  await platform?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the review queue is the office’s (auditors read it too)', () => {
  it('HTTP: a unit and a token with no Wenming role are refused; the office and an auditor read it', async () => {
    for (const who of ['tax', 'land', 'nobody', 'inspector']) {
      const r = await get('/review-queue', who);
      assert.equal(r.status, 403, `${who}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.code, 'PERMISSION_DENIED');
    }
    for (const who of ['office', 'auditor']) {
      const r = await get('/review-queue?campaignId=c1', who);
      assert.equal(r.status, 200, who);
      assert.deepEqual(
        r.body.items.map((i: Json) => i.planId),
        ['p-tax-submitted'],
      );
    }
  });

  it('gRPC: PERMISSION_DENIED for a unit and for no role', async () => {
    for (const who of ['tax', 'nobody']) assert.equal(grpcError(await rpc('listReviewQueue', who, {})).code, grpc.status.PERMISSION_DENIED);
    assert.ok((await rpc('listReviewQueue', 'auditor', {})).ok);
  });
});

describe('every read checks the caller first', () => {
  it('a token with no Wenming role reads nothing (HTTP and gRPC)', async () => {
    for (const path of ['/plans', '/campaigns', '/campaigns/c1', '/units', '/units/tax', '/monthly-reports', '/summaries', '/rules']) {
      const r = await get(path, 'nobody');
      assert.equal(r.status, 403, `${path}: ${JSON.stringify(r.body)}`);
    }
    assert.equal(grpcError(await rpc('listPlans', 'nobody', {})).code, grpc.status.PERMISSION_DENIED);
    assert.equal(grpcError(await rpc('getCampaign', 'nobody', { campaignId: 'c1' })).code, grpc.status.PERMISSION_DENIED);
  });

  it('a unit lists only its own plans, and paging does not count the others', async () => {
    const r = await get('/plans?pageSize=1', 'land');
    assert.deepEqual(
      r.body.plans.map((p: Json) => p.planId),
      ['p-land'],
    );
    assert.equal(r.body.page.nextPageToken, '');
    const asked = await get('/plans?unitId=tax', 'land');
    assert.deepEqual(asked.body.plans, []);
    const overdue = await get('/overdue/tasks?asOf=2027-12-31', 'land');
    assert.deepEqual(overdue.body.tasks, []);
  });

  it('units: "*" in a token is a unit id like any other, never a wildcard', async () => {
    assert.deepEqual((await get('/plans', 'star')).body.plans, []);
    assert.equal((await get('/plans/p-tax', 'star')).status, 404);
    assert.equal((await post('/plans/p-tax/submit', 'star')).status, 404);
  });
});

describe('another unit’s plan looks exactly like a plan that does not exist', () => {
  const hiddenAndAbsent = async (ask: (planId: string) => Promise<unknown>) => {
    const hidden = neutral(await ask('p-tax'), 'p-tax');
    const absent = neutral(await ask('p-none'), 'p-none');
    assert.deepEqual(hidden, absent);
    return hidden;
  };

  it('HTTP: reading, revising, submitting, amending, reporting and summarizing answer 404 both ways', async () => {
    const asks: [string, (id: string) => Promise<unknown>][] = [
      ['get', (id) => get(`/plans/${id}`, 'land')],
      ['revise', (id) => post(`/plans/${id}/revise`, 'land', { content: COMPLETE_PLAN, changeNote: 'x' })],
      ['submit', (id) => post(`/plans/${id}/submit`, 'land')],
      ['amend', (id) => post(`/plans/${id}/amendments`, 'land', { content: COMPLETE_PLAN, reason: 'x' })],
      [
        'report',
        (id) =>
          post(`/plans/${id}/monthly-reports`, 'land', {
            month: '2025-03',
            items: [{ taskId: 't1', completion: 'TASK_COMPLETION_IN_PROGRESS', measuresTaken: 'x' }],
          }),
      ],
      ['correct', (id) => post(`/monthly-reports/${id}-2025-03/correct`, 'land', { items: [], reason: 'x' })],
      ['summary', (id) => post(`/plans/${id}/summaries`, 'land', { kind: 'SUMMARY_KIND_ANNUAL', year: 2025, text: 'x' })],
      [
        'rule',
        (id) =>
          post('/rules', 'land', {
            unitId: 'land',
            planId: id,
            title: 'x',
            change: 'RULE_CHANGE_ESTABLISHED',
            effectiveDate: '2025-05-01',
          }),
      ],
    ];
    for (const [what, ask] of asks) {
      const answer = await hiddenAndAbsent(ask);
      assert.equal((answer as Json).status, 404, `${what}: ${JSON.stringify(answer)}`);
    }
  });

  it('gRPC: NOT_FOUND both ways, with the same details', async () => {
    for (const [method, req] of [
      ['getPlan', {}],
      ['submitPlan', { idempotencyKey: 'g-submit' }],
      ['revisePlanDraft', { idempotencyKey: 'g-revise', content: COMPLETE_PLAN, changeNote: 'x' }],
    ] as const) {
      const answer = await hiddenAndAbsent(async (planId) => grpcError(await rpc(method, 'land', { ...req, planId })));
      assert.equal((answer as Json).code, grpc.status.NOT_FOUND, method);
    }
  });

  it('a draft with another unit’s plan id answers the same whatever that plan’s state, and names no state', async () => {
    const attempt = (planId: string) => post('/plans', 'land', { planId, campaignId: 'c1', unitId: 'land', content: COMPLETE_PLAN });
    const answers = [];
    for (const planId of ['p-tax-draft', 'p-tax-submitted', 'p-tax']) answers.push(neutral(await attempt(planId), planId));
    assert.deepEqual(answers[1], answers[0]);
    assert.deepEqual(answers[2], answers[0]);
    assert.equal(answers[0].status, 400, JSON.stringify(answers[0]));
    assert.equal(answers[0].body.field, 'planId');
    assert.doesNotMatch(answers[0].body.message, /draft|submitted|approved|returned/);
    const g = grpcError(
      await rpc('draftPlan', 'land', {
        idempotencyKey: k(),
        planId: 'p-tax-submitted',
        campaignId: 'c1',
        unitId: 'land',
        content: COMPLETE_PLAN,
      }),
    );
    assert.equal(g.code, grpc.status.INVALID_ARGUMENT);
    assert.doesNotMatch(g.details, /submitted/);
    // The owner still learns its own plan's state.
    const own = await post('/plans', 'tax', { planId: 'p-tax-submitted', campaignId: 'c1', unitId: 'tax', content: COMPLETE_PLAN });
    assert.equal(own.status, 409);
    assert.match(own.body.message, /submitted/);
  });

  it('the same idempotency key does not replay another unit’s draft', async () => {
    const key = 'draft-key-shared';
    const first = await http(
      'POST',
      '/plans',
      'tax',
      { planId: 'p-tax-keyed', campaignId: 'c1', unitId: 'tax', content: COMPLETE_PLAN },
      key,
    );
    assert.equal(first.status, 200);
    const replay = await http(
      'POST',
      '/plans',
      'land',
      { planId: 'p-tax-keyed', campaignId: 'c1', unitId: 'land', content: COMPLETE_PLAN },
      key,
    );
    assert.equal(replay.status, 400, JSON.stringify(replay.body));
  });

  it('history: another unit’s plan fails at once, as a plan that does not exist does, even with `follow` from ahead', async () => {
    for (const req of [{}, { follow: true, fromRevision: 50 }]) {
      const hidden = await historyOutcome('land', { planId: 'p-tax', ...req }, 3000);
      const absent = await historyOutcome('land', { planId: 'p-none', ...req }, 3000);
      assert.ok(hidden && hidden !== 'ended', `no error within 3 s for ${JSON.stringify(req)}: the stream waited`);
      assert.equal(hidden.code, grpc.status.NOT_FOUND);
      assert.deepEqual(neutral(hidden, 'p-tax'), neutral(absent, 'p-none'));
    }
    const own = await historyOutcome('tax', { planId: 'p-tax' }, 3000);
    assert.equal(own, 'ended');
  });

  it('history: the owner’s `follow` still receives its plan’s next event', async () => {
    const call = client.streamPlanHistory(
      svc.StreamPlanHistoryRequest.fromPartial({ planId: 'p-tax-draft', follow: true }),
      bearer(tok.tax),
    );
    const types: string[] = [];
    const revised = new Promise<void>((resolve, reject) => {
      call.on('data', (m: Json) => {
        types.push(m.event.type);
        if (m.event.type === 'PlanDraftRevised') resolve();
      });
      call.on('error', (e: grpc.ServiceError) => {
        if (e.code !== grpc.status.CANCELLED) reject(e);
      });
    });
    await accepted('/plans/p-tax-draft/revise', 'tax', { content: COMPLETE_PLAN });
    await revised;
    call.cancel();
    assert.deepEqual(types, ['PlanDrafted', 'PlanDraftRevised']);
  });
});

describe('unit ids stay in the hierarchy', () => {
  it('look-alike Unicode and "*" are refused wherever a unit id enters, naming the field', async () => {
    const cases: [string, string, Json, string][] = [
      ['/units', 'admin', { unitId: 'ｔａｘ', name: 'x', kind: 'UNIT_KIND_DEPARTMENT', parentUnitId: 'city' }, 'unitId'],
      ['/units', 'admin', { unitId: '*', name: 'x', kind: 'UNIT_KIND_DEPARTMENT', parentUnitId: 'city' }, 'unitId'],
      ['/units', 'admin', { unitId: 'dept-x', name: 'x', kind: 'UNIT_KIND_DEPARTMENT', parentUnitId: 'ｃｉｔｙ' }, 'parentUnitId'],
      ['/campaigns/c1/enrol', 'office', { unitIds: ['tax', '*'] }, 'unitIds[1]'],
      ['/campaigns/c1/withdraw', 'office', { unitIds: ['ｔａｘ'], reason: 'x' }, 'unitIds[0]'],
      ['/units/land/dissolve', 'admin', { successorUnitId: 'ｔａｘ', reason: 'x' }, 'successorUnitId'],
      ['/units/land/dissolve', 'admin', { successorUnitId: 'no-such-unit', reason: 'x' }, 'successorUnitId'],
    ];
    for (const [path, who, body, field] of cases) {
      const r = await post(path, who, body);
      assert.equal(r.status, 400, `${path} ${JSON.stringify(body)}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.field, field, JSON.stringify(r.body));
    }
    const organizer = await post('/campaigns', 'office', {
      campaignId: 'c-org',
      title: 't',
      period: { startDate: '2025-01-01', endDate: '2025-12-31' },
      organizerUnitId: '*',
    });
    assert.equal(organizer.status, 400);
    assert.equal(organizer.body.field, 'organizerUnitId');
    assert.equal((await get('/units/land', 'office')).body.unit.dissolved, false);
  });
});

describe('every date of a command falls within the campaign’s period', () => {
  it('a campaign’s period lies in a sane window, and its deadline inside the period', async () => {
    const define = (body: Json) =>
      post('/campaigns', 'office', {
        campaignId: `c-${k()}`,
        title: 't',
        period: { startDate: '2025-01-01', endDate: '2025-12-31' },
        ...body,
      });
    const cases: [Json, string][] = [
      [{ period: { startDate: '0001-01-01', endDate: '2025-12-31' } }, 'period.startDate'],
      [{ period: { startDate: '2025-01-01', endDate: '9999-12-31' } }, 'period.endDate'],
      [{ planSubmissionDeadline: '9999-12-31' }, 'planSubmissionDeadline'],
      [{ planSubmissionDeadline: '2024-12-31' }, 'planSubmissionDeadline'],
    ];
    for (const [body, field] of cases) {
      const r = await define(body);
      assert.equal(r.status, 400, `${JSON.stringify(body)}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.field, field);
    }
  });

  it('task deadlines, planned rules, approval days, report months and summary years outside the period are refused', async () => {
    const task = COMPLETE_PLAN.tasks![0]!;
    const cases: [string, string, Json, string][] = [
      [
        '/plans',
        'land',
        {
          planId: 'p-land-9999',
          campaignId: 'c1',
          unitId: 'land',
          content: { ...COMPLETE_PLAN, tasks: [{ ...task, deadlineDate: '9999-12-31' }] },
        },
        'content.tasks[0].deadlineDate',
      ],
      [
        '/plans/p-land/revise',
        'land',
        { content: { ...COMPLETE_PLAN, tasks: [{ ...task, deadlineDate: '2024-06-30' }] } },
        'content.tasks[0].deadlineDate',
      ],
      [
        '/plans/p-land/revise',
        'land',
        { content: { ...COMPLETE_PLAN, plannedRules: [{ title: 'x', dueDate: '0001-01-01' }] } },
        'content.plannedRules[0].dueDate',
      ],
      ['/plans/p-tax-submitted/approve', 'office', { effectiveDate: '0001-01-01' }, 'effectiveDate'],
      [
        '/plans/p-tax/monthly-reports',
        'tax',
        { month: '2024-12', items: [{ taskId: 't1', completion: 'TASK_COMPLETION_IN_PROGRESS', measuresTaken: 'x' }] },
        'month',
      ],
      ['/plans/p-tax/summaries', 'tax', { kind: 'SUMMARY_KIND_ANNUAL', year: 2030, text: 'x' }, 'year'],
      ['/rules', 'tax', { unitId: 'tax', title: 'x', change: 'RULE_CHANGE_ESTABLISHED', effectiveDate: '0001-01-01' }, 'effectiveDate'],
    ];
    for (const [path, who, body, field] of cases) {
      const r = await post(path, who, body);
      assert.equal(r.status, 400, `${path} ${JSON.stringify(body)}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.field, field, JSON.stringify(r.body));
    }
    const g = grpcError(
      await rpc('approvePlan', 'office', { idempotencyKey: k(), planId: 'p-tax-submitted', effectiveDate: '9999-01-01' }),
    );
    assert.equal(g.code, grpc.status.INVALID_ARGUMENT);
  });

  it('an `asOf` outside 2000–2100 is refused rather than walked month by month', async () => {
    const r = await get('/overdue/monthly-reports?asOf=9999-12-31', 'office');
    assert.equal(r.status, 400);
    assert.equal(r.body.field, 'asOf');
  });
});
