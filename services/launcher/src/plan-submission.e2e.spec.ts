// Plan submission through real clients (fetch and a grpc-js client of the generated
// service) against the platform started in-process with this module.
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

const dir = mkdtempSync(join(tmpdir(), 'wenming-plan-submission-'));
const env = {
  WENMING_DATA_DIR: dir,
  HTTP_PORT: '0',
  GRPC_PORT: '0',
  LOG_LEVEL: 'silent',
  WENMING_SERVICES: 'plan-submission',
  ...(process.env.KAFKA_BROKERS ? { KAFKA_BROKERS: process.env.KAFKA_BROKERS } : {}),
};
const config = loadConfig(env);
let platform: RunningPlatform;
let client: PlanSubmissionServiceClient;
let module: PlanSubmissionModule;
const tok: Record<string, string> = {};
let n = 0;
const k = () => `key-${++n}`;

const token = (roles: Role[], units: string[] = [], sub?: string) => signToken(config, roles, units, sub);

type Any = Json;
const http = (method: 'GET' | 'POST', path: string, who: string, body?: unknown, key?: string) =>
  httpJson(`${platform.httpUrl}/api/plan-submission${path}`, method, tok[who], body, key);
const post = (path: string, who: string, body: unknown = {}) => http('POST', path, who, body, k());
const get = (path: string, who: string) => http('GET', path, who);

function rpc<Req, Res>(method: string, who: string, req: Req): Promise<{ ok: true; res: Res } | { ok: false; err: grpc.ServiceError }> {
  const md = bearer(tok[who]);
  const codec = (svc as unknown as Record<string, { fromPartial(o: unknown): Req }>)[
    `${method.charAt(0).toUpperCase()}${method.slice(1)}Request`
  ]!;
  const full = codec.fromPartial(req);
  return new Promise((resolve) =>
    (client as unknown as Record<string, (r: Req, m: grpc.Metadata, cb: (e: grpc.ServiceError | null, r: Res) => void) => void>)[
      method
    ]!.call(client, full, md, (e, r) => resolve(e ? { ok: false, err: e } : { ok: true, res: r })),
  );
}

const caughtUp = () => module.caughtUp();

before(async () => {
  platform = await startPlatform(config);
  module = platform.modules.find((m) => m.name === 'plan-submission') as PlanSubmissionModule;
  client = new PlanSubmissionServiceClient(platform.grpcAddress, grpc.credentials.createInsecure());
  tok.office = await token(['office']);
  tok.admin = await token(['admin']);
  tok.auditor = await token(['auditor']);
  tok.tax = await token(['unit'], ['tax'], 'clerk-tax');
  tok.land = await token(['unit'], ['land'], 'clerk-land');
});

after(async () => {
  client?.close();
  await platform?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const phases = [
  { phase: 'CAMPAIGN_PHASE_MOBILIZATION', dates: { startDate: '2025-01-01', endDate: '2025-03-31' } },
  { phase: 'CAMPAIGN_PHASE_RECTIFICATION_AND_IMPROVEMENT', dates: { startDate: '2025-04-01', endDate: '2025-10-31' } },
  { phase: 'CAMPAIGN_PHASE_CONSOLIDATION', dates: { startDate: '2025-11-01', endDate: '2027-12-31' } },
];

describe('plan submission end to end', () => {
  it('the office defines a campaign from the six-types template (HTTP) and units are registered and enrolled (gRPC)', async () => {
    const def = await post('/campaigns', 'office', {
      campaignId: 'c1',
      title: '创建六型机关',
      period: { startDate: '2025-01-01', endDate: '2027-12-31' },
      phases,
      template: 'six-types',
      planSubmissionDeadline: '2025-02-28',
      monthlyReportDueDay: 5,
    });
    assert.equal(def.status, 200, JSON.stringify(def.body));
    assert.equal(def.body.campaignId, 'c1');
    const city = await rpc('registerUnit', 'admin', { idempotencyKey: k(), unitId: 'city', name: '唐山市', kind: 1 });
    assert.ok(city.ok, city.ok ? '' : city.err.message);
    for (const [unitId, name] of [
      ['tax', '市税务局'],
      ['land', '市国土资源局'],
    ]) {
      const r = await rpc('registerUnit', 'office', { idempotencyKey: k(), unitId, name, kind: 3, parentUnitId: 'city' });
      assert.ok(r.ok, r.ok ? '' : r.err.message);
    }
    const enrol = await rpc('enrollCampaignUnits', 'office', { idempotencyKey: k(), campaignId: 'c1', unitIds: ['tax', 'land'] });
    assert.ok(enrol.ok);
    const unitCannot = await post('/campaigns/c1/enrol', 'tax', { unitIds: ['tax'] });
    assert.equal(unitCannot.status, 403);
    await caughtUp();
    const campaign = await get('/campaigns/c1', 'auditor');
    assert.equal(campaign.body.campaign.catalog.dimensions.length, 6);
    assert.deepEqual(campaign.body.campaign.unitIds, ['tax', 'land']);
    const g = await rpc<Any, Any>('getCampaign', 'tax', { campaignId: 'c1' });
    assert.ok(g.ok);
    assert.equal(g.ok && g.res.campaign.template, 'six-types');
  });

  it('a plan goes draft → submitted → returned → revised → resubmitted → approved → amendment under review → approved', async () => {
    const draft = await post('/plans', 'tax', { planId: 'p-tax', campaignId: 'c1', unitId: 'tax', content: COMPLETE_PLAN });
    assert.equal(draft.status, 200, JSON.stringify(draft.body));
    const approveDraft = await post('/plans/p-tax/approve', 'office');
    assert.equal(approveDraft.status, 409);
    assert.equal(approveDraft.body.code, 'FAILED_PRECONDITION');
    assert.match(approveDraft.body.message, /draft/);
    // Another unit's plan is answered as a plan that does not exist (DESIGN §5).
    const otherUnit = await post('/plans/p-tax/submit', 'land');
    assert.equal(otherUnit.status, 404);
    const gHidden = await rpc('submitPlan', 'land', { idempotencyKey: k(), planId: 'p-tax' });
    assert.equal(!gHidden.ok && gHidden.err.code, grpc.status.NOT_FOUND);
    const submitted = await post('/plans/p-tax/submit', 'tax');
    assert.equal(submitted.status, 200, JSON.stringify(submitted.body));
    assert.equal(submitted.body.submission, 1);
    const unitReviews = await post('/plans/p-tax/approve', 'tax');
    assert.equal(unitReviews.status, 403);
    const noComments = await post('/plans/p-tax/return', 'office', { comments: [] });
    assert.equal(noComments.status, 400);
    assert.equal(noComments.body.field, 'comments');
    // The edge checks the body against ReturnPlanRequest / DraftPlanRequest before any handler runs.
    const unknownField = await post('/plans/p-tax/return', 'office', { comments: [{ section: 'tasks', comment: 'x' }], reason: 'x' });
    assert.equal(unknownField.status, 400);
    assert.equal(unknownField.body.field, 'reason');
    assert.match(unknownField.body.message, /not a known field/);
    const wrongType = await post('/plans/p-tax/return', 'office', { expectedRevision: 'three', comments: [] });
    assert.equal(wrongType.status, 400);
    assert.equal(wrongType.body.field, 'expectedRevision');
    const task = COMPLETE_PLAN.tasks?.[0];
    const nested = await post('/plans', 'tax', {
      planId: 'p-bad',
      campaignId: 'c1',
      unitId: 'tax',
      content: { ...COMPLETE_PLAN, tasks: [{ ...task, deadlineDate: 20250630 }] },
    });
    assert.equal(nested.status, 400);
    assert.equal(nested.body.field, 'content.tasks[0].deadlineDate');
    const nestedUnknown = await post('/plans', 'tax', { planId: 'p-bad', content: { ...COMPLETE_PLAN, tasks: [{ ...task, due: 'x' }] } });
    assert.equal(nestedUnknown.status, 400);
    assert.equal(nestedUnknown.body.field, 'content.tasks[0].due');
    const badEnum = await get('/plans?status=PLAN_STATUS_LOST', 'office');
    assert.equal(badEnum.status, 400);
    assert.equal(badEnum.body.field, 'status');
    const badParam = await get('/plans?campaign=c1', 'office');
    assert.equal(badParam.status, 400);
    assert.equal(badParam.body.field, 'campaign');
    const badPageSize = await get('/plans?pageSize=ten', 'office');
    assert.equal(badPageSize.status, 400);
    assert.equal(badPageSize.body.field, 'pageSize');
    const gNoComments = await rpc('returnPlan', 'office', { idempotencyKey: k(), planId: 'p-tax', comments: [] });
    assert.equal(!gNoComments.ok && gNoComments.err.code, grpc.status.INVALID_ARGUMENT);
    const ret = await rpc('returnPlan', 'office', {
      idempotencyKey: k(),
      planId: 'p-tax',
      comments: [{ section: 'tasks', comment: '任务要明确考核方法' }],
    });
    assert.ok(ret.ok);
    const stale = await rpc('revisePlanDraft', 'tax', {
      idempotencyKey: k(),
      planId: 'p-tax',
      expectedRevision: 0,
      content: COMPLETE_PLAN,
      changeNote: 'x',
    });
    assert.equal(!stale.ok && stale.err.code, grpc.status.ABORTED);
    const approveReturned = await rpc('approvePlan', 'office', { idempotencyKey: k(), planId: 'p-tax' });
    assert.equal(!approveReturned.ok && approveReturned.err.code, grpc.status.FAILED_PRECONDITION);
    assert.match(!approveReturned.ok ? approveReturned.err.details : '', /returned/);
    assert.equal((await post('/plans/p-tax/revise', 'tax', { content: COMPLETE_PLAN, changeNote: '已补充考核方法' })).status, 200);
    assert.equal((await post('/plans/p-tax/submit', 'tax')).body.submission, 2);
    await caughtUp();
    const queue = await get('/review-queue?campaignId=c1', 'office');
    assert.deepEqual(
      queue.body.items.map((i: Any) => [i.planId, i.kind, i.submission]),
      [['p-tax', 'plan', 2]],
    );
    const approved = await rpc<Any, Any>('approvePlan', 'office', { idempotencyKey: k(), planId: 'p-tax', effectiveDate: '2025-03-01' });
    assert.ok(approved.ok && approved.res.version === 1);
    const amend = await post('/plans/p-tax/amendments', 'tax', {
      content: { ...COMPLETE_PLAN, title: '修订版' },
      reason: '增加建章立制任务',
    });
    assert.equal(amend.status, 200, JSON.stringify(amend.body));
    await caughtUp();
    const plan = await rpc<Any, Any>('getPlan', 'tax', { planId: 'p-tax' });
    assert.ok(plan.ok);
    assert.equal(plan.ok && plan.res.plan.status, 5 /* AMENDMENT_UNDER_REVIEW */);
    assert.equal(plan.ok && plan.res.plan.history.length, 7);
    const queue2 = await get('/review-queue', 'office');
    assert.deepEqual(
      queue2.body.items.map((i: Any) => i.kind),
      ['amendment'],
    );
    const ok = await post(`/plans/p-tax/amendments/${amend.body.amendmentId}/approve`, 'office', { effectiveDate: '2025-04-01' });
    assert.equal(ok.body.version, 2);
    const landCannotRead = await get('/plans/p-tax', 'land');
    assert.equal(landCannotRead.status, 404);
  });

  it('monthly reports: on time, late; overdue tasks and missing reports as of a day', async () => {
    const items = [{ taskId: 't1', completion: 'TASK_COMPLETION_IN_PROGRESS', measuresTaken: '起草中' }];
    const r = await post('/plans/p-tax/monthly-reports', 'tax', { month: '2025-03', items });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const notApproved = await post('/plans', 'land', { planId: 'p-land', campaignId: 'c1', unitId: 'land', content: { title: '草稿' } });
    assert.equal(notApproved.status, 200);
    const early = await post('/plans/p-land/monthly-reports', 'land', { month: '2025-03', items });
    assert.equal(early.status, 409);
    await caughtUp();
    const overdue = await get('/overdue/tasks?asOf=2025-07-01&campaignId=c1', 'office');
    assert.deepEqual(
      overdue.body.tasks.map((t: Any) => t.taskId),
      ['t1'],
    );
    const dueReports = await get('/overdue/monthly-reports?asOf=2025-05-10&campaignId=c1', 'office');
    assert.ok(
      dueReports.body.reports.some((x: Any) => x.month === '2025-04' && !x.submitted),
      JSON.stringify(dueReports.body),
    );
    const status = await rpc<Any, Any>('getUnitStatus', 'tax', { unitId: 'tax', asOf: '2025-07-01' });
    assert.ok(status.ok);
    assert.equal(status.ok && status.res.tasks[0].overdue, true);
  });

  it('rebuilding every read model from the event store gives the same answers', async () => {
    await caughtUp();
    const ask = async () => [
      (await get('/campaigns/c1', 'office')).body,
      (await get('/plans?campaignId=c1', 'office')).body,
      (await get('/units', 'office')).body,
      (await get('/review-queue', 'office')).body,
      (await get('/overdue/tasks?asOf=2025-07-01', 'office')).body,
      (await get('/overdue/monthly-reports?asOf=2025-07-01', 'office')).body,
      (await get('/monthly-reports', 'office')).body,
    ];
    const before = await ask();
    await module.rebuild('all');
    await caughtUp();
    assert.deepEqual(await ask(), before);
  });

  it('the events reach wenming.plansubmission.events.v1 through the relay', async () => {
    const types: string[] = [];
    const consumer = await platform.messaging.bus.consume({
      groupId: `e2e-plansubmission-${Date.now()}`,
      topics: ['wenming.plansubmission.events.v1'],
      handler: async (m) => {
        types.push(String(m.headers['wenming-event-type'] ?? ''));
      },
    });
    const deadline = Date.now() + 15_000;
    while (!types.includes('PlanAmendmentApproved') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await consumer.stop();
    assert.ok(types.includes('CampaignDefined') || types.length > 0, 'no event arrived');
    assert.ok(types.includes('PlanAmendmentApproved'), `${types.length} events, last ${types.at(-1)}`);
  });
});
