// The look-back's integrity and dossier calls over gRPC, through a real grpc-js
// client against one embedded platform: an auditor exports a unit's dossier with its
// files inline and a second auditor re-checks them offline with the same verifier as
// `wenming dossier --verify`; StreamDossier gives the same bytes in chunks; the export
// and an integrity check are recorded (the audit trail) and read back with who and
// when; a unit user is refused every one of these calls. The same calls over HTTP
// leave the same trace: an auditor's check or export is recorded whichever edge it used.
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
import { bearer, collect, enrolU1InCampaignC1, httpJson, type Json, signToken, unaryCall } from './test-fixtures/e2e-calls.js';

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
/** An HTTP call under /api/lookback; a POST carries `key` as its Idempotency-Key (none when undefined). */
const api = (method: 'GET' | 'POST', path: string, who: string, body?: unknown, key?: string) =>
  httpJson(`${platform.httpUrl}/api/lookback${path}`, method, tok[who], body, key);
async function ok(p: Promise<{ status: number; body: Json }>): Promise<Json> {
  const r = await p;
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}
/** The events of one stream, straight from the store. */
async function streamEvents(streamId: string) {
  const out = [];
  for await (const e of platform.store.readStream(streamId)) out.push(e);
  return out;
}
/** Every event of the log, counted: a refused call appends nothing. */
async function logLength() {
  let count = 0;
  for await (const _ of platform.store.readAll()) count++;
  return count;
}
/** The unit's timeline over HTTP, entries of one type. */
const timelineOf = async (unitId: string, type: string): Promise<Json[]> =>
  (await ok(api('GET', `/units/${unitId}/timeline?type=${type}&limit=500`, 'auditor'))).entries;

before(async () => {
  platform = await startPlatform(config);
  lookback = new LookbackServiceClient(platform.grpcAddress, grpc.credentials.createInsecure());
  tok.office = await token(['office'], [], 'office-1');
  tok.admin = await token(['admin']);
  tok.auditor = await token(['auditor'], [], 'auditor-1');
  tok.auditor2 = await token(['auditor'], [], 'auditor-2');
  tok.u1 = await token(['unit'], ['u1'], 'clerk-u1');
  await enrolU1InCampaignC1(ps);
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

describe('the same audit trail over HTTP', () => {
  let check: Json;
  let exportedOverHttp: Json;

  it("records an integrity check, readable by its id and in the unit's timeline", async () => {
    check = await ok(api('POST', '/integrity-checks', 'auditor', { scope: { unitId: 'u1' } }, 'http-ic-1'));
    const { result, record } = check;
    assert.match(record.data.checkId, /^ic-/);
    assert.equal(record.data.intact, true, JSON.stringify(record.data));
    assert.deepEqual(record.data.scope, { unitId: 'u1' });
    assert.ok(record.data.streamsChecked >= 3 && record.data.eventsChecked > 0, JSON.stringify(record.data));
    assert.deepEqual(record.data.brokenStreamIds, []);
    assert.equal(result.deduplicated, false);
    assert.equal(result.streamId, `integritycheck-${record.data.checkId}`);
    assert.equal(record.streamId, result.streamId);
    assert.deepEqual(result.eventIds, [record.eventId]);
    assert.deepEqual(record.actor, { id: 'auditor-1', role: 'auditor' });
    assert.ok(!Number.isNaN(Date.parse(record.recordedAt)));

    const got = await ok(api('GET', `/integrity-checks/${record.data.checkId}`, 'office'));
    assert.deepEqual(got, { record });

    const inTimeline = (await timelineOf('u1', 'IntegrityChecked')).filter((e) => e.streamId === record.streamId);
    assert.deepEqual(
      inTimeline.map((e) => [e.id, e.type, e.actor?.id]),
      [[record.eventId, 'IntegrityChecked', 'auditor-1']],
    );

    // The check of one stream is recorded too.
    const byStream = await ok(api('POST', '/integrity-checks', 'auditor', { scope: { streamId: 'plan-p1' } }, 'http-ic-2'));
    assert.deepEqual(byStream.record.data.scope, { streamId: 'plan-p1' });
    assert.equal(byStream.record.data.streamsChecked, 1);
    assert.equal(byStream.record.data.intact, true);
    assert.equal((await streamEvents(byStream.result.streamId)).length, 1);
  });

  it('answers the same Idempotency-Key with the same record and appends nothing', async () => {
    const before = await logLength();
    const again = await ok(api('POST', '/integrity-checks', 'auditor', { scope: { unitId: 'u1' } }, 'http-ic-1'));
    assert.equal(again.result.deduplicated, true);
    assert.deepEqual(again.record, check.record);
    assert.deepEqual(again.result.eventIds, check.result.eventIds);
    assert.equal(await logLength(), before);
    assert.deepEqual(
      (await streamEvents(check.result.streamId)).map((e) => e.type),
      ['IntegrityChecked'],
    );
    assert.equal((await timelineOf('u1', 'IntegrityChecked')).filter((e) => e.streamId === check.record.streamId).length, 1);
    // Both edges name a check the same way: the gRPC call with that key is the same check.
    const overGrpc = await unary<lb.VerifyIntegrityResponse>(
      'verifyIntegrity',
      'auditor',
      lb.VerifyIntegrityRequest.fromPartial({ idempotencyKey: 'http-ic-1', scope: { scope: { $case: 'unitId', value: 'u1' } } }),
    );
    assert.equal(overGrpc.result!.deduplicated, true);
    assert.equal(overGrpc.check!.checkId, check.record.data.checkId);
    assert.equal(await logLength(), before);
  });

  it('exports a dossier with its files inline; the export is listed and its files fetched by id are the same', async () => {
    exportedOverHttp = await ok(api('POST', '/dossier-exports', 'auditor2', { unitId: 'u1' }, 'http-dx-1'));
    const { result, record, files, manifest } = exportedOverHttp;
    assert.deepEqual(Object.keys(files).sort(), ['VERIFY.txt', 'events.json', 'manifest.json', 'report.html']);
    assert.match(record.data.exportId, /^dx-/);
    assert.equal(record.data.unitId, 'u1');
    assert.equal(record.data.sha256, sha(files['manifest.json']));
    assert.equal(
      record.data.sizeBytes,
      Object.values(files as Record<string, string>).reduce((n, f) => n + Buffer.byteLength(f), 0),
    );
    assert.deepEqual(manifest, JSON.parse(files['manifest.json']));
    assert.equal(manifest.asOf, record.data.asOf);
    assert.deepEqual(record.actor, { id: 'auditor-2', role: 'auditor' });
    assert.equal(result.deduplicated, false);
    assert.equal(result.streamId, `dossierexport-${record.data.exportId}`);
    const offline = verifyDossier({
      eventsJson: files['events.json'],
      manifestJson: files['manifest.json'],
      reportHtml: files['report.html'],
    });
    assert.equal(offline.ok, true, JSON.stringify(offline.problems));
    assert.match(files['VERIFY.txt'], /POST \/api\/lookback\/integrity-checks \{"scope": \{"unitId": "u1"\}\}/);
    // The integrity checks recorded just before are in the unit's history, so in its dossier.
    assert.ok(files['events.json'].includes(check.record.eventId));

    // Newest first, with who exported it.
    const list = await ok(api('GET', '/dossier-exports?unitId=u1', 'office'));
    assert.deepEqual(list.exports[0], record);
    assert.equal(list.nextPageToken, undefined);
    assert.ok(list.exports.length >= 3, 'and the exports made over gRPC');
    const first = await ok(api('GET', '/dossier-exports?unitId=u1&pageSize=1', 'admin'));
    assert.deepEqual(
      first.exports.map((r: Json) => r.data.exportId),
      [record.data.exportId],
    );
    assert.equal(first.nextPageToken, '1');
    const second = await ok(api('GET', `/dossier-exports?unitId=u1&pageSize=1&pageToken=${first.nextPageToken}`, 'admin'));
    assert.deepEqual(second.exports, [list.exports[1]]);

    const fetched = await ok(api('GET', `/dossier-exports/${record.data.exportId}`, 'auditor'));
    assert.deepEqual(fetched.record, record);
    assert.deepEqual(fetched.files, files);
    // Over gRPC, the same export streams the same bytes.
    const chunks = await streamDossier('auditor', { exportId: record.data.exportId, fileName: 'manifest.json' });
    assert.equal(Buffer.concat(chunks.map((c) => Buffer.from(c.chunk))).toString('utf8'), files['manifest.json']);
  });

  it('answers a repeated export key with the first export, appending nothing', async () => {
    const before = await logLength();
    const again = await ok(api('POST', '/dossier-exports', 'auditor2', { unitId: 'u1' }, 'http-dx-1'));
    assert.equal(again.result.deduplicated, true);
    assert.deepEqual(again.record, exportedOverHttp.record);
    assert.deepEqual(again.files, exportedOverHttp.files);
    assert.equal(await logLength(), before);
    assert.equal((await streamEvents(exportedOverHttp.result.streamId)).length, 1);
  });

  it('refuses a request without Idempotency-Key, a bad scope, an unknown check or export', async () => {
    for (const [path, body] of [
      ['/integrity-checks', { scope: { unitId: 'u1' } }],
      ['/dossier-exports', { unitId: 'u1' }],
    ] as const) {
      const res = await api('POST', path, 'auditor', body);
      assert.equal(res.status, 400, path);
      assert.equal(res.body.code, 'INVALID_ARGUMENT');
      assert.equal(res.body.field, 'idempotency-key', path);
      assert.match(res.body.message, /idempotency-key/);
    }
    for (const [i, body] of [{ scope: {} }, {}, { scope: { unitId: 'u1', streamId: 'plan-p1' } }].entries()) {
      const res = await api('POST', '/integrity-checks', 'auditor', body, `bad-scope-${i}`);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.field, 'scope', JSON.stringify(res.body));
      assert.match(res.body.message, /scope/);
    }
    const unknownCheck = await api('GET', '/integrity-checks/ic-nope', 'auditor');
    assert.equal(unknownCheck.status, 404);
    assert.equal(unknownCheck.body.code, 'NOT_FOUND');
    assert.equal((await api('GET', '/dossier-exports/dx-nope', 'auditor')).status, 404);
    // The unrecorded routes are gone.
    assert.equal((await api('GET', '/units/u1/integrity', 'auditor')).status, 404);
    assert.equal((await api('POST', '/units/u1/dossier', 'auditor', {})).status, 404);
  });

  it('refuses a unit user every route, even for its own unit, and records nothing', async () => {
    const before = await logLength();
    const calls = [
      api('POST', '/integrity-checks', 'u1', { scope: { unitId: 'u1' } }, 'u-http-1'),
      api('GET', `/integrity-checks/${check.record.data.checkId}`, 'u1'),
      api('POST', '/dossier-exports', 'u1', { unitId: 'u1' }, 'u-http-2'),
      api('GET', '/dossier-exports?unitId=u1', 'u1'),
      api('GET', `/dossier-exports/${exportedOverHttp.record.data.exportId}`, 'u1'),
    ];
    for (const res of await Promise.all(calls)) {
      assert.equal(res.status, 403, JSON.stringify(res.body));
      assert.equal(res.body.code, 'PERMISSION_DENIED');
    }
    assert.equal(await logLength(), before);
  });
});
