// The city system test (issue 8 item 4): every service as its own OS process in the
// production profile, against the real PostgreSQL event store, Kafka broker and
// MongoDB-wire server that `npm test` provides (PG_URL, KAFKA_BROKERS, MONGODB_URL).
// A fresh PostgreSQL schema and Mongo database per run; the Kafka topics and consumer
// groups are shared with every other spec on that broker, so every id here carries
// this run's tag and the assertions look only at them.
//
// 1. A campaign from a template, units enrolled, plans approved, an inspection with a
//    finding (accepted once inspection has the catalog from plan-submission over Kafka),
//    a rectification through its steps to verified and closed; look-back's timeline of
//    the unit holds every step in order.
// 2. The kill check: a burst of 1,000 rectification progress steps against inspection,
//    SIGKILLed in the middle and restarted; the unacknowledged commands are retried with
//    their idempotency keys; every command's events are in the store exactly once; the
//    read models converge to what `wenming projections rebuild all` gives.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { RectificationStatus } from '@wenming/contracts/wenming/inspection/v1/events.js';
import * as insp from '@wenming/contracts/wenming/inspection/v1/inspection_service.js';
import * as lb from '@wenming/contracts/wenming/lookback/v1/lookback_service.js';
import { type EventStore, openEventStore } from '@wenming/eventstore';
import { COMPLETE_PLAN } from '@wenming/plan-submission/test-data';
import { type Role, signHs256Token } from '@wenming/service-kit';
import { Kafka, logLevel } from 'kafkajs';
import { MongoClient } from 'mongodb';
import { killAll, runCli, type ServiceProcess, startService, stopService, tail, waitFor } from './processes.js';

const { PG_URL, KAFKA_BROKERS, MONGODB_URL } = process.env;
const missing = Object.entries({ PG_URL, KAFKA_BROKERS, MONGODB_URL })
  .filter(([, v]) => !v)
  .map(([k]) => k);
const requireReal = process.env.WENMING_REQUIRE_REAL_SERVERS === '1';
const refused = missing.length > 0 && requireReal ? `WENMING_REQUIRE_REAL_SERVERS=1 but not set: ${missing.join(', ')}` : false;
const skip = missing.length > 0 ? refused || `system test needs real servers; not set: ${missing.join(', ')}` : false;
if (skip && !refused) console.log(`# SKIPPED city system test: ${skip}`);
if (refused) {
  it('the real servers are there (WENMING_REQUIRE_REAL_SERVERS=1)', () => {
    assert.fail(refused);
  });
}

// biome-ignore lint/suspicious/noExplicitAny: JSON answers are checked field by field
type Any = any;

const tag = randomBytes(4).toString('hex');
const schema = `wenming_sys_${tag}`;
const campaignId = `sys-${tag}-c`;
const u1 = `sys-${tag}-u1`;
const u2 = `sys-${tag}-u2`;
const SECRET = `system-test-secret-${randomBytes(16).toString('hex')}`;
const BURST_RECTIFICATIONS = 10;
const BURST_STEPS = 100; // per rectification: 1,000 commands, 10 at a time (one stream each)
const KILL_AFTER_ACKS = 350;

function withSchema(url: string, s: string): string {
  const u = new URL(url);
  u.searchParams.set('schema', s);
  return u.href;
}

const common = (): Record<string, string> => ({
  WENMING_PROFILE: 'production',
  EVENTSTORE_URL: withSchema(PG_URL!, schema),
  KAFKA_BROKERS: KAFKA_BROKERS!,
  // This run's own topics and groups on the shared broker (the other suites publish there too).
  KAFKA_NAMESPACE: `sys-${tag}`,
  MONGODB_URL: MONGODB_URL!,
  MONGODB_DATABASE: `wenming_sys_${tag}`,
  WENMING_JWT_SECRET: SECRET,
  BIND_HOST: '127.0.0.1',
  HTTP_PORT: '0',
  GRPC_PORT: '0',
  LOG_LEVEL: 'warn',
  WENMING_RELAY: 'off',
});

const procs: Record<string, ServiceProcess> = {};
const tok: Record<string, string> = {};
let store: EventStore | undefined;
let keyN = 0;
const key = () => `sys-${tag}-k${++keyN}`;
const future = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

async function token(roles: Role[], units: string[] = [], sub = `sys-${roles.join('-')}`): Promise<string> {
  return signHs256Token({ sub, roles, units, ttlSec: 3600 }, new TextEncoder().encode(SECRET));
}

/** One HTTP call to a service process; throws only when the connection fails. */
async function http(
  service: string,
  method: 'GET' | 'POST',
  path: string,
  who: string,
  body?: unknown,
  idempotencyKey?: string,
): Promise<{ status: number; body: Any }> {
  const headers: Record<string, string> = { authorization: `Bearer ${tok[who]}` };
  if (method === 'POST') {
    headers['content-type'] = 'application/json';
    headers['idempotency-key'] = idempotencyKey ?? key();
  }
  const res = await fetch(`${procs[service]!.httpUrl}/api/${service}${path}`, {
    method,
    headers,
    signal: AbortSignal.timeout(15_000),
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed };
}
async function ok(service: string, method: 'GET' | 'POST', path: string, who: string, body?: unknown): Promise<Any> {
  const r = await http(service, method, path, who, body ?? (method === 'POST' ? {} : undefined));
  assert.equal(r.status, 200, `${method} /api/${service}${path}: ${JSON.stringify(r.body)}\n${tail(procs[service]!)}`);
  return r.body;
}

function metadata(who: string): grpc.Metadata {
  const m = new grpc.Metadata();
  m.set('authorization', `Bearer ${tok[who]}`);
  return m;
}

const evidence = (name: string) => ({
  fileName: name,
  mediaType: 'image/jpeg',
  sha256: 'ab'.repeat(32),
  attachedBy: { id: 'sys-inspector', role: 'ROLE_INSPECTOR' },
  attachedAt: '2025-05-10T09:00:00Z',
  showsUnitName: true,
});

before(async () => {
  if (skip) return;
  tok.office = await token(['office'], [], 'sys-office');
  tok.admin = await token(['admin'], [], 'sys-admin');
  tok.inspector = await token(['inspector'], [], 'sys-inspector');
  tok.auditor = await token(['auditor'], [], 'sys-auditor');
  tok.u1 = await token(['unit'], [u1], 'sys-clerk-u1');
  tok.u2 = await token(['unit'], [u2], 'sys-clerk-u2');
  // plan-submission first: it creates the schema and runs the relay (the one process that does).
  procs['plan-submission'] = await startService('plan-submission', {
    ...common(),
    WENMING_SERVICES: 'plan-submission',
    WENMING_RELAY: 'on',
  });
  procs.inspection = await startService('inspection', { ...common(), WENMING_SERVICES: 'inspection' });
  procs.lookback = await startService('lookback', {
    ...common(),
    WENMING_SERVICES: 'lookback',
    WENMING_INSPECTION_GRPC: procs.inspection.grpcAddress,
  });
  store = await openEventStore(withSchema(PG_URL!, schema));
});

after(async () => {
  await store?.close().catch(() => undefined);
  await killAll();
});

describe('the city on real servers, one process per service', { skip }, () => {
  let criterionId = '';

  it('a campaign from a template: units enrolled, plans approved (HTTP)', async () => {
    await ok('plan-submission', 'POST', '/campaigns', 'office', {
      campaignId,
      title: '创建六型机关（系统测试）',
      period: { startDate: '2025-01-01', endDate: '2027-12-31' },
      phases: [{ phase: 'CAMPAIGN_PHASE_MOBILIZATION', dates: { startDate: '2025-01-01', endDate: '2027-12-31' } }],
      template: 'six-types',
    });
    for (const unitId of [u1, u2]) {
      await ok('plan-submission', 'POST', '/units', 'admin', { unitId, name: `系统测试单位${unitId}`, kind: 'UNIT_KIND_CITY' });
    }
    await ok('plan-submission', 'POST', `/campaigns/${campaignId}/enrol`, 'office', { unitIds: [u1, u2] });
    for (const [unitId, who] of [
      [u1, 'u1'],
      [u2, 'u2'],
    ] as const) {
      const planId = `p-${unitId}`;
      await ok('plan-submission', 'POST', '/plans', who, { planId, campaignId, unitId, content: COMPLETE_PLAN });
      await ok('plan-submission', 'POST', `/plans/${planId}/submit`, who);
      await ok('plan-submission', 'POST', `/plans/${planId}/approve`, 'office');
    }
    const plan = await waitFor('plan-submission read model to show the approved plan', async () => {
      const r = await http('plan-submission', 'GET', `/plans/p-${u1}`, 'office');
      return r.status === 200 && r.body.plan.status === 'PLAN_STATUS_APPROVED' ? r.body : undefined;
    });
    assert.equal(plan.plan.status, 'PLAN_STATUS_APPROVED');
    const campaign = await waitFor('the campaign with its template catalog', async () => {
      const r = await http('plan-submission', 'GET', `/campaigns/${campaignId}`, 'office');
      return r.status === 200 && r.body.campaign.unitIds?.length === 2 ? r.body : undefined;
    });
    criterionId = campaign.campaign.catalog.dimensions[0].criteria[0].criterionId;
    assert.ok(criterionId, JSON.stringify(campaign.campaign.catalog));
  });

  it('an inspection with a finding (once the catalog came over Kafka) and a rectification to verified and closed', async () => {
    await ok('inspection', 'POST', '/inspections', 'office', {
      inspectionId: 'i1',
      campaignId,
      kind: 'INSPECTION_KIND_ROUTINE',
      title: '系统测试检查',
      unitIds: [u1, u2],
      inspectors: [{ inspectorId: 'sys-inspector', leader: true }],
      plannedDates: { startDate: '2025-05-10', endDate: '2025-05-11' },
    });
    // The finding is refused (unknown campaign/criterion) until inspection's catalog
    // consumer has read plan-submission's events from Kafka: retry with the same key.
    const findingKey = key();
    let last: { status: number; body: Any } | undefined;
    await waitFor(
      'inspection to accept the finding (the catalog from plan-submission over Kafka)',
      async () => {
        await http('inspection', 'POST', '/inspections/i1/start', 'inspector', { unitId: u1 }, `${findingKey}-start-u1`);
        last = await http(
          'inspection',
          'POST',
          '/inspections/i1/findings',
          'inspector',
          {
            findingId: 'f1',
            unitId: u1,
            criterionId,
            severity: 'SEVERITY_GENERAL',
            description: '办事指南未公开',
            evidence: [evidence('a.jpg'), evidence('b.jpg')],
          },
          findingKey,
        );
        return last.status === 200 ? last : undefined;
      },
      60_000,
      500,
    ).catch((err) => {
      throw new Error(`${(err as Error).message}; last answer ${JSON.stringify(last)}\n${tail(procs.inspection!)}`);
    });

    // The rectification is ordered over gRPC.
    const client = new insp.InspectionServiceClient(procs.inspection!.grpcAddress, grpc.credentials.createInsecure());
    try {
      const ordered = await new Promise<Any>((resolve, reject) =>
        client.orderRectification(
          insp.OrderRectificationRequest.fromPartial({
            idempotencyKey: key(),
            rectificationId: 'r1',
            inspectionId: 'i1',
            findingId: 'f1',
            requirements: '公开办事指南',
            deadlineDate: future(30),
          }),
          metadata('inspector'),
          (e, r) => (e ? reject(e) : resolve(r)),
        ),
      );
      assert.equal(ordered.rectificationId, 'r1');
    } finally {
      client.close();
    }
    await ok('inspection', 'POST', '/rectifications/r1/acknowledge', 'u1', { responsiblePerson: { name: '李主任' } });
    await ok('inspection', 'POST', '/rectifications/r1/measures', 'u1', { measures: [{ measureId: 'm1', description: '制作办事指南' }] });
    for (const step of [1, 2]) {
      await ok('inspection', 'POST', '/rectifications/r1/progress', 'u1', {
        description: `第${step}步`,
        percentComplete: step * 50,
        evidence: [evidence(`p${step}.jpg`)],
      });
    }
    await ok('inspection', 'POST', '/rectifications/r1/completion', 'u1', { summary: '已完成' });
    await ok('inspection', 'POST', '/rectifications/r1/verification/pass', 'inspector', {});
    await ok('inspection', 'POST', '/rectifications/r1/close', 'inspector', {});
    const closed = await waitFor('inspection read model to show r1 closed', async () => {
      const r = await http('inspection', 'GET', '/rectifications/r1', 'office');
      return r.status === 200 && r.body.rectification.status === 'RECTIFICATION_STATUS_CLOSED' ? r.body : undefined;
    });
    assert.equal(closed.rectification.progressSteps, 2);
  });

  it("look-back's timeline of the unit shows every step in order (HTTP pages and gRPC stream)", async () => {
    const expected = [
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
    ];
    const paged: Any[] = [];
    let afterCursor = 0;
    for (let page = 0; page < 50; page++) {
      const body = await ok('lookback', 'GET', `/units/${u1}/timeline?limit=5&after=${afterCursor}`, 'auditor');
      paged.push(...body.entries);
      if (body.nextCursor === undefined) break;
      afterCursor = body.nextCursor;
    }
    const types = paged.map((e) => e.type);
    let from = 0;
    for (const t of expected) {
      const at = types.indexOf(t, from);
      assert.ok(at >= 0, `${t} after index ${from} in ${JSON.stringify(types)}`);
      from = at + 1;
    }
    assert.deepEqual(
      types.filter((t) => expected.includes(t)),
      expected,
      'no step is doubled or out of order',
    );
    const client = new lb.LookbackServiceClient(procs.lookback!.grpcAddress, grpc.credentials.createInsecure());
    try {
      const streamed = await new Promise<Any[]>((resolve, reject) => {
        const out: Any[] = [];
        const call = client.streamUnitTimeline(lb.StreamUnitTimelineRequest.fromPartial({ filter: { unitId: u1 } }), metadata('auditor'));
        call.on('data', (m: Any) => out.push(m.entry));
        call.on('end', () => resolve(out));
        call.on('error', reject);
      });
      const positions = streamed.map((e) => Number(e.event.position));
      assert.deepEqual(
        positions,
        [...positions].sort((a, b) => a - b),
      );
      assert.deepEqual(
        streamed.map((e) => e.event.type),
        types,
      );
    } finally {
      client.close();
    }
  });

  it("refuses to start look-back alone in production without inspection's address, naming WENMING_INSPECTION_GRPC", async () => {
    // Before issue 13 it started, and every regression then called look-back's own port.
    const { WENMING_INSPECTION_GRPC: _, ...without } = procs.lookback!.env;
    await assert.rejects(
      startService('lookback-without-inspection', without, 60_000),
      (err: Error) => /exited \(code [1-9]/.test(err.message) && /WENMING_INSPECTION_GRPC/.test(err.message),
    );
  });

  it('a recurrence recorded in look-back regresses the rectification in inspection, across processes over gRPC', async () => {
    const reviewId = `lb-${tag}`;
    await ok('lookback', 'POST', '/reviews', 'office', {
      reviewId,
      campaignId,
      title: '系统测试回头看',
      unitIds: [u1],
      reviewedPeriod: { startDate: '2025-01-01', endDate: '2027-12-31' },
    });
    const recorded = await ok('lookback', 'POST', `/reviews/${reviewId}/recurrences`, 'office', {
      unitId: u1,
      rectificationId: 'r1',
      description: '回头看发现办事指南又被撤下',
    });
    assert.equal(recorded.regression?.status, 'recorded', `${JSON.stringify(recorded)}\n${tail(procs.lookback!)}`);
    assert.equal(recorded.regression.inspectionEventIds.length, 1, JSON.stringify(recorded));
    // Inspection's own answer, over gRPC: the rectification is reopened by one regression.
    const client = new insp.InspectionServiceClient(procs.inspection!.grpcAddress, grpc.credentials.createInsecure());
    try {
      const got = await waitFor('inspection read model to show r1 regressed', async () => {
        const r = await new Promise<Any>((resolve, reject) =>
          client.getRectification(insp.GetRectificationRequest.fromPartial({ rectificationId: 'r1' }), metadata('office'), (e, res) =>
            e ? reject(e) : resolve(res),
          ),
        );
        return r.rectification?.regressions === 1 ? r : undefined;
      });
      assert.equal(got.rectification.status, RectificationStatus.RECTIFICATION_STATUS_REOPENED);
    } finally {
      client.close();
    }
    // The event in inspection's stream: the office asked (its own token, forwarded), look-back acted.
    const regressed: Any[] = [];
    for await (const e of store!.readStream('rectification-r1')) if (e.type === 'RectificationRegressed') regressed.push(e);
    assert.equal(regressed.length, 1);
    assert.deepEqual(recorded.regression.inspectionEventIds, [regressed[0].id]);
    assert.equal(regressed[0].metadata.actor?.id, 'sys-office');
    assert.equal(regressed[0].metadata.actor?.role, 'office');
    assert.equal(regressed[0].metadata.actor?.via, 'service:lookback');
  });

  it('SIGKILL inspection in a burst of 1,000 commands: nothing lost or doubled, read models converge to a rebuild', async () => {
    // Ten open rectifications on u2, each in progress.
    const rects = Array.from({ length: BURST_RECTIFICATIONS }, (_, i) => `rk${i}`);
    await ok('inspection', 'POST', '/inspections/i1/start', 'inspector', { unitId: u2 });
    for (const [i, r] of rects.entries()) {
      await ok('inspection', 'POST', '/inspections/i1/findings', 'inspector', {
        findingId: `fk${i}`,
        unitId: u2,
        criterionId,
        severity: 'SEVERITY_GENERAL',
        description: `问题${i}`,
      });
      await ok('inspection', 'POST', '/rectifications', 'inspector', {
        rectificationId: r,
        inspectionId: 'i1',
        findingId: `fk${i}`,
        requirements: '整改',
        deadlineDate: future(30),
      });
      await ok('inspection', 'POST', `/rectifications/${r}/acknowledge`, 'u2', { responsiblePerson: { name: '王' } });
      await ok('inspection', 'POST', `/rectifications/${r}/measures`, 'u2', { measures: [{ measureId: 'm1', description: '措施' }] });
    }

    const burstKey = (r: string, i: number) => `sys-${tag}-burst-${r}-${i}`;
    const progress = (r: string, i: number) =>
      http(
        'inspection',
        'POST',
        `/rectifications/${r}/progress`,
        'u2',
        { description: `进展${r}-${i}`, evidence: [evidence(`${r}-${i}.jpg`)] },
        burstKey(r, i),
      );
    const acked = new Map<string, number>(); // key → step answered
    const unacked: Array<[string, number]> = [];
    const answers = new Map<number, number>(); // status → count (for the failure message)
    const inspection = procs.inspection!;
    let killed = false;
    const t0 = Date.now();
    // One worker per rectification (its stream), ten at a time.
    await Promise.all(
      rects.map(async (r) => {
        for (let i = 0; i < BURST_STEPS; i++) {
          if (killed && inspection.child.exitCode === null && inspection.child.signalCode === null) await inspection.exited;
          try {
            const res = await progress(r, i);
            answers.set(res.status, (answers.get(res.status) ?? 0) + 1);
            if (res.status === 200) acked.set(burstKey(r, i), res.body.step);
            else unacked.push([r, i]);
          } catch {
            unacked.push([r, i]);
          }
          if (!killed && acked.size >= KILL_AFTER_ACKS) {
            killed = true;
            inspection.child.kill('SIGKILL');
          }
        }
      }),
    );
    const burstMs = Date.now() - t0;
    const exit = await inspection.exited;
    assert.equal(exit.signal, 'SIGKILL', 'inspection was killed in the burst');
    assert.ok(acked.size >= KILL_AFTER_ACKS && unacked.length > 0, `acked ${acked.size}, unacked ${unacked.length}`);
    console.log(
      `# burst: ${acked.size} acknowledged before SIGKILL, ${unacked.length} not, in ${burstMs} ms; answers ${JSON.stringify([...answers])}`,
    );

    // How many unacknowledged commands had committed before the kill (their retry must not double them).
    const unackedKeys = new Set(unacked.map(([r, i]) => burstKey(r, i)));
    let committedUnacked = 0;
    for (const r of rects) {
      for await (const e of store!.readStream(`rectification-${r}`)) {
        if (unackedKeys.has(String(e.metadata.causationId))) committedUnacked++;
      }
    }
    console.log(`# ${committedUnacked} of the unacknowledged commands had committed before the kill`);

    // Restart with the same environment and the same ports.
    const [host, grpcPort] = [new URL(inspection.httpUrl).port, inspection.grpcAddress.split(':').at(-1)!];
    procs.inspection = await startService('inspection', { ...inspection.env, HTTP_PORT: host, GRPC_PORT: grpcPort });
    // Retry every unacknowledged command with its key, in order per rectification.
    const byRect = new Map<string, number[]>();
    for (const [r, i] of unacked) byRect.set(r, [...(byRect.get(r) ?? []), i]);
    const retryFailures: string[] = [];
    await Promise.all(
      [...byRect].map(async ([r, steps]) => {
        for (const i of steps.sort((a, b) => a - b)) {
          const res = await progress(r, i);
          if (res.status === 200) acked.set(burstKey(r, i), res.body.step);
          else retryFailures.push(`${burstKey(r, i)}: ${res.status} ${JSON.stringify(res.body)}`);
        }
      }),
    );
    assert.deepEqual(retryFailures, [], tail(procs.inspection));
    assert.equal(acked.size, BURST_RECTIFICATIONS * BURST_STEPS);

    // The event store: every command's events exactly once, nothing else.
    const storeCounts = new Map<string, number>();
    for (const r of rects) {
      const keys = new Map<string, number>();
      const ids = new Set<string>();
      const steps: number[] = [];
      for await (const e of store!.readStream(`rectification-${r}`)) {
        assert.ok(!ids.has(e.id), `event ${e.id} twice in rectification-${r}`);
        ids.add(e.id);
        if (e.type !== 'RectificationProgressReported') continue;
        const cause = String(e.metadata.causationId);
        keys.set(cause, (keys.get(cause) ?? 0) + 1);
        steps.push(Number((e.data as Any).step ?? steps.length + 1));
      }
      const ours = Array.from({ length: BURST_STEPS }, (_, i) => burstKey(r, i));
      assert.deepEqual(
        ours.filter((k) => keys.get(k) !== 1).map((k) => [k, keys.get(k) ?? 0]),
        [],
        `rectification-${r}: every acknowledged command's event exactly once`,
      );
      assert.equal(keys.size, BURST_STEPS, `rectification-${r}: no progress event without a command of the burst`);
      storeCounts.set(r, keys.size);
      // The step the service acknowledged is the step the store holds.
      const answered = ours.map((k) => acked.get(k));
      assert.deepEqual(
        [...answered].sort((a, b) => a! - b!),
        Array.from({ length: BURST_STEPS }, (_, i) => i + 1),
      );
    }

    // Read models: caught up with the store, then the same answers after a rebuild from zero.
    const queries = [
      ...rects.flatMap((r) => [`/rectifications/${r}`, `/rectifications/${r}/steps`]),
      '/rectifications/r1',
      '/rectifications/r1/steps',
      `/rectifications?unitId=${u2}`,
      '/rectifications-counts?by=severity',
      '/findings',
      '/inspections/i1',
      `/units/${u1}/scores`,
    ];
    const ask = async () => {
      const out: unknown[] = [];
      for (const q of queries) out.push(await ok('inspection', 'GET', q, 'office'));
      return out;
    };
    await waitFor(
      'inspection read models to catch up after the restart',
      async () => {
        for (const r of rects) {
          const res = await http('inspection', 'GET', `/rectifications/${r}`, 'office');
          if (res.status !== 200 || res.body.rectification.progressSteps !== storeCounts.get(r)) return undefined;
          const steps = await http('inspection', 'GET', `/rectifications/${r}/steps`, 'office');
          const reported = steps.body?.steps?.filter((s: Any) => s.type === 'RectificationProgressReported').length;
          if (steps.status !== 200 || reported !== storeCounts.get(r)) return undefined;
        }
        return true;
      },
      60_000,
      500,
    );
    const beforeRebuild = await ask();
    // The campaign's catalog inspection keeps from plan-submission's topic (no query shows it).
    const catalog = async () => {
      const client = new MongoClient(MONGODB_URL!, { serverSelectionTimeoutMS: 30_000 });
      try {
        return await client
          .db(common().MONGODB_DATABASE)
          .collection('inspection.catalogs')
          .findOne({ _id: campaignId as Any });
      } finally {
        await client.close();
      }
    };
    const catalogBefore = await catalog();
    assert.ok(catalogBefore?.doc?.criteria?.length > 0, `no catalog for ${campaignId}: ${JSON.stringify(catalogBefore)}`);
    const restarted = procs.inspection;
    await stopService(restarted);
    const rebuilt = await runCli(['projections', 'rebuild', 'all'], restarted.env, 150_000);
    assert.equal(rebuilt.code, 0, `wenming projections rebuild all:\n${rebuilt.stdout}\n${rebuilt.stderr}`);
    console.log(`# ${rebuilt.stdout.trim().split('\n').join('\n# ')}`);
    // The catalogs were replayed from Kafka under a fresh consumer group, to the same document.
    assert.match(rebuilt.stdout, /inspection\.catalogs\s+\d+\s+group inspection\.catalogs\.[0-9a-f]{8}/);
    assert.deepEqual(await catalog(), catalogBefore);
    procs.inspection = await startService('inspection', restarted.env);
    const afterRebuild = await ask();
    for (const [i, answer] of afterRebuild.entries()) {
      assert.deepEqual(answer, beforeRebuild[i], `query ${queries[i]}: the live read model differs from the rebuilt one`);
    }
    assert.equal(afterRebuild.length, beforeRebuild.length);
  });

  it("plan-submission's read models (and the relay's process) converge to a rebuild too", async () => {
    const queries = [
      `/campaigns/${campaignId}`,
      `/plans?campaignId=${campaignId}`,
      `/plans/p-${u1}`,
      `/plans/p-${u2}`,
      '/units',
      '/review-queue',
      `/overdue/tasks?asOf=2025-07-01&campaignId=${campaignId}`,
      '/monthly-reports',
    ];
    const ask = async () => {
      const out: unknown[] = [];
      for (const q of queries) out.push(await ok('plan-submission', 'GET', q, 'office'));
      return out;
    };
    const beforeRebuild = await ask();
    const ps = procs['plan-submission']!;
    await stopService(ps);
    const rebuilt = await runCli(['projections', 'rebuild', 'all'], ps.env, 120_000);
    assert.equal(rebuilt.code, 0, `wenming projections rebuild all:\n${rebuilt.stdout}\n${rebuilt.stderr}`);
    procs['plan-submission'] = await startService('plan-submission', { ...ps.env, HTTP_PORT: new URL(ps.httpUrl).port });
    const afterRebuild = await ask();
    for (const [i, answer] of afterRebuild.entries()) {
      assert.deepEqual(answer, beforeRebuild[i], `query ${queries[i]}: the live read model differs from the rebuilt one`);
    }
  });

  it("the deployment's topics and consumer groups live under its KAFKA_NAMESPACE on the broker", async () => {
    const admin = new Kafka({ brokers: KAFKA_BROKERS!.split(','), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const topics = await admin.listTopics();
      for (const context of ['plansubmission', 'inspection', 'lookback']) {
        assert.ok(topics.includes(`sys-${tag}.wenming.${context}.events.v1`), `no sys-${tag}.wenming.${context}.events.v1 in ${topics}`);
      }
      const offsets = await admin.fetchTopicOffsets(`sys-${tag}.wenming.inspection.events.v1`);
      assert.ok(offsets.reduce((n, p) => n + Number(p.high), 0) >= 1_000, 'the burst went through the namespaced topic');
      const groups = (await admin.listGroups()).groups.map((g) => g.groupId);
      assert.ok(
        groups.some((g) => g.startsWith(`sys-${tag}.inspection.catalogs.`)),
        `no sys-${tag}.inspection.catalogs.* group in ${groups}`,
      );
    } finally {
      await admin.disconnect();
    }
  });
});
