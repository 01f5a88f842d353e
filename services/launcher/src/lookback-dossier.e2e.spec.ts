// The look-back's integrity and dossier calls over gRPC, through a real grpc-js
// client against one embedded platform: an auditor exports a unit's dossier with its
// files inline and a second auditor re-checks them offline with the same verifier as
// `wenming dossier --verify`; StreamDossier gives the same bytes in chunks; the export
// and an integrity check are recorded (the audit trail) and read back with who and
// when; a unit user is refused every one of these calls.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { roleToJSON } from '@wenming/contracts/wenming/common/v1/common.js';
import * as lb from '@wenming/contracts/wenming/lookback/v1/lookback_service.js';
import { LookbackServiceClient } from '@wenming/contracts/wenming/lookback/v1/lookback_service.js';
import { verifyDossier } from '@wenming/lookback';
import type { PlanSubmissionModule } from '@wenming/plan-submission';
import { COMPLETE_PLAN } from '@wenming/plan-submission/test-data';
import { loadConfig, type Role as PrincipalRole } from '@wenming/service-kit';
import { type RunningPlatform, startPlatform } from './platform.js';
import { bearer, collect, signToken, unaryCall } from './test-fixtures/e2e-calls.js';

const dir = mkdtempSync(join(tmpdir(), 'wenming-lookback-dossier-'));
const config = loadConfig({
  WENMING_DATA_DIR: join(dir, 'data'),
  HTTP_PORT: '0',
  GRPC_PORT: '0',
  LOG_LEVEL: 'silent',
  WENMING_SERVICES: 'plan-submission,inspection,lookback',
});
let platform: RunningPlatform;
let lookback: LookbackServiceClient;
const tok: Record<string, string> = {};
let n = 0;
const k = () => `dossier-key-${++n}`;
const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

const token = (roles: PrincipalRole[], units: string[] = [], sub?: string) => signToken(config, roles, units, sub);

async function ps(path: string, who: string, body: unknown = {}) {
  const res = await fetch(`${platform.httpUrl}/api/plan-submission${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tok[who]}`, 'content-type': 'application/json', 'idempotency-key': k() },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 200, await res.text());
}

const md = (who: string) => bearer(tok[who]);
const unary = <Res>(method: string, who: string, req: object) => unaryCall<Res>(lookback, method, md(who), req);
const streamDossier = (who: string, req: Partial<lb.StreamDossierRequest>) =>
  collect(lookback.streamDossier(lb.StreamDossierRequest.fromPartial(req), md(who)));

before(async () => {
  platform = await startPlatform(config);
  lookback = new LookbackServiceClient(platform.grpcAddress, grpc.credentials.createInsecure());
  tok.office = await token(['office'], [], 'office-1');
  tok.admin = await token(['admin']);
  tok.auditor = await token(['auditor'], [], 'auditor-1');
  tok.auditor2 = await token(['auditor'], [], 'auditor-2');
  tok.u1 = await token(['unit'], ['u1'], 'clerk-u1');
  await ps('/campaigns', 'office', {
    campaignId: 'c1',
    title: '创建六型机关',
    period: { startDate: '2025-01-01', endDate: '2027-12-31' },
    phases: [{ phase: 'CAMPAIGN_PHASE_MOBILIZATION', dates: { startDate: '2025-01-01', endDate: '2027-12-31' } }],
    template: 'six-types',
  });
  await ps('/units', 'admin', { unitId: 'u1', name: '市行政审批服务中心', kind: 'UNIT_KIND_CITY' });
  await ps('/campaigns/c1/enrol', 'office', { unitIds: ['u1'] });
  await ps('/plans', 'u1', { planId: 'p1', campaignId: 'c1', unitId: 'u1', content: COMPLETE_PLAN });
  await ps('/plans/p1/submit', 'u1');
  await ps('/plans/p1/approve', 'office');
  await (platform.modules.find((m) => m.name === 'plan-submission') as PlanSubmissionModule).caughtUp();
});

after(async () => {
  lookback?.close();
  await platform?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('look-back dossier and integrity over gRPC', () => {
  let exported: lb.ExportDossierResponse;

  it('exports a dossier with its files inline, which a second auditor verifies offline', async () => {
    exported = await unary<lb.ExportDossierResponse>(
      'exportDossier',
      'auditor',
      lb.ExportDossierRequest.fromPartial({ idempotencyKey: 'x-1', unitId: 'u1' }),
    );
    assert.deepEqual(
      exported.files.map((f) => f.name),
      ['events.json', 'report.html', 'manifest.json', 'VERIFY.txt'],
    );
    for (const f of exported.files) assert.equal(f.sha256, sha(f.content), f.name);
    const e = exported.export!;
    assert.match(e.exportId, /^dx-/);
    assert.equal(e.unitId, 'u1');
    assert.ok(e.eventCount >= 3, `only ${e.eventCount} events`);
    assert.equal(e.sha256, sha(exported.files.find((f) => f.name === 'manifest.json')!.content));
    assert.equal(
      e.sizeBytes,
      exported.files.reduce((s, f) => s + f.content.length, 0),
    );
    assert.equal(exported.result!.streamId, `dossierexport-${e.exportId}`);
    assert.equal(exported.result!.deduplicated, false);

    // Offline: the files on disk, the verifier of `wenming dossier --verify`.
    const out = join(dir, 'dossier');
    mkdirSync(out);
    for (const f of exported.files) writeFileSync(join(out, f.name), f.content);
    const read = (name: string) => readFileSync(join(out, name), 'utf8');
    const check = verifyDossier({ eventsJson: read('events.json'), manifestJson: read('manifest.json'), reportHtml: read('report.html') });
    assert.equal(check.ok, true, JSON.stringify(check.problems));
    assert.equal(check.eventsChecked, Number(e.eventCount));
    const manifest = JSON.parse(read('manifest.json'));
    assert.equal(manifest.asOf, e.asOf!.toISOString());
    assert.equal(manifest.asOfPosition, Number(e.asOfPosition));
    assert.deepEqual(
      e.heads.map((h) => [h.streamId, Number(h.revision), h.hash]),
      manifest.streams.map((s: { streamId: string; lastRevision: number; lastHash: string }) => [s.streamId, s.lastRevision, s.lastHash]),
    );

    // An edited event is named by the offline check.
    const events = JSON.parse(read('events.json'));
    events[1].data = { ...events[1].data, edited: true };
    const tampered = verifyDossier({ eventsJson: `${JSON.stringify(events, null, 2)}\n`, manifestJson: read('manifest.json') });
    assert.equal(tampered.ok, false);
    assert.equal(tampered.firstBrokenEvent?.eventId, events[1].id);
  });

  it('answers a repeated key with the first export, rebuilt as recorded, though the unit moved on', async () => {
    await ps('/plans/p1/amend', 'u1', { content: COMPLETE_PLAN }).catch(() => undefined);
    const again = await unary<lb.ExportDossierResponse>(
      'exportDossier',
      'auditor',
      lb.ExportDossierRequest.fromPartial({ idempotencyKey: 'x-1', unitId: 'u1' }),
    );
    assert.equal(again.result!.deduplicated, true);
    assert.deepEqual(again.export, exported.export);
    assert.deepEqual(
      again.files.map((f) => f.sha256),
      exported.files.map((f) => f.sha256),
    );
  });

  it('StreamDossier reassembles to the same files, in small chunks and resumed mid-file', async () => {
    const exportId = exported.export!.exportId;
    const chunks = await streamDossier('auditor2', { exportId, chunkSize: 1000 });
    assert.ok(chunks.length > 4, 'several chunks');
    const files = new Map<string, Buffer[]>();
    for (const c of chunks) {
      const parts = files.get(c.fileName) ?? [];
      assert.equal(
        Number(c.offset),
        parts.reduce((s, p) => s + p.length, 0),
        `${c.fileName} chunk in order`,
      );
      parts.push(Buffer.from(c.chunk));
      files.set(c.fileName, parts);
      if (c.last) assert.equal(c.sha256, sha(Buffer.concat(parts)), c.fileName);
    }
    for (const f of exported.files) assert.ok(Buffer.concat(files.get(f.name) ?? []).equals(Buffer.from(f.content)), f.name);
    assert.equal(chunks.filter((c) => c.last).length, 4);

    const events = Buffer.from(exported.files[0]!.content);
    const tail = await streamDossier('auditor', { exportId, fileName: 'events.json', offset: 100, chunkSize: 4096 });
    assert.ok(Buffer.concat(tail.map((c) => Buffer.from(c.chunk))).equals(events.subarray(100)));
    assert.equal(tail.at(-1)!.sha256, sha(events));

    await assert.rejects(streamDossier('auditor', { exportId: 'dx-nope' }), { code: grpc.status.NOT_FOUND });
    await assert.rejects(streamDossier('auditor', { exportId, offset: 5 }), { code: grpc.status.INVALID_ARGUMENT });
  });

  it('ListDossierExports returns the recorded export with who exported it and when', async () => {
    const second = await unary<lb.ExportDossierResponse>(
      'exportDossier',
      'office',
      lb.ExportDossierRequest.fromPartial({
        idempotencyKey: 'x-2',
        unitId: 'u1',
        asOf: exported.export!.asOf,
      }),
    );
    // Same instant, same events: the same dossier, another export.
    assert.notEqual(second.export!.exportId, exported.export!.exportId);
    assert.equal(second.export!.sha256, exported.export!.sha256);
    const list = await unary<lb.ListDossierExportsResponse>(
      'listDossierExports',
      'auditor2',
      lb.ListDossierExportsRequest.fromPartial({ unitId: 'u1' }),
    );
    assert.deepEqual(
      list.exports.map((r) => [r.export!.exportId, r.exportedBy!.id, roleToJSON(r.exportedBy!.role)]),
      [
        [second.export!.exportId, 'office-1', 'ROLE_OFFICE'],
        [exported.export!.exportId, 'auditor-1', 'ROLE_AUDITOR'],
      ],
    );
    assert.deepEqual(list.exports[1]!.export, exported.export);
    assert.ok(list.exports[1]!.exportedAt instanceof Date);
    const paged = await unary<lb.ListDossierExportsResponse>(
      'listDossierExports',
      'admin',
      lb.ListDossierExportsRequest.fromPartial({ page: { pageSize: 1, pageToken: '' } }),
    );
    assert.equal(paged.exports.length, 1);
    assert.equal(paged.page!.nextPageToken, '1');
    // The export is in the unit's own history.
    const timeline = await unary<lb.GetUnitTimelineResponse>(
      'getUnitTimeline',
      'auditor',
      lb.GetUnitTimelineRequest.fromPartial({ filter: { unitId: 'u1' } }),
    );
    assert.ok(timeline.entries.some((t) => t.event!.type === 'DossierExported'));
  });

  it('VerifyIntegrity records the check, and GetIntegrityCheck returns it with who and when', async () => {
    const v = await unary<lb.VerifyIntegrityResponse>(
      'verifyIntegrity',
      'auditor',
      lb.VerifyIntegrityRequest.fromPartial({ idempotencyKey: 'ic-1', scope: { scope: { $case: 'unitId', value: 'u1' } } }),
    );
    assert.equal(v.check!.intact, true);
    assert.ok(Number(v.check!.eventsChecked) > 0);
    assert.match(v.check!.checkId, /^ic-/);
    assert.equal(v.result!.streamId, `integritycheck-${v.check!.checkId}`);
    const got = await unary<lb.GetIntegrityCheckResponse>(
      'getIntegrityCheck',
      'office',
      lb.GetIntegrityCheckRequest.fromPartial({ checkId: v.check!.checkId }),
    );
    assert.deepEqual(got.check, v.check);
    assert.equal(got.checkedBy!.id, 'auditor-1');
    assert.equal(roleToJSON(got.checkedBy!.role), 'ROLE_AUDITOR');
    assert.ok(got.checkedAt instanceof Date);
    const byStream = await unary<lb.VerifyIntegrityResponse>(
      'verifyIntegrity',
      'auditor',
      lb.VerifyIntegrityRequest.fromPartial({
        idempotencyKey: 'ic-2',
        scope: { scope: { $case: 'streamId', value: 'plan-p1' } },
      }),
    );
    assert.equal(byStream.check!.streamsChecked, 1);
    await assert.rejects(unary('getIntegrityCheck', 'auditor', lb.GetIntegrityCheckRequest.fromPartial({ checkId: 'ic-nope' })), {
      code: grpc.status.NOT_FOUND,
    });
  });

  it('refuses a unit user every integrity and dossier call, even for its own unit', async () => {
    const denied = { code: grpc.status.PERMISSION_DENIED };
    await assert.rejects(
      unary('exportDossier', 'u1', lb.ExportDossierRequest.fromPartial({ idempotencyKey: 'u-1', unitId: 'u1' })),
      denied,
    );
    await assert.rejects(unary('listDossierExports', 'u1', lb.ListDossierExportsRequest.fromPartial({ unitId: 'u1' })), denied);
    await assert.rejects(
      unary(
        'verifyIntegrity',
        'u1',
        lb.VerifyIntegrityRequest.fromPartial({ idempotencyKey: 'u-2', scope: { scope: { $case: 'unitId', value: 'u1' } } }),
      ),
      denied,
    );
    await assert.rejects(unary('getIntegrityCheck', 'u1', lb.GetIntegrityCheckRequest.fromPartial({ checkId: 'ic-x' })), denied);
    await assert.rejects(streamDossier('u1', { exportId: exported.export!.exportId }), denied);
  });
});
