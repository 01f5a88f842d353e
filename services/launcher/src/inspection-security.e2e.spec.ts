// Issue 12, items 5–7 for inspection, over HTTP and gRPC against the embedded
// platform: what a caller may not see (an unannounced visit before the team
// arrives, a 双随机 draw before its visits, another unit's rectification, other
// units' totals) answers exactly as what does not exist — compared byte for byte,
// status, code and message, with the id substituted — and provenance is the
// server's: only an inspection's team conducts it, and who attached evidence and
// when come from the caller's token and the command's time.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { Role } from '@wenming/contracts/wenming/common/v1/common.js';
import * as svc from '@wenming/contracts/wenming/inspection/v1/inspection_service.js';
import { InspectionServiceClient } from '@wenming/contracts/wenming/inspection/v1/inspection_service.js';
import type { InspectionModule } from '@wenming/inspection';
import { loadConfig, type Role as PrincipalRole } from '@wenming/service-kit';
import { type RunningPlatform, startPlatform } from './platform.js';
import { bearer, collect, httpJson, type Json, signToken } from './test-fixtures/e2e-calls.js';

const dir = mkdtempSync(join(tmpdir(), 'wenming-inspection-security-'));
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
const k = () => `sec-key-${++n}`;

const http = (method: 'GET' | 'POST', path: string, who: string, body?: unknown) =>
  httpJson(`${platform.httpUrl}${path}`, method, tok[who], body, method === 'POST' ? k() : undefined);
const post = (path: string, who: string, body: unknown = {}) => http('POST', `/api/inspection${path}`, who, body);
const get = (path: string, who: string) => http('GET', `/api/inspection${path}`, who);
function accepted(r: { status: number; body: Json }): Json {
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

type RpcAnswer = { ok: true; res: Json } | { ok: false; err: grpc.ServiceError };
function rpc(method: string, who: string, req: object): Promise<RpcAnswer> {
  const codec = (svc as unknown as Record<string, { fromPartial(o: unknown): unknown }>)[
    `${method.charAt(0).toUpperCase()}${method.slice(1)}Request`
  ]!;
  return new Promise((resolve) =>
    (client as unknown as Record<string, (r: unknown, m: grpc.Metadata, cb: (e: grpc.ServiceError | null, r: Json) => void) => void>)[
      method
    ]!.call(client, codec.fromPartial({ idempotencyKey: k(), ...req }), bearer(tok[who]), (e, r) =>
      resolve(e ? { ok: false, err: e } : { ok: true, res: r }),
    ),
  );
}
async function stream(method: 'streamInspectionRecord' | 'streamRectificationSteps', who: string, req: object): Promise<RpcAnswer> {
  const call = (client[method] as (r: object, m: grpc.Metadata) => grpc.ClientReadableStream<Json>).call(
    client,
    { fromRevision: 0, follow: false, ...req },
    bearer(tok[who]),
  );
  try {
    return { ok: true, res: (await collect(call)).map((m) => m.event) };
  } catch (err) {
    return { ok: false, err: err as grpc.ServiceError };
  }
}

/** An answer as bytes, with the id asked about replaced: what a caller could compare. */
const httpBytes = (r: { status: number; body: Json }, id: string) => `${r.status} ${JSON.stringify(r.body).replaceAll(id, '<id>')}`;
const rpcBytes = (a: RpcAnswer, id: string) =>
  a.ok ? `OK ${JSON.stringify(a.res).replaceAll(id, '<id>')}` : `${a.err.code} ${a.err.details.replaceAll(id, '<id>')}`;

const evidence = (name: string) => ({
  fileName: name,
  mediaType: 'image/jpeg',
  sha256: 'cd'.repeat(32),
  attachedBy: { id: 'insp-1', role: 'ROLE_INSPECTOR' },
  attachedAt: '2000-01-01T00:00:00Z',
  showsUnitName: true,
});
const planned = { startDate: '2025-06-10', endDate: '2025-06-11' };

before(async () => {
  platform = await startPlatform(config);
  module = platform.modules.find((m) => m.name === 'inspection') as InspectionModule;
  client = new InspectionServiceClient(platform.grpcAddress, grpc.credentials.createInsecure());
  const token = (roles: PrincipalRole[], units: string[] = [], sub?: string) => signToken(config, roles, units, sub);
  tok.office = await token(['office'], [], 'office-1');
  tok.admin = await token(['admin']);
  tok.inspector = await token(['inspector'], [], 'insp-1');
  tok.stranger = await token(['inspector'], [], 'insp-2');
  tok.auditor = await token(['auditor']);
  tok.supervisor = await token(['supervisor']);
  tok.norole = await token([], [], 'someone');
  tok.u1 = await token(['unit'], ['u1'], 'clerk-u1');
  tok.u2 = await token(['unit'], ['u2'], 'clerk-u2');
  const ps = async (path: string, body: unknown, who = 'office') => accepted(await http('POST', `/api/plan-submission${path}`, who, body));
  await ps('/campaigns', {
    campaignId: 'c1',
    title: '标准化窗口创建',
    period: { startDate: '2025-01-01', endDate: '2027-12-31' },
    phases: [{ phase: 'CAMPAIGN_PHASE_MOBILIZATION', dates: { startDate: '2025-01-01', endDate: '2027-12-31' } }],
  });
  await ps('/campaigns/c1/catalog', {
    catalog: {
      version: 1,
      dimensions: [
        {
          dimensionId: 'window',
          kind: 'DIMENSION_KIND_CUSTOM',
          name: '标准化窗口',
          criteria: [{ criterionId: 'attitude', title: '服务态度优', maxPoints: { hundredths: 500 } }],
        },
      ],
    },
  });
  for (const unitId of ['u1', 'u2', 'u3']) await ps('/units', { unitId, name: `窗口${unitId}`, kind: 'UNIT_KIND_CITY' }, 'admin');
  await ps('/campaigns/c1/enrol', { unitIds: ['u1', 'u2', 'u3'] });
  for (let i = 0; i < 200; i++) {
    const doc = await platform.readStore.collection<Json>('inspection.catalogs').get('c1');
    if (doc?.criteria?.length && doc.unitIds.length === 3) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail('the catalog never arrived from plan-submission events');
});

after(async () => {
  client?.close();
  await platform?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const schedule = (inspectionId: string, kind: string, unitIds: string[]) =>
  post('/inspections', 'office', {
    inspectionId,
    campaignId: 'c1',
    kind,
    title: inspectionId,
    unitIds,
    inspectors: [{ inspectorId: 'insp-1', leader: true }],
    plannedDates: planned,
  }).then(accepted);

/** What `who` gets for the hidden id and for an id that was never used, on every read route and stream. */
async function inspectionAnswers(who: string, id: string) {
  return [
    httpBytes(await get(`/inspections/${id}`, who), id),
    httpBytes(await get(`/inspections/${id}/report`, who), id),
    rpcBytes(await rpc('getInspection', who, { inspectionId: id }), id),
    rpcBytes(await stream('streamInspectionRecord', who, { inspectionId: id }), id),
  ];
}

describe('inspection: hidden looks exactly like absent', () => {
  it('an unannounced visit before the team arrives: every read answers a unit as for an id never used', async () => {
    const before = await get('/inspections?pageSize=1', 'u1');
    await schedule('hidden-1', 'INSPECTION_KIND_UNANNOUNCED', ['u1', 'u2']);
    await module.caughtUp();
    const hidden = await inspectionAnswers('u1', 'hidden-1');
    assert.deepEqual(hidden, await inspectionAnswers('u1', 'absent-1'));
    assert.match(hidden[0]!, /^404 /);
    // The listing, its page and its token are what they were before it was scheduled.
    assert.equal(httpBytes(await get('/inspections?pageSize=1', 'u1'), '-'), httpBytes(before, '-'));
  });

  it('once the team is at one unit, that unit sees only itself; the unit still to be visited sees nothing', async () => {
    const u2Before = [httpBytes(await get('/inspections', 'u2'), '-'), rpcBytes(await rpc('listInspections', 'u2', {}), '-')];
    accepted(await post('/inspections/hidden-1/start', 'inspector', { unitId: 'u1' }));
    await module.caughtUp();
    const seen = accepted(await get('/inspections/hidden-1', 'u1')).inspection;
    assert.deepEqual([seen.unitIds, seen.startedUnitIds], [['u1'], ['u1']]);
    assert.equal(seen.revision, undefined, 'the stream revision counts events of units it may not see');
    const listed = accepted(await get('/inspections', 'u1')).inspections.find((i: Json) => i.inspectionId === 'hidden-1');
    assert.deepEqual(listed.unitIds, ['u1']);
    const record = await stream('streamInspectionRecord', 'u1', { inspectionId: 'hidden-1' });
    assert.ok(record.ok, rpcBytes(record, '-'));
    const scheduled = (record.res as Json[]).find((e) => e.type === 'InspectionScheduled');
    assert.deepEqual(scheduled.data.unitIds, ['u1']);
    // u2 is still to be visited: nothing has changed for it.
    assert.deepEqual(await inspectionAnswers('u2', 'hidden-1'), await inspectionAnswers('u2', 'absent-1'));
    assert.deepEqual([httpBytes(await get('/inspections', 'u2'), '-'), rpcBytes(await rpc('listInspections', 'u2', {}), '-')], u2Before);
    // The office and the auditor see it whole.
    assert.deepEqual(accepted(await get('/inspections/hidden-1', 'auditor')).inspection.unitIds, ['u1', 'u2']);
  });

  it('commands on evidence, amendments and withdrawals answer a unit the same for a hidden and a missing inspection', async () => {
    await schedule('hidden-2', 'INSPECTION_KIND_UNANNOUNCED', ['u1']);
    await module.caughtUp();
    for (const who of ['u1', 'auditor', 'norole']) {
      const answers = async (id: string) => [
        httpBytes(await post(`/inspections/${id}/evidence`, who, { unitId: 'u1', evidence: evidence('a.jpg') }), id),
        httpBytes(await post(`/inspections/${id}/findings/f1/amend`, who, { description: 'x', reason: 'y' }), id),
        httpBytes(await post(`/inspections/${id}/findings/f1/withdraw`, who, { reason: 'y' }), id),
        rpcBytes(await rpc('attachEvidence', who, { inspectionId: id, unitId: 'u1', evidence: { fileName: 'a.jpg' } }), id),
        rpcBytes(await rpc('amendFinding', who, { inspectionId: id, findingId: 'f1', description: 'x', reason: 'y' }), id),
        rpcBytes(await rpc('withdrawFinding', who, { inspectionId: id, findingId: 'f1', reason: 'y' }), id),
      ];
      const hidden = await answers('hidden-2');
      assert.deepEqual(hidden, await answers('absent-2'), who);
      // Authorization comes first: the role is refused before the inspection is read.
      for (const a of hidden) assert.match(a, /^(403|7) /, `${who}: ${a}`);
    }
  });

  it("another unit's rectification answers as a missing one, on reads, commands and the step stream", async () => {
    await schedule('open-1', 'INSPECTION_KIND_ROUTINE', ['u1']);
    accepted(await post('/inspections/open-1/start', 'inspector', { unitId: 'u1' }));
    accepted(
      await post('/inspections/open-1/findings', 'inspector', {
        findingId: 'open-1-f1',
        unitId: 'u1',
        criterionId: 'attitude',
        severity: 'SEVERITY_MINOR',
        description: '态度生硬',
      }),
    );
    accepted(
      await post('/rectifications', 'inspector', {
        rectificationId: 'rect-u1',
        inspectionId: 'open-1',
        findingId: 'open-1-f1',
        requirements: '整改',
        deadlineDate: '2030-01-01',
      }),
    );
    await module.caughtUp();
    const answers = async (id: string) => [
      httpBytes(await get(`/rectifications/${id}`, 'u2'), id),
      httpBytes(await get(`/rectifications/${id}/steps`, 'u2'), id),
      httpBytes(await post(`/rectifications/${id}/acknowledge`, 'u2', { responsiblePerson: { name: '张' } }), id),
      httpBytes(await post(`/rectifications/${id}/progress`, 'u2', { description: 'x' }), id),
      rpcBytes(await rpc('getRectification', 'u2', { rectificationId: id }), id),
      rpcBytes(
        await rpc('requestRectificationExtension', 'u2', { rectificationId: id, requestedDeadlineDate: '2030-02-01', reason: 'x' }),
        id,
      ),
      rpcBytes(await stream('streamRectificationSteps', 'u2', { rectificationId: id }), id),
    ];
    const hidden = await answers('rect-u1');
    assert.deepEqual(hidden, await answers('rect-xx'));
    assert.match(hidden[0]!, /^404 /);
    assert.equal(accepted(await get('/rectifications/rect-u1', 'u1')).rectification.unitId, 'u1');
  });
});

describe('inspection: 双随机 draws', () => {
  it('a token with no Wenming role reads no draw; a unit reads one only once its visits are over', async () => {
    const draw = accepted(
      await post('/draws', 'office', {
        drawId: 'draw-1',
        campaignId: 'c1',
        seed: '2025-06-01 公开摇号 0918',
        unitCandidates: [{ id: 'u1' }, { id: 'u2' }, { id: 'u3' }],
        inspectorCandidates: [{ id: 'insp-1' }],
        unitsToDraw: 1,
        inspectorsPerUnit: 1,
      }),
    );
    const [drawn] = draw.drawnUnitIds as string[];
    tok.drawn = await signToken(config, ['unit'], [drawn!], `clerk-${drawn}`);
    const answers = async (who: string, id: string) => [
      httpBytes(await get(`/draws/${id}`, who), id),
      httpBytes(await get(`/draws/${id}/verify`, who), id),
      rpcBytes(await rpc('getDraw', who, { drawId: id }), id),
      rpcBytes(await rpc('verifyDraw', who, { drawId: id }), id),
    ];
    for (const a of await answers('norole', 'draw-1')) assert.match(a, /^(403|7) /);
    for (const who of ['office', 'inspector', 'supervisor', 'auditor'])
      assert.equal(accepted(await get('/draws/draw-1/verify', who)).matches, true);
    // Before the visit the drawn unit (and any other) cannot tell the draw from a missing one.
    for (const who of ['drawn', 'admin']) assert.deepEqual(await answers(who, 'draw-1'), await answers(who, 'draw-x'), who);
    accepted(
      await post('/inspections', 'office', {
        inspectionId: 'spot-1',
        campaignId: 'c1',
        kind: 'INSPECTION_KIND_KEY_SPOT_CHECK',
        title: '重点抽查',
        drawId: 'draw-1',
        plannedDates: planned,
      }),
    );
    await module.caughtUp();
    assert.deepEqual(await answers('drawn', 'draw-1'), await answers('drawn', 'draw-x'));
    accepted(await post('/inspections/spot-1/start', 'inspector', { unitId: drawn }));
    await module.caughtUp();
    // The visits are over: anyone with a Wenming role may re-run it.
    assert.equal(accepted(await get('/draws/draw-1/verify', 'drawn')).matches, true);
    assert.deepEqual(accepted(await get('/draws/draw-1', 'u1')).draw.drawnUnitIds, [drawn]);
  });
});

describe('inspection: totals and counts show a unit its own units only', () => {
  it("an inspection's totals and finding count, on every route and the stream", async () => {
    await schedule('both-1', 'INSPECTION_KIND_ROUTINE', ['u1', 'u2']);
    for (const [unitId, hundredths] of [
      ['u1', 500],
      ['u2', 450],
    ] as const) {
      accepted(await post('/inspections/both-1/start', 'inspector', { unitId }));
      const score = { criterionId: 'attitude', points: { hundredths }, ...(hundredths < 500 ? { deductionReason: '态度' } : {}) };
      accepted(await post('/inspections/both-1/scores', 'inspector', { unitId, score }));
    }
    accepted(
      await post('/inspections/both-1/findings', 'inspector', {
        unitId: 'u2',
        criterionId: 'attitude',
        severity: 'SEVERITY_MINOR',
        description: 'x',
      }),
    );
    accepted(await post('/inspections/both-1/complete', 'inspector', { summary: '通报' }));
    await module.caughtUp();
    const one = accepted(await get('/inspections/both-1', 'u1')).inspection;
    assert.deepEqual(
      one.totals.map((t: Json) => t.unitId),
      ['u1'],
    );
    assert.equal(one.findingCount, 0, "u2's finding is not counted for u1");
    assert.deepEqual(
      ok(await rpc('getInspection', 'u1', { inspectionId: 'both-1' })).inspection.totals.map((t: Json) => t.unitId),
      ['u1'],
    );
    const listed = accepted(await get('/inspections', 'u1')).inspections.find((i: Json) => i.inspectionId === 'both-1');
    assert.deepEqual([listed.unitIds, listed.totals.length, listed.findingCount], [['u1'], 1, 0]);
    const record = await stream('streamInspectionRecord', 'u1', { inspectionId: 'both-1' });
    assert.ok(record.ok, rpcBytes(record, '-'));
    const completed = (record.res as Json[]).find((e) => e.type === 'InspectionCompleted');
    assert.deepEqual(
      completed.data.totals.map((t: Json) => t.unitId),
      ['u1'],
    );
    const whole = accepted(await get('/inspections/both-1', 'office')).inspection;
    assert.deepEqual([whole.totals.length, whole.findingCount], [2, 1]);
  });
});

describe('inspection: provenance is the server’s', () => {
  it('an inspector not on the team neither starts an unannounced visit nor records in it; nothing is written', async () => {
    await schedule('hidden-3', 'INSPECTION_KIND_UNANNOUNCED', ['u1', 'u2']);
    const revision = async () => {
      let last = -1;
      for await (const e of platform.store.readStream('inspection-hidden-3')) last = e.revision;
      return last;
    };
    const at = await revision();
    const refused = [
      await post('/inspections/hidden-3/start', 'stranger', { unitId: 'u1' }),
      await post('/inspections/hidden-3/start', 'stranger', { unitId: 'u1', inspectorIds: ['insp-1'] }),
    ];
    for (const r of refused) assert.deepEqual([r.status, r.body.code], [403, 'PERMISSION_DENIED']);
    const grpcRefused = await rpc('startInspection', 'stranger', { inspectionId: 'hidden-3', unitId: 'u1' });
    assert.equal(grpcRefused.ok ? 0 : grpcRefused.err.code, grpc.status.PERMISSION_DENIED);
    // A team member names only the team present, and is among them.
    const forged = await post('/inspections/hidden-3/start', 'inspector', { unitId: 'u1', inspectorIds: ['insp-1', 'insp-2'] });
    assert.deepEqual([forged.status, forged.body.field], [400, 'inspectorIds[1]']);
    assert.equal(await revision(), at, 'a refused command wrote nothing');
    accepted(await post('/inspections/hidden-3/start', 'inspector', { unitId: 'u1' }));
    const strangerCommands: Array<[string, object]> = [
      ['/findings', { unitId: 'u1', criterionId: 'attitude', severity: 'SEVERITY_MINOR', description: 'x' }],
      ['/scores', { unitId: 'u1', score: { criterionId: 'attitude', points: { hundredths: 500 } } }],
      ['/evidence', { unitId: 'u1', evidence: evidence('x.jpg') }],
      ['/complete', { summary: 'x' }],
    ];
    for (const [path, body] of strangerCommands) {
      const r = await post(`/inspections/hidden-3${path}`, 'stranger', body);
      assert.equal(r.status, 403, `${path}: ${JSON.stringify(r.body)}`);
    }
    assert.equal(await revision(), at + 1, "only the team member's start was written");
    // The office still runs the schedule without being on the team.
    await schedule('hidden-4', 'INSPECTION_KIND_UNANNOUNCED', ['u2']);
    accepted(await post('/inspections/hidden-4/cancel', 'office', { reason: '改期' }));
  });

  it('attachedBy and attachedAt are the caller and the command time, whatever the body said', async () => {
    const finding = accepted(
      await post('/inspections/open-1/findings', 'inspector', {
        findingId: 'open-1-f2',
        unitId: 'u1',
        criterionId: 'attitude',
        severity: 'SEVERITY_MINOR',
        description: '未挂牌',
        evidence: [{ ...evidence('badge.jpg'), attachedBy: { id: 'insp-9', role: 'ROLE_OFFICE', displayName: '别人' } }],
      }),
    );
    accepted(await post('/rectifications/rect-u1/acknowledge', 'u1', { responsiblePerson: { name: '李主任' } }));
    accepted(
      await post('/rectifications/rect-u1/measures', 'u1', {
        measures: [{ measureId: 'm1', description: '制度' }],
        documents: [evidence('plan.pdf')],
      }),
    );
    const ok1 = await rpc('reportRectificationProgress', 'u1', {
      rectificationId: 'rect-u1',
      description: '第1步',
      evidence: [
        { ...evidence('p1.jpg'), attachedBy: { id: 'insp-1', role: Role.ROLE_INSPECTOR }, attachedAt: new Date('2000-01-01T00:00:00Z') },
      ],
    });
    assert.ok(ok1.ok, rpcBytes(ok1, '-'));
    // [file, attachedBy, attachedAt is the event's business time]
    const stamped: Array<[string, Json, boolean]> = [];
    for (const streamId of ['inspection-open-1', 'rectification-rect-u1'])
      for await (const e of platform.store.readStream(streamId)) {
        const d = e.data as Json;
        for (const ref of [...(d.evidence ?? []), ...(d.documents ?? [])] as Json[])
          stamped.push([ref.fileName, ref.attachedBy, ref.attachedAt === e.occurredAt]);
      }
    assert.deepEqual(stamped, [
      ['badge.jpg', { id: 'insp-1', role: 'ROLE_INSPECTOR' }, true],
      ['plan.pdf', { id: 'clerk-u1', role: 'ROLE_UNIT' }, true],
      ['p1.jpg', { id: 'clerk-u1', role: 'ROLE_UNIT' }, true],
    ]);
    assert.ok(finding.result.eventIds.length === 1);
  });
});

function ok(a: RpcAnswer): Json {
  assert.ok(a.ok, a.ok ? '' : `${a.err.code} ${a.err.details}`);
  return a.res;
}
