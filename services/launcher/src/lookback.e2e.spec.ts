// Look-back 回头看 through real clients against one embedded platform running
// plan-submission, inspection and lookback: a unit's plan is drafted, submitted and
// approved; an inspector records a finding and orders a rectification, which the
// unit drives to closed; then the office opens a look-back review and records a
// recurrence, and lookback calls the real inspection module over gRPC, which
// regresses the rectification. After every step the test records what the live
// read models (plan-submission's and inspection's APIs) answer, with the instant;
// afterwards lookback's as-of state for each recorded instant must give the same
// answers (the "Done when" of issue 7), and the unit's timeline holds every step in order.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { Role } from '@wenming/contracts/wenming/common/v1/common.js';
import * as lb from '@wenming/contracts/wenming/lookback/v1/lookback_service.js';
import { LookbackServiceClient } from '@wenming/contracts/wenming/lookback/v1/lookback_service.js';
import type { InspectionModule } from '@wenming/inspection';
import type { PlanSubmissionModule } from '@wenming/plan-submission';
import { COMPLETE_PLAN } from '@wenming/plan-submission/test-data';
import { loadConfig, type Role as PrincipalRole } from '@wenming/service-kit';
import { type RunningPlatform, startPlatform } from './platform.js';
import { bearer, collect, enrolU1InCampaignC1, httpJson, type Json, signToken, unaryCall } from './test-fixtures/e2e-calls.js';

const dir = mkdtempSync(join(tmpdir(), 'wenming-lookback-'));
const config = loadConfig({
  WENMING_DATA_DIR: dir,
  HTTP_PORT: '0',
  // Port 0: look-back asks for inspection's address only when it calls, after bind.
  GRPC_PORT: '0',
  LOG_LEVEL: 'silent',
  WENMING_SERVICES: 'plan-submission,inspection,lookback',
});
let platform: RunningPlatform;
let lookback: LookbackServiceClient;
let inspection: InspectionModule;
let planSubmission: PlanSubmissionModule;
const tok: Record<string, string> = {};
let n = 0;
const k = () => `key-${++n}`;
const future = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const token = (roles: PrincipalRole[], units: string[] = [], sub?: string) => signToken(config, roles, units, sub);

type Any = Json;
const http = (method: 'GET' | 'POST', path: string, who: string, body?: unknown) =>
  httpJson(`${platform.httpUrl}${path}`, method, tok[who], body, method === 'POST' ? k() : undefined);
async function ok(p: Promise<{ status: number; body: Any }>): Promise<Any> {
  const r = await p;
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}
const ps = (path: string, who: string, body: unknown = {}) => ok(http('POST', `/api/plan-submission${path}`, who, body));
const insp = (path: string, who: string, body: unknown = {}) => ok(http('POST', `/api/inspection${path}`, who, body));
const lbPost = (path: string, who: string, body: unknown = {}) => ok(http('POST', `/api/lookback${path}`, who, body));

const md = (who: string) => bearer(tok[who]);
const unary = <Res>(method: string, who: string, req: object) => unaryCall<Res>(lookback, method, md(who), req);

/** What the live read models say about the unit at one instant. */
interface LiveAnswer {
  step: string;
  at: string;
  planStatus: string | null;
  planVersion: number | null;
  rectificationStatus: string | null;
  progressSteps: number | null;
  regressions: number | null;
}
const live: LiveAnswer[] = [];

/** Waits for both read models, asks them, and keeps the answer with the instant it held at. */
async function recordLive(step: string) {
  await planSubmission.caughtUp();
  await inspection.caughtUp();
  const plan = await http('GET', '/api/plan-submission/plans/p1', 'office');
  const rect = await http('GET', '/api/inspection/rectifications/r1', 'office');
  const at = new Date().toISOString();
  assert.ok(plan.status === 200 || plan.status === 404, JSON.stringify(plan.body));
  assert.ok(rect.status === 200 || rect.status === 404, JSON.stringify(rect.body));
  live.push({
    step,
    at,
    planStatus: plan.status === 200 ? plan.body.plan.status : null,
    planVersion: plan.status === 200 ? plan.body.plan.version : null,
    rectificationStatus: rect.status === 200 ? rect.body.rectification.status : null,
    progressSteps: rect.status === 200 ? rect.body.rectification.progressSteps : null,
    regressions: rect.status === 200 ? (rect.body.rectification.regressions ?? 0) : null,
  });
  // The next step's events are recorded strictly after this instant.
  await sleep(3);
}

const evidence = (name: string) => ({
  fileName: name,
  mediaType: 'image/jpeg',
  sha256: 'ab'.repeat(32),
  attachedBy: { id: 'insp-1', role: 'ROLE_INSPECTOR' },
  attachedAt: '2025-05-10T09:00:00Z',
  showsUnitName: true,
});

before(async () => {
  platform = await startPlatform(config);
  inspection = platform.modules.find((m) => m.name === 'inspection') as InspectionModule;
  planSubmission = platform.modules.find((m) => m.name === 'plan-submission') as PlanSubmissionModule;
  lookback = new LookbackServiceClient(platform.grpcAddress, grpc.credentials.createInsecure());
  tok.office = await token(['office'], [], 'office-1');
  tok.admin = await token(['admin']);
  tok.inspector = await token(['inspector'], [], 'insp-1');
  tok.u1 = await token(['unit'], ['u1'], 'clerk-u1');
  tok.auditor = await token(['auditor'], [], 'auditor-1');
  await enrolU1InCampaignC1(ps);
  for (let i = 0; i < 200; i++) {
    const doc = await platform.readStore.collection<Any>('inspection.catalogs').get('c1');
    if (doc?.criteria?.length && doc.unitIds.includes('u1')) return;
    await sleep(50);
  }
  assert.fail('the catalog never arrived from plan-submission events');
});

after(async () => {
  lookback?.close();
  await platform?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('look-back end to end', () => {
  it('a plan is approved and a rectification closed, with the live answers recorded after every step', async () => {
    await recordLive('enrolled');
    await ps('/plans', 'u1', { planId: 'p1', campaignId: 'c1', unitId: 'u1', content: COMPLETE_PLAN });
    await recordLive('plan drafted');
    await ps('/plans/p1/submit', 'u1');
    await recordLive('plan submitted');
    await ps('/plans/p1/approve', 'office');
    await recordLive('plan approved');
    await insp('/inspections', 'office', {
      inspectionId: 'i1',
      campaignId: 'c1',
      kind: 'INSPECTION_KIND_ROUTINE',
      title: '五月日常检查',
      unitIds: ['u1'],
      inspectors: [{ inspectorId: 'insp-1', leader: true }],
      plannedDates: { startDate: '2025-05-10', endDate: '2025-05-11' },
    });
    await insp('/inspections/i1/start', 'inspector', { unitId: 'u1' });
    await inspection.caughtUp();
    const criterionId = (await platform.readStore.collection<Any>('inspection.catalogs').get('c1')).criteria[0].criterionId;
    await insp('/inspections/i1/findings', 'inspector', {
      findingId: 'f1',
      unitId: 'u1',
      criterionId,
      severity: 'SEVERITY_GENERAL',
      description: '办事指南未公开',
      publicConcern: true,
      evidence: [evidence('a.jpg'), evidence('b.jpg')],
    });
    await recordLive('finding recorded');
    await insp('/rectifications', 'inspector', {
      rectificationId: 'r1',
      inspectionId: 'i1',
      findingId: 'f1',
      requirements: '公开办事指南',
      deadlineDate: future(30),
    });
    await recordLive('rectification ordered');
    await insp('/rectifications/r1/acknowledge', 'u1', { responsiblePerson: { name: '李主任' } });
    await recordLive('acknowledged');
    await insp('/rectifications/r1/measures', 'u1', { measures: [{ measureId: 'm1', description: '制作办事指南' }] });
    await recordLive('measures submitted');
    for (const step of [1, 2]) {
      await insp('/rectifications/r1/progress', 'u1', {
        description: `第${step}步`,
        percentComplete: step * 50,
        evidence: [evidence(`p${step}.jpg`)],
      });
      await recordLive(`progress ${step}`);
    }
    await insp('/rectifications/r1/completion', 'u1', { summary: '已完成' });
    await recordLive('completion reported');
    await insp('/rectifications/r1/verification/pass', 'inspector', {});
    await recordLive('verified');
    await insp('/rectifications/r1/close', 'inspector', {});
    await recordLive('closed');
    assert.equal(live.at(-1)?.rectificationStatus, 'RECTIFICATION_STATUS_CLOSED');
    assert.equal(live.at(-1)?.planStatus, 'PLAN_STATUS_APPROVED');
  });

  it('a recurrence in a look-back review regresses the rectification in inspection over gRPC', async () => {
    const opened = await lbPost('/reviews', 'office', {
      reviewId: 'lb1',
      campaignId: 'c1',
      title: '2025年回头看',
      unitIds: ['u1'],
      reviewedPeriod: { startDate: '2025-01-01', endDate: '2025-12-31' },
    });
    assert.equal(opened.reviewId, 'lb1');
    await lbPost('/reviews/lb1/checks', 'office', {
      unitId: 'u1',
      check: 'LOOKBACK_CHECK_STUDY_AND_EDUCATION',
      result: 'CHECK_RESULT_PASSED',
    });
    await recordLive('review opened');
    const rec = await lbPost('/reviews/lb1/recurrences', 'office', {
      unitId: 'u1',
      rectificationId: 'r1',
      description: '回头看发现办事指南又被撤下',
      publicConcern: true,
    });
    assert.equal(rec.regression.status, 'recorded', JSON.stringify(rec));
    assert.equal(rec.regression.inspectionEventIds.length, 1);
    await recordLive('regressed');

    // Inspection's own API: the rectification is reopened and counts the regression.
    const r = await ok(http('GET', '/api/inspection/rectifications/r1', 'office'));
    assert.equal(r.rectification.status, 'RECTIFICATION_STATUS_REOPENED');
    // Inspection's rectification stream holds the regression, by the look-back service.
    const steps = await ok(http('GET', '/api/inspection/rectifications/r1/steps', 'inspector'));
    const regressed = steps.steps.filter((s: Any) => s.type === 'RectificationRegressed');
    assert.equal(regressed.length, 1, JSON.stringify(steps.steps.map((s: Any) => s.type)));
    const rectEvents = await collect(
      lookback.streamEvents(lb.StreamEventsRequest.fromPartial({ streamId: 'rectification-r1' }), md('auditor')),
    );
    const regEvent = rectEvents.map((e) => e.event!).find((e) => e.type === 'RectificationRegressed');
    assert.ok(regEvent, 'RectificationRegressed is in the rectification stream');
    assert.deepEqual(rec.regression.inspectionEventIds, [regEvent.id]);
    // Recorded as the real caller's: look-back acted on the office's behalf, with the office's token (issue 12).
    assert.equal(regEvent.metadata?.actor?.id, 'office-1');
    assert.equal(regEvent.metadata?.actor?.role, Role.ROLE_OFFICE);
    assert.equal(regEvent.metadata?.actor?.via, 'service:lookback');
    // The review records the recurrence and the regression, naming inspection's event.
    const reviewEvents = (
      await collect(lookback.streamEvents(lb.StreamEventsRequest.fromPartial({ streamId: 'lookback-review-lb1' }), md('auditor')))
    ).map((e) => e.event!);
    assert.deepEqual(
      reviewEvents.map((e) => e.type),
      ['LookbackReviewOpened', 'LookbackCheckRecorded', 'RecurrenceFound', 'RectificationRegressionRecorded'],
    );
    const review = await ok(http('GET', '/api/lookback/reviews/lb1', 'auditor'));
    const recurrence = review.review.recurrences.find((x: Any) => x.rectificationId === 'r1');
    assert.equal(recurrence.regression, 'recorded');
    assert.deepEqual(recurrence.inspectionEventIds, [regEvent.id]);
    // Asking again does not regress twice.
    const again = await lbPost('/reviews/lb1/recurrences', 'office', {
      unitId: 'u1',
      rectificationId: 'r1',
      description: '回头看发现办事指南又被撤下',
    });
    assert.equal(again.regression.status, 'recorded');
    const stepsAfter = await ok(http('GET', '/api/inspection/rectifications/r1/steps', 'inspector'));
    assert.equal(stepsAfter.steps.filter((s: Any) => s.type === 'RectificationRegressed').length, 1);
    // Over gRPC: the review is listed, and the regression event is found by its id.
    const listed = await unary<lb.ListLookbackReviewsResponse>(
      'listLookbackReviews',
      'auditor',
      lb.ListLookbackReviewsRequest.fromPartial({ unitId: 'u1' }),
    );
    assert.deepEqual(
      listed.reviews.map((x) => [x.reviewId, x.recurrences.map((c) => c.rectificationId)]),
      [['lb1', ['r1']]],
    );
    assert.equal(
      (
        await unary<lb.ListLookbackReviewsResponse>(
          'listLookbackReviews',
          'auditor',
          lb.ListLookbackReviewsRequest.fromPartial({ campaignId: 'c2' }),
        )
      ).reviews.length,
      0,
    );
    const got = await unary<lb.GetEventResponse>('getEvent', 'auditor', lb.GetEventRequest.fromPartial({ eventId: regEvent.id }));
    assert.equal(got.entry?.event?.type, 'RectificationRegressed');
    assert.equal(got.entry?.event?.streamId, 'rectification-r1');
    await assert.rejects(
      unary('getEvent', 'auditor', lb.GetEventRequest.fromPartial({ eventId: 'no-such-event' })),
      (e: grpc.ServiceError) => e.code === grpc.status.NOT_FOUND,
    );
  });

  it("the unit's timeline, streamed over gRPC and paged over HTTP, holds every step in global order", async () => {
    const streamed = (
      await collect(lookback.streamUnitTimeline(lb.StreamUnitTimelineRequest.fromPartial({ filter: { unitId: 'u1' } }), md('auditor')))
    ).map((m) => m.entry!);
    const types = streamed.map((e) => e.event!.type);
    const positions = streamed.map((e) => Number(e.event!.position));
    assert.deepEqual(
      positions,
      [...positions].sort((a, b) => a - b),
    );
    const expectedOrder = [
      'PlanDrafted',
      'PlanSubmitted',
      'PlanApproved',
      'FindingRecorded',
      'RectificationOrdered',
      'RectificationAcknowledged',
      'RectificationMeasuresSubmitted',
      'RectificationProgressReported',
      'RectificationProgressReported',
      'RectificationCompletionReported',
      'RectificationVerificationPassed',
      'RectificationClosed',
      'LookbackCheckRecorded',
      'RecurrenceFound',
      'RectificationRegressed',
      'RectificationRegressionRecorded',
    ];
    let from = 0;
    for (const t of expectedOrder) {
      const at = types.indexOf(t, from);
      assert.ok(at >= 0, `${t} after index ${from} in ${JSON.stringify(types)}`);
      from = at + 1;
    }
    for (const e of streamed) assert.ok(e.summary.length > 0, `${e.event!.type} has a summary`);
    // HTTP pages give the same entries in the same order.
    const paged: Any[] = [];
    let after = 0;
    for (;;) {
      const page = await ok(http('GET', `/api/lookback/units/u1/timeline?limit=5&after=${after}`, 'auditor'));
      paged.push(...page.entries);
      if (page.nextCursor === undefined) break;
      after = page.nextCursor;
    }
    assert.deepEqual(
      paged.map((e) => e.type),
      types,
    );
  });

  it('the state as of every recorded instant is what the live read models answered then', async () => {
    assert.ok(live.length >= 12);
    // The scenario went through every status worth comparing.
    assert.deepEqual(
      new Set(live.map((a) => a.planStatus)),
      new Set([null, 'PLAN_STATUS_DRAFT', 'PLAN_STATUS_SUBMITTED', 'PLAN_STATUS_APPROVED']),
    );
    for (const s of ['ORDERED', 'IN_PROGRESS', 'AWAITING_VERIFICATION', 'VERIFIED', 'CLOSED', 'REOPENED'])
      assert.ok(
        live.some((a) => a.rectificationStatus === `RECTIFICATION_STATUS_${s}`),
        s,
      );
    for (const answer of live) {
      const res = await unary<lb.GetUnitStateAsOfResponse>(
        'getUnitStateAsOf',
        'auditor',
        lb.GetUnitStateAsOfRequest.fromPartial({ unitId: 'u1', asOf: new Date(answer.at) }),
      );
      const snap = lb.GetUnitStateAsOfResponse.toJSON(res) as Any;
      const plan = (snap.state.plans ?? []).find((p: Any) => p.planId === 'p1');
      const rect = (snap.state.rectifications ?? []).find((r: Any) => r.rectificationId === 'r1');
      // HTTP answers the same snapshot as gRPC (issue 13 item 7); the progress steps are the timeline's, as of the instant.
      const http_ = await ok(http('GET', `/api/lookback/units/u1/state?asOf=${encodeURIComponent(answer.at)}`, 'auditor'));
      assert.deepEqual(http_, snap, `HTTP's state as of ${answer.at}`);
      const steps = await ok(
        http(
          'GET',
          `/api/lookback/units/u1/timeline?asOf=${encodeURIComponent(answer.at)}&type=RectificationProgressReported&stream=rectification-r1&limit=500`,
          'auditor',
        ),
      );
      const asOf = {
        step: answer.step,
        at: answer.at,
        planStatus: plan?.status ?? null,
        planVersion: plan ? (plan.version ?? 0) : null,
        rectificationStatus: rect?.status ?? null,
        progressSteps: rect ? steps.entries.length : null,
        regressions: rect ? (rect.regressions ?? 0) : null,
      };
      assert.deepEqual(asOf, answer, `as of ${answer.at} (${answer.step})`);
    }
    // And the difference between the closing and the look-back names the regression.
    const closed = live.find((a) => a.step === 'closed')!;
    const regressed = live.find((a) => a.step === 'regressed')!;
    const diff = await ok(
      http('GET', `/api/lookback/units/u1/diff?from=${encodeURIComponent(closed.at)}&to=${encodeURIComponent(regressed.at)}`, 'auditor'),
    );
    assert.ok(JSON.stringify(diff.changes).includes('RectificationRegressed'), JSON.stringify(diff.changes));
  });

  it('integrity verifies every stream of the unit; the dossier exports it', async () => {
    const v = (await lbPost('/integrity-checks', 'auditor', { scope: { unitId: 'u1' } })).record.data;
    assert.equal(v.intact, true, JSON.stringify(v));
    assert.ok(v.streamsChecked >= 4);
    const dossier = await lbPost('/dossier-exports', 'auditor', { unitId: 'u1' });
    const events = JSON.parse(dossier.files['events.json']);
    assert.ok(JSON.stringify(events).includes('RectificationRegressed'));
    const check = await lbPost('/dossiers/verify', 'auditor', {
      eventsJson: dossier.files['events.json'],
      manifestJson: dossier.files['manifest.json'],
      reportHtml: dossier.files['report.html'],
    });
    assert.equal(check.ok ?? check.valid ?? check.intact, true, JSON.stringify(check));
  });
});
