// HTTP and gRPC give the same shapes (issue 13, item 7). The demo city is loaded
// through the public API (rectifications in every state); then, for every unit,
// look-back's HTTP state (now and as of an instant) and diff answer exactly the proto3
// JSON of gRPC's GetUnitStateAsOfResponse and DiffUnitStateResponse (the client's
// toJSON), with the statuses by their proto names. And a query-string enum may be
// its number, as proto3 JSON allows: `?status=2` answers what `?status=<NAME>` does.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import * as lb from '@wenming/contracts/wenming/lookback/v1/lookback_service.js';
import { loadConfig } from '@wenming/service-kit';
import { type RunningPlatform, startPlatform } from './platform.js';
import { bearer, httpJson, type Json, loadDemoCity, signToken, unaryCall } from './test-fixtures/e2e-calls.js';

const dir = mkdtempSync(join(tmpdir(), 'wenming-shapes-'));
let platform: RunningPlatform;
let token: string;
let client: lb.LookbackServiceClient;
let loadedAt: string;
const UNITS = [
  'city',
  'tax',
  'land',
  'approval',
  'civil',
  'housing',
  'health',
  'tax-window-1',
  'approval-window-3',
  'approval-office',
  'civil-marriage',
  'land-registry',
  'housing-window',
];

before(async () => {
  await loadDemoCity(dir);
  loadedAt = new Date().toISOString();
  const config = loadConfig({ WENMING_DATA_DIR: dir, HTTP_PORT: '0', GRPC_PORT: '0', LOG_LEVEL: 'silent' });
  platform = await startPlatform(config);
  token = await signToken(config, ['office', 'auditor', 'admin'], [], 'shapes-reader');
  client = new lb.LookbackServiceClient(platform.grpcAddress, grpc.credentials.createInsecure());
});
after(async () => {
  client?.close();
  await platform?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function get(path: string): Promise<Json> {
  const res = await httpJson(`${platform.httpUrl}${path}`, 'GET', token);
  assert.equal(res.status, 200, `${path}: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** An instant halfway through the unit's history (recorded time), so the diff has a before and an after. */
async function midpoint(unitId: string): Promise<string> {
  const page = await get(`/api/lookback/units/${unitId}/timeline?limit=500`);
  const times = (page.entries as Json[]).map((e) => e.recordedAt as string);
  return times[Math.floor(times.length / 2)] ?? loadedAt;
}

describe('look-back state and diff: HTTP answers the proto3 JSON of gRPC', () => {
  it('state (now and as of an instant) and diff deep-equal the gRPC replies for every demo unit', async () => {
    const statuses = new Set<string>();
    for (const unitId of UNITS) {
      const mid = await midpoint(unitId);
      for (const asOf of [undefined, mid]) {
        const res = await unaryCall<lb.GetUnitStateAsOfResponse>(
          client,
          'getUnitStateAsOf',
          bearer(token),
          lb.GetUnitStateAsOfRequest.fromPartial({ unitId, ...(asOf ? { asOf: new Date(asOf) } : {}) }),
        );
        const grpcJson = lb.GetUnitStateAsOfResponse.toJSON(res) as Json;
        const httpBody = await get(`/api/lookback/units/${unitId}/state${asOf ? `?asOf=${encodeURIComponent(asOf)}` : ''}`);
        assert.deepEqual(httpBody, grpcJson, `state of ${unitId} as of ${asOf ?? 'now'}`);
        for (const r of (httpBody.state?.rectifications ?? []) as Json[]) statuses.add(r.status);
      }
      for (const [from, to] of [
        ['2000-01-01T00:00:00Z', loadedAt],
        [mid, loadedAt],
      ]) {
        const res = await unaryCall<lb.DiffUnitStateResponse>(
          client,
          'diffUnitState',
          bearer(token),
          lb.DiffUnitStateRequest.fromPartial({ unitId, from: new Date(from!), to: new Date(to!) }),
        );
        const grpcJson = lb.DiffUnitStateResponse.toJSON(res) as Json;
        const httpBody = await get(`/api/lookback/units/${unitId}/diff?from=${encodeURIComponent(from!)}&to=${encodeURIComponent(to!)}`);
        assert.deepEqual(httpBody, grpcJson, `diff of ${unitId} from ${from} to ${to}`);
        // A change's statuses are the snapshot's: the proto's names, not the fold's lowercase words.
        for (const c of (httpBody.changes ?? []) as Json[]) {
          if (/^rectifications\[[^\]]*\]\.status$/.test(c.path)) {
            for (const v of [c.before, c.after]) if (v !== null) assert.match(String(v), /^RECTIFICATION_STATUS_/, JSON.stringify(c));
          }
        }
      }
    }
    // The demo city's units hold rectifications in several states, every one by its proto name.
    assert.ok(statuses.size >= 4, [...statuses].join(', '));
    for (const s of statuses) assert.match(s, /^RECTIFICATION_STATUS_[A-Z_]+$/);
  });

  it('a query-string enum by number means what its name means (plan-submission ListPlans ?status=)', async () => {
    const byName = await get('/api/plan-submission/plans?status=PLAN_STATUS_APPROVED');
    assert.ok((byName.plans as Json[]).length > 0, 'the demo city has approved plans');
    const byNumber = await get('/api/plan-submission/plans?status=4');
    assert.deepEqual(byNumber, byName);
  });
});
