// `wenming demo` loads the demo city through the public API; running it twice
// changes nothing (every command has a fixed idempotency key). The inspection API
// then answers with inspections of four kinds, findings with evidence, scores within
// their maximum, and a rectification in every state of the lifecycle.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SqliteEventStore } from '@wenming/eventstore';
import { hs256Secret, loadConfig, signHs256Token } from '@wenming/service-kit';
import { startPlatform } from '../platform.js';
import { loadDemoCity } from '../test-fixtures/e2e-calls.js';

// biome-ignore lint/suspicious/noExplicitAny: JSON answers are checked field by field
type Any = any;

const dir = mkdtempSync(join(tmpdir(), 'wenming-demo-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function runDemo(): Promise<string> {
  return loadDemoCity(dir);
}

async function eventCount(): Promise<number> {
  const store = new SqliteEventStore({ path: join(dir, 'events.db') });
  let n = 0;
  for await (const _ of store.readAll()) n++;
  await store.close();
  return n;
}

describe('wenming demo', () => {
  it('loads a campaign, 13 units, plans and rectifications in every state, and a second run appends nothing', async () => {
    const printed = await runDemo();
    assert.match(printed, /campaign demo-2026/);
    assert.match(printed, /rectifications by state: ordered 1, acknowledged 1,/);
    const first = await eventCount();
    assert.ok(first > 50, `${first} events`);
    await runDemo();
    assert.equal(await eventCount(), first);

    const config = loadConfig({ WENMING_DATA_DIR: dir, HTTP_PORT: '0', GRPC_PORT: '0', LOG_LEVEL: 'silent' });
    const platform = await startPlatform(config);
    try {
      if (config.auth.mode !== 'hs256') throw new Error('embedded only');
      const token = await signHs256Token({ sub: 'auditor', roles: ['auditor'], units: [], ttlSec: 60 }, hs256Secret(config.auth));
      const module = platform.modules.find((m) => m.name === 'plan-submission') as unknown as { caughtUp(): Promise<void> };
      await module.caughtUp();
      const get = async (path: string): Promise<Any> => {
        const res = await fetch(`${platform.httpUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
        assert.equal(res.status, 200, `${path}: ${res.status}`);
        return res.json();
      };
      const body = (await get('/api/plan-submission/plans?campaignId=demo-2026')) as { plans: Array<{ status: string }> };
      const statuses = new Set(body.plans.map((p) => p.status));
      assert.equal(body.plans.length, 12);
      for (const status of ['DRAFT', 'SUBMITTED', 'RETURNED', 'REVISED', 'APPROVED', 'AMENDMENT_UNDER_REVIEW']) {
        assert.ok(statuses.has(`PLAN_STATUS_${status}`), `${status} in ${[...statuses]}`);
      }

      // Inspections of every kind the demo promises; the spot check's draw re-runs to the same result.
      const { inspections } = await get('/api/inspection/inspections?campaignId=demo-2026');
      const kinds = new Set(inspections.map((i: Any) => i.kind));
      for (const kind of ['ROUTINE', 'SPECIAL', 'UNANNOUNCED', 'KEY_SPOT_CHECK'])
        assert.ok(kinds.has(`INSPECTION_KIND_${kind}`), `${kind} in ${[...kinds]}`);
      const spot = inspections.find((i: Any) => i.kind === 'INSPECTION_KIND_KEY_SPOT_CHECK');
      assert.ok(spot.drawId);
      const verified = await get(`/api/inspection/draws/${spot.drawId}/verify`);
      assert.equal(verified.matches, true, verified.difference);
      assert.deepEqual(verified.recomputedUnitIds, spot.unitIds);

      // Findings carry evidence references; scores stay within each criterion's maximum.
      const { findings } = await get('/api/inspection/findings?campaignId=demo-2026&pageSize=1000');
      assert.ok(findings.length >= 13, `${findings.length} findings`);
      for (const f of findings) assert.ok(f.evidence?.length > 0 && /^[0-9a-f]{64}$/.test(f.evidence[0].sha256), f.findingId);
      const taxScores = await get('/api/inspection/units/tax/scores?campaignId=demo-2026');
      assert.ok(taxScores.scores.length >= 2);
      for (const sc of taxScores.scores) assert.ok(sc.points.hundredths <= sc.maxPoints.hundredths, sc.criterionId);
      assert.ok(taxScores.total.hundredths < taxScores.maxTotal.hundredths);

      // A rectification in every state, read from the Rectification view.
      const { rectifications } = await get('/api/inspection/rectifications?campaignId=demo-2026&pageSize=1000');
      const status = (r: Any, s: string) => r.status === `RECTIFICATION_STATUS_${s}`;
      const lastExtension = (r: Any) => r.extensions.at(-1)?.decision;
      const states: Record<string, (r: Any) => boolean> = {
        ordered: (r) => status(r, 'ORDERED'),
        acknowledged: (r) => status(r, 'IN_PROGRESS') && r.responsiblePerson?.name && r.measures.length === 0,
        'measures submitted': (r) =>
          status(r, 'IN_PROGRESS') && r.measures.length > 0 && r.progressSteps === 0 && r.extensions.length === 0,
        'progress reported (several steps)': (r) => status(r, 'IN_PROGRESS') && r.progressSteps >= 2,
        'extension requested': (r) => lastExtension(r) === 'EXTENSION_DECISION_PENDING',
        'extension granted': (r) => lastExtension(r) === 'EXTENSION_DECISION_GRANTED',
        'extension refused': (r) => lastExtension(r) === 'EXTENSION_DECISION_REFUSED',
        'completion reported': (r) => status(r, 'AWAITING_VERIFICATION'),
        'verification failed, reopened': (r) => status(r, 'REOPENED') && r.failedVerifications > 0 && r.regressions === 0,
        verified: (r) => status(r, 'VERIFIED'),
        closed: (r) => status(r, 'CLOSED'),
        'closed as not rectifiable': (r) => status(r, 'CLOSED_NOT_RECTIFIABLE') && r.notRectifiableReason,
        regressed: (r) => status(r, 'REOPENED') && r.regressions > 0,
      };
      for (const [state, holds] of Object.entries(states)) {
        assert.ok(rectifications.some(holds), `no rectification ${state}: ${JSON.stringify(rectifications.map((r: Any) => r.status))}`);
      }
      assert.ok(new Set(rectifications.map((r: Any) => r.unitId)).size >= 6, 'spread over several units');
      // Every step is in the history: the failed verification keeps the three progress steps before it.
      const reopened = rectifications.find(states['verification failed, reopened']!);
      const { steps } = await get(`/api/inspection/rectifications/${reopened.rectificationId}/steps`);
      const types = steps.map((st: Any) => st.type);
      assert.equal(types.filter((t: string) => t === 'RectificationProgressReported').length, 3);
      assert.equal(types.at(-1), 'RectificationVerificationFailed');
    } finally {
      await platform.stop();
    }
  });
});
