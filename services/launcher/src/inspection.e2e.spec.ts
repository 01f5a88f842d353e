// Inspection through real clients (fetch and the generated grpc-js client) against
// the platform started in-process with plan-submission and inspection: the catalog
// arrives from plan-submission's events over the bus, an inspector inspects, records
// findings and scores, orders a rectification, the unit and the inspector drive it
// through its states, and every step is in the store, the read models and on the
// wenming.inspection.events.v1 topic. (It lives in the launcher because it boots the
// launcher, which depends on inspection.)
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { Role } from '@wenming/contracts/wenming/common/v1/common.js';
import { InspectionKind, Severity } from '@wenming/contracts/wenming/inspection/v1/events.js';
import * as svc from '@wenming/contracts/wenming/inspection/v1/inspection_service.js';
import { InspectionServiceClient } from '@wenming/contracts/wenming/inspection/v1/inspection_service.js';
import type { InspectionModule } from '@wenming/inspection';
import { eventsTopic } from '@wenming/messaging';
import { loadConfig, type Role as PrincipalRole } from '@wenming/service-kit';
import { type RunningPlatform, startPlatform } from './platform.js';
import { bearer, collect, httpJson, type Json, signToken } from './test-fixtures/e2e-calls.js';

const dir = mkdtempSync(join(tmpdir(), 'wenming-inspection-'));
const config = loadConfig({
  WENMING_DATA_DIR: dir,
  HTTP_PORT: '0',
  GRPC_PORT: '0',
  LOG_LEVEL: 'silent',
  WENMING_SERVICES: 'plan-submission,inspection',
});
let platform: RunningPlatform;
let client: InspectionServiceClient;
let module: InspectionModule;
const tok: Record<string, string> = {};
let n = 0;
const k = () => `key-${++n}`;
const future = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

const token = (roles: PrincipalRole[], units: string[] = [], sub?: string) => signToken(config, roles, units, sub);

type Any = Json;
const http = (method: 'GET' | 'POST', path: string, who: string, body?: unknown) =>
  httpJson(`${platform.httpUrl}${path}`, method, tok[who], body, method === 'POST' ? k() : undefined);
const post = (path: string, who: string, body: unknown = {}) => http('POST', `/api/inspection${path}`, who, body);
const get = (path: string, who: string) => http('GET', `/api/inspection${path}`, who);

type RpcAnswer = { ok: true; res: Any } | { ok: false; err: grpc.ServiceError };
function rpc(method: string, who: string, req: object): Promise<RpcAnswer> {
  const md = bearer(tok[who]);
  const codec = (svc as unknown as Record<string, { fromPartial(o: unknown): unknown }>)[
    `${method.charAt(0).toUpperCase()}${method.slice(1)}Request`
  ]!;
  return new Promise((resolve) =>
    (client as unknown as Record<string, (r: unknown, m: grpc.Metadata, cb: (e: grpc.ServiceError | null, r: Any) => void) => void>)[
      method
    ]!.call(client, codec.fromPartial({ idempotencyKey: k(), ...req }), md, (e, r) =>
      resolve(e ? { ok: false, err: e } : { ok: true, res: r }),
    ),
  );
}
function ok(a: RpcAnswer): Any {
  assert.ok(a.ok, a.ok ? '' : `${a.err.code} ${a.err.message}`);
  return a.res;
}
function failed(a: RpcAnswer): grpc.ServiceError {
  assert.equal(a.ok, false, 'expected a gRPC error');
  return (a as { err: grpc.ServiceError }).err;
}
async function streamSteps(who: string, rectificationId: string): Promise<Any[]> {
  const call = client.streamRectificationSteps({ rectificationId, fromRevision: 0, follow: false }, bearer(tok[who]));
  return (await collect(call)).map((m: Any) => m.event);
}

const evidence = (name: string, showsUnitName = true) => ({
  fileName: name,
  mediaType: 'image/jpeg',
  sha256: 'ab'.repeat(32),
  attachedBy: { id: 'insp-1', role: 'ROLE_INSPECTOR' },
  attachedAt: '2025-05-10T09:00:00Z',
  showsUnitName,
});
/** The same, as the generated client wants it (Timestamp fields are Dates). */
const evidenceG = (name: string, showsUnitName = true) => ({
  ...evidence(name, showsUnitName),
  attachedAt: new Date('2025-05-10T09:00:00Z'),
  attachedBy: { id: 'insp-1', role: Role.ROLE_INSPECTOR },
});

before(async () => {
  platform = await startPlatform(config);
  module = platform.modules.find((m) => m.name === 'inspection') as InspectionModule;
  client = new InspectionServiceClient(platform.grpcAddress, grpc.credentials.createInsecure());
  tok.office = await token(['office']);
  tok.admin = await token(['admin']);
  tok.inspector = await token(['inspector'], [], 'insp-1');
  tok.u1 = await token(['unit'], ['u1'], 'clerk-u1');
  tok.u2 = await token(['unit'], ['u2'], 'clerk-u2');
  tok.auditor = await token(['auditor']);
  // The campaign and its catalog, through plan-submission's own API.
  const ps = (path: string, who: string, body: unknown) => http('POST', `/api/plan-submission${path}`, who, body);
  const def = await ps('/campaigns', 'office', {
    campaignId: 'c1',
    title: '标准化窗口创建',
    period: { startDate: '2025-01-01', endDate: '2027-12-31' },
    phases: [{ phase: 'CAMPAIGN_PHASE_MOBILIZATION', dates: { startDate: '2025-01-01', endDate: '2027-12-31' } }],
  });
  assert.equal(def.status, 200, JSON.stringify(def.body));
  const cat = await ps('/campaigns/c1/catalog', 'office', {
    catalog: {
      version: 1,
      dimensions: [
        {
          dimensionId: 'window',
          kind: 'DIMENSION_KIND_CUSTOM',
          name: '标准化窗口',
          criteria: [
            {
              criterionId: 'window-sign',
              title: '窗口标识规范',
              maxPoints: { hundredths: 1000 },
              evidenceRules: [{ minPhotos: 2, photosMustShowUnitName: true, description: '至少两张照片显示单位名称' }],
            },
            { criterionId: 'attitude', title: '服务态度优', maxPoints: { hundredths: 500 } },
          ],
        },
      ],
    },
  });
  assert.equal(cat.status, 200, JSON.stringify(cat.body));
  for (const unitId of ['u1', 'u2']) {
    const r = await ps('/units', 'admin', { unitId, name: `窗口${unitId}`, kind: 'UNIT_KIND_CITY' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }
  assert.equal((await ps('/campaigns/c1/enrol', 'office', { unitIds: ['u1', 'u2'] })).status, 200);
  // The catalog read model is fed over the bus.
  for (let i = 0; i < 200; i++) {
    const doc = await platform.readStore.collection<Any>('inspection.catalogs').get('c1');
    if (doc?.criteria?.length && doc.unitIds.length === 2) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail('the catalog never arrived from plan-submission events');
});

after(async () => {
  client?.close();
  await platform?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const planned = { startDate: '2025-05-10', endDate: '2025-05-11' };

describe('inspection end to end', () => {
  it('the office schedules; a unit does not see an unannounced visit until the team arrives', async () => {
    const i1 = await post('/inspections', 'office', {
      inspectionId: 'i1',
      campaignId: 'c1',
      kind: 'INSPECTION_KIND_ROUTINE',
      title: '五月日常检查',
      unitIds: ['u1', 'u2'],
      inspectors: [{ inspectorId: 'insp-1', leader: true }],
      plannedDates: planned,
    });
    assert.equal(i1.status, 200, JSON.stringify(i1.body));
    assert.equal((await post('/inspections', 'inspector', { campaignId: 'c1' })).status, 403);
    ok(
      await rpc('scheduleInspection', 'office', {
        inspectionId: 'i2',
        campaignId: 'c1',
        kind: InspectionKind.INSPECTION_KIND_UNANNOUNCED,
        title: '暗访',
        unitIds: ['u1'],
        inspectors: [{ inspectorId: 'insp-1' }],
        plannedDates: planned,
      }),
    );
    await module.caughtUp();
    assert.equal((await get('/inspections/i2', 'u1')).status, 404);
    assert.equal((await get('/inspections/i1', 'u1')).status, 200);
    assert.equal(failed(await rpc('getInspection', 'u1', { inspectionId: 'i2' })).code, grpc.status.NOT_FOUND);
    ok(await rpc('startInspection', 'inspector', { inspectionId: 'i2', unitId: 'u1' }));
    await module.caughtUp();
    assert.equal((await get('/inspections/i2', 'u1')).status, 200);
  });

  it('findings name a criterion of the catalog; evidence rules are checked when evidence is attached', async () => {
    ok(await rpc('startInspection', 'inspector', { inspectionId: 'i1', unitId: 'u1' }));
    const bad = await post('/inspections/i1/findings', 'inspector', {
      unitId: 'u1',
      criterionId: 'nope',
      severity: 'SEVERITY_GENERAL',
      description: 'x',
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.field, 'criterionId');
    // The edge checks the body against RecordFindingRequest before any handler runs.
    const badEnum = await post('/inspections/i1/findings', 'inspector', {
      unitId: 'u1',
      criterionId: 'window-sign',
      severity: 'SEVERITY_HUGE',
    });
    assert.equal(badEnum.status, 400);
    assert.equal(badEnum.body.field, 'severity');
    const unknownField = await post('/inspections/i1/findings', 'inspector', { unitId: 'u1', criterionId: 'window-sign', notes: 'x' });
    assert.equal(unknownField.status, 400);
    assert.equal(unknownField.body.field, 'notes');
    const badQueryEnum = await get('/rectifications?severity=SEVERITY_HUGE', 'office');
    assert.equal(badQueryEnum.status, 400);
    assert.equal(badQueryEnum.body.field, 'severity');
    const f = await post('/inspections/i1/findings', 'inspector', {
      findingId: 'f1',
      unitId: 'u1',
      criterionId: 'window-sign',
      severity: 'SEVERITY_GENERAL',
      description: '窗口标识不清',
      evidence: [evidence('a.jpg')],
    });
    assert.equal(f.status, 200, JSON.stringify(f.body));
    const attach = ok(
      await rpc('attachEvidence', 'inspector', { inspectionId: 'i1', unitId: 'u1', findingId: 'f1', evidence: evidenceG('b.jpg') }),
    );
    assert.equal(attach.ruleCheck.satisfied, true);
    assert.equal((await post('/inspections/i1/findings', 'u1', { unitId: 'u1' })).status, 403);
  });

  it('a score over the maximum is 400 naming the field, on both edges', async () => {
    const over = await post('/inspections/i1/scores', 'inspector', {
      unitId: 'u1',
      score: { criterionId: 'window-sign', points: { hundredths: 1200 } },
    });
    assert.equal(over.status, 400);
    assert.equal(over.body.field, 'score.points');
    const wrongType = await post('/inspections/i1/scores', 'inspector', {
      unitId: 'u1',
      score: { criterionId: 'window-sign', points: { hundredths: 'ten' } },
    });
    assert.equal(wrongType.status, 400);
    assert.equal(wrongType.body.field, 'score.points.hundredths');
    const err = failed(
      await rpc('scoreCriterion', 'inspector', {
        inspectionId: 'i1',
        unitId: 'u1',
        score: { criterionId: 'window-sign', points: { hundredths: 1200 } },
      }),
    );
    assert.equal(err.code, grpc.status.INVALID_ARGUMENT);
    assert.equal(err.metadata.get('wenming-field')[0], 'score.points');
    ok(
      await rpc('scoreCriterion', 'inspector', {
        inspectionId: 'i1',
        unitId: 'u1',
        score: { criterionId: 'window-sign', points: { hundredths: 800 }, deductionReason: '标识不清', findingIds: ['f1'] },
      }),
    );
    ok(
      await rpc('scoreCriterion', 'inspector', {
        inspectionId: 'i1',
        unitId: 'u1',
        score: { criterionId: 'attitude', points: { hundredths: 500 } },
      }),
    );
    await module.caughtUp();
    const scores = await get('/units/u1/scores?cycle=2025', 'u1');
    assert.equal(scores.status, 200);
    assert.equal(scores.body.total.hundredths, 1300);
    assert.equal(scores.body.maxTotal.hundredths, 1500);
  });

  it('a rectification driven through verification failure after three progress steps keeps every step', async () => {
    const order = ok(
      await rpc('orderRectification', 'inspector', {
        rectificationId: 'r1',
        findingId: 'f1',
        requirements: '更换标识',
        deadlineDate: future(30),
      }),
    );
    assert.equal(order.rectificationId, 'r1');
    // Another unit's rectification looks exactly like a missing one (DESIGN §5).
    assert.equal((await post('/rectifications/r1/acknowledge', 'u2', { responsiblePerson: { name: '张' } })).status, 404);
    assert.equal((await post('/rectifications/r1/acknowledge', 'u1', { responsiblePerson: { name: '李主任' } })).status, 200);
    ok(
      await rpc('submitRectificationMeasures', 'u1', {
        rectificationId: 'r1',
        measures: [{ measureId: 'm1', description: '制作新标识牌' }],
      }),
    );
    // A unit reports progress only on its own rectifications; nobody else reports it.
    assert.equal((await post('/rectifications/r1/progress', 'u2', { description: 'x', evidence: [evidence('x.jpg')] })).status, 404);
    assert.equal(
      failed(
        await rpc('reportRectificationProgress', 'office', { rectificationId: 'r1', description: 'x', evidence: [evidenceG('x.jpg')] }),
      ).code,
      grpc.status.PERMISSION_DENIED,
    );
    for (const step of [1, 2, 3]) {
      const p = ok(
        await rpc('reportRectificationProgress', 'u1', {
          rectificationId: 'r1',
          description: `第${step}步`,
          percentComplete: step * 30,
          evidence: [evidenceG(`p${step}.jpg`)],
        }),
      );
      assert.equal(p.step, step);
    }
    assert.equal((await post('/rectifications/r1/completion', 'u1', { summary: '已完成' })).status, 200);
    // Only inspectors verify.
    assert.equal((await post('/rectifications/r1/verification/pass', 'u1', {})).status, 403);
    assert.equal(
      failed(await rpc('passRectificationVerification', 'office', { rectificationId: 'r1' })).code,
      grpc.status.PERMISSION_DENIED,
    );
    assert.equal((await post('/rectifications/r1/verification/fail', 'inspector', { reasons: ['标识仍不清晰'] })).status, 200);
    const streamed = await streamSteps('u1', 'r1');
    assert.deepEqual(
      streamed.map((e) => e.type),
      [
        'RectificationOrdered',
        'RectificationAcknowledged',
        'RectificationMeasuresSubmitted',
        'RectificationProgressReported',
        'RectificationProgressReported',
        'RectificationProgressReported',
        'RectificationCompletionReported',
        'RectificationVerificationFailed',
      ],
    );
    assert.equal(streamed[1].metadata.actor.id, 'clerk-u1');
    await module.caughtUp();
    const steps = await get('/rectifications/r1/steps', 'inspector');
    assert.equal(steps.status, 200);
    assert.deepEqual(
      steps.body.steps.map((s: Any) => s.type),
      streamed.map((e) => e.type),
    );
    assert.equal(steps.body.steps.filter((s: Any) => s.type === 'RectificationProgressReported').length, 3);
    const r = await get('/rectifications/r1', 'u1');
    assert.equal(r.body.rectification.status, 'RECTIFICATION_STATUS_REOPENED');
    assert.equal(r.body.rectification.progressSteps, 3);
  });

  it('a forbidden transition is 409 FAILED_PRECONDITION naming the current state', async () => {
    const res = await post('/rectifications/r1/close', 'inspector', {});
    assert.equal(res.status, 409);
    assert.equal(res.body.code, 'FAILED_PRECONDITION');
    assert.equal(res.body.currentState, 'reopened');
    const err = failed(await rpc('closeRectification', 'inspector', { rectificationId: 'r1' }));
    assert.equal(err.code, grpc.status.FAILED_PRECONDITION);
    assert.equal(err.metadata.get('wenming-current-state')[0], 'reopened');
  });

  it('extension, completion, verification passed, closed, regressed by the office; not rectifiable counted apart', async () => {
    const ext = ok(
      await rpc('requestRectificationExtension', 'u1', { rectificationId: 'r1', requestedDeadlineDate: future(60), reason: '定制需时' }),
    );
    assert.equal(ext.requestId, 'ext-1');
    assert.equal((await post('/rectifications/r1/extensions/ext-1/grant', 'inspector', {})).status, 403);
    assert.equal((await post('/rectifications/r1/extensions/ext-1/grant', 'office', {})).status, 200);
    ok(await rpc('reportRectificationProgress', 'u1', { rectificationId: 'r1', description: '第4步', evidence: [evidenceG('p4.jpg')] }));
    ok(await rpc('reportRectificationCompletion', 'u1', { rectificationId: 'r1', summary: '已完成' }));
    ok(await rpc('passRectificationVerification', 'inspector', { rectificationId: 'r1' }));
    ok(await rpc('closeRectification', 'inspector', { rectificationId: 'r1' }));
    assert.equal(
      failed(await rpc('regressRectification', 'u1', { rectificationId: 'r1', description: 'x' })).code,
      grpc.status.PERMISSION_DENIED,
    );
    ok(
      await rpc('regressRectification', 'admin', {
        rectificationId: 'r1',
        lookbackReviewId: 'lb-1',
        description: '回头看发现标识又被遮挡',
      }),
    );
    // A second finding, closed as not rectifiable by the office.
    ok(
      await rpc('recordFinding', 'inspector', {
        inspectionId: 'i1',
        findingId: 'f2',
        unitId: 'u1',
        criterionId: 'attitude',
        severity: Severity.SEVERITY_SERIOUS,
        description: '态度生硬',
      }),
    );
    // No wait for the read models: naming the inspection reads the finding from its stream.
    ok(
      await rpc('orderRectification', 'inspector', {
        rectificationId: 'r2',
        inspectionId: 'i1',
        findingId: 'f2',
        requirements: '整改',
        deadlineDate: future(10),
      }),
    );
    assert.equal((await post('/rectifications/r2/close-not-rectifiable', 'inspector', { reason: 'x' })).status, 403);
    ok(await rpc('closeRectificationNotRectifiable', 'office', { rectificationId: 'r2', reason: '需改建大楼' }));
    await module.caughtUp();
    const counts = await get('/rectifications-counts?by=severity', 'office');
    assert.deepEqual(
      counts.body.groups.map((g: Any) => [g.key, g.open, g.solved, g.notRectifiable]),
      [
        ['SEVERITY_GENERAL', 1, 0, 0],
        ['SEVERITY_SERIOUS', 0, 0, 1],
      ],
    );
    const open = await get('/rectifications?unitId=u1&openOnly=true', 'u1');
    assert.deepEqual(
      open.body.rectifications.map((r: Any) => r.rectificationId),
      ['r1'],
    );
    assert.equal((await get('/rectifications?unitId=u1', 'u2')).status, 403);
    const due = await get(`/rectifications-due?asOf=${future(0)}&days=90`, 'office');
    assert.deepEqual(
      due.body.rectifications.map((r: Any) => r.rectificationId),
      ['r1'],
    );
    const overdue = await get(`/rectifications-overdue?asOf=${future(365)}`, 'office');
    assert.deepEqual(
      overdue.body.rectifications.map((r: Any) => r.rectificationId),
      ['r1'],
    );
    const byGrpc = ok(await rpc('listRectifications', 'office', { overdueAsOfDate: future(365) }));
    assert.deepEqual(
      byGrpc.rectifications.map((r: Any) => r.rectificationId),
      ['r1'],
    );
  });

  it('a 双随机 draw is recorded and re-running it gives the same result', async () => {
    const draw = ok(
      await rpc('drawSpotCheck', 'office', {
        drawId: 'd1',
        campaignId: 'c1',
        seed: '2025-05-01 公开摇号 4711',
        unitCandidates: [{ id: 'u1' }, { id: 'u2' }],
        inspectorCandidates: [{ id: 'insp-1' }, { id: 'insp-2' }, { id: 'insp-3', excludedPairings: ['u1'] }],
        unitsToDraw: 1,
        inspectorsPerUnit: 2,
      }),
    );
    assert.equal(draw.drawnUnitIds.length, 1);
    const verify = ok(await rpc('verifyDraw', 'auditor', { drawId: 'd1' }));
    assert.equal(verify.matches, true, verify.difference);
    assert.deepEqual(verify.recomputedUnitIds, draw.drawnUnitIds);
    const spot = await post('/inspections', 'office', {
      inspectionId: 'i3',
      campaignId: 'c1',
      kind: 'INSPECTION_KIND_KEY_SPOT_CHECK',
      title: '重点抽查',
      drawId: 'd1',
      plannedDates: planned,
    });
    assert.equal(spot.status, 200, JSON.stringify(spot.body));
    await module.caughtUp();
    assert.deepEqual((await get('/inspections/i3', 'office')).body.inspection.unitIds, draw.drawnUnitIds);
  });

  it('rebuilding the read models gives the same answers', async () => {
    await module.caughtUp();
    const ask = async () => [
      (await get('/rectifications', 'office')).body,
      (await get('/rectifications/r1/steps', 'office')).body,
      (await get('/units/u1/scores', 'office')).body,
      (await get('/findings', 'office')).body,
      (await get('/inspections/i1/report', 'office')).body,
    ];
    const before = await ask();
    await module.rebuild('all');
    await module.caughtUp();
    assert.deepEqual(await ask(), before);
  });

  it('every step reaches wenming.inspection.events.v1 through the relay', async () => {
    const ids = new Set<string>();
    for await (const e of platform.store.readStream('rectification-r1')) ids.add(e.id);
    const seen = new Set<string>();
    const consumer = await platform.messaging.bus.consume({
      groupId: 'inspection-e2e',
      topics: [eventsTopic('inspection')],
      handler: async (m) => {
        const id = JSON.parse(m.value?.toString('utf8') ?? '{}').id ?? m.headers['wenming-event-id'];
        if (id) seen.add(id);
      },
    });
    for (let i = 0; i < 200 && [...ids].some((id) => !seen.has(id)); i++) await new Promise((r) => setTimeout(r, 50));
    await consumer.stop();
    assert.deepEqual(
      [...ids].filter((id) => !seen.has(id)),
      [],
    );
  });
});
