// `wenming demo` loads the demo city through the public API; running it twice
// changes nothing (every command has a fixed idempotency key).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SqliteEventStore } from '@wenming/eventstore';
import { hs256Secret, loadConfig, signHs256Token } from '@wenming/service-kit';
import { startPlatform } from '../platform.js';
import { runCli } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'wenming-demo-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function runDemo(): Promise<string> {
  let out = '';
  const code = await runCli(['demo', '--data-dir', dir], {
    env: { LOG_LEVEL: 'silent' },
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      out += t;
    },
  });
  assert.equal(code, 0, out);
  return out;
}

async function eventCount(): Promise<number> {
  const store = new SqliteEventStore({ path: join(dir, 'events.db') });
  let n = 0;
  for await (const _ of store.readAll()) n++;
  await store.close();
  return n;
}

describe('wenming demo', () => {
  it('loads a campaign, 13 units and plans in every state, and a second run appends nothing', async () => {
    assert.match(await runDemo(), /campaign demo-2026/);
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
      const res = await fetch(`${platform.httpUrl}/api/plan-submission/plans?campaignId=demo-2026`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const body = (await res.json()) as { plans: Array<{ status: string }> };
      const statuses = new Set(body.plans.map((p) => p.status));
      assert.equal(body.plans.length, 12);
      for (const status of ['DRAFT', 'SUBMITTED', 'RETURNED', 'REVISED', 'APPROVED', 'AMENDMENT_UNDER_REVIEW']) {
        assert.ok(statuses.has(`PLAN_STATUS_${status}`), `${status} in ${[...statuses]}`);
      }
    } finally {
      await platform.stop();
    }
  });
});
