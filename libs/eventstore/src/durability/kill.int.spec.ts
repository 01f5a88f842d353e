// "A process killed at any instant loses no acknowledged event": a writer process
// is SIGKILLed mid-stream; every append it had seen acknowledged must be stored,
// and every stream's hash chain must still verify.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openEventStore } from '../open.js';

const writer = fileURLToPath(new URL('./append-until-killed.ts', import.meta.url));

async function killWhileAppending(url: string, ackedBatchesBeforeKill: number): Promise<string[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', writer, url], { stdio: ['ignore', 'pipe', 'inherit'] });
  const acked: string[] = [];
  let batches = 0;
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  for await (const line of createInterface({ input: child.stdout })) {
    if (!line.startsWith('ack ')) continue;
    acked.push(...line.slice(4).split(' '));
    // Kill on a timer rather than right after a line, so the kill lands mid-append.
    if (++batches === ackedBatchesBeforeKill) setTimeout(() => child.kill('SIGKILL'), Math.random() * 5);
  }
  assert.equal(await exited, 'SIGKILL');
  return acked;
}

async function assertAllStored(url: string, acked: string[]): Promise<void> {
  const store = await openEventStore(url);
  try {
    const stored = new Set<string>();
    for await (const event of store.readAll()) stored.add(event.id);
    const lost = acked.filter((id) => !stored.has(id));
    assert.deepEqual(lost, [], `${lost.length} acknowledged events lost`);
    for (let s = 0; s < 8; s++) {
      const result = await store.verify(`rectification-kill${s}`);
      assert.equal(result.ok, true, JSON.stringify(result));
    }
  } finally {
    await store.close();
  }
}

describe('durability: SIGKILL of a writer loses no acknowledged event', () => {
  it('SQLite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wenming-kill-'));
    try {
      const url = `sqlite:${join(dir, 'events.db')}`;
      const first = await killWhileAppending(url, 300);
      assert.ok(first.length >= 300);
      // A second kill on the same file, after recovery of the first, appends on top.
      const second = await killWhileAppending(url, 200);
      await assertAllStored(url, [...first, ...second]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const pgUrl = process.env.PG_URL;
  it('PostgreSQL', { skip: pgUrl ? false : 'PG_URL not set (npm test starts a server; see README)' }, async () => {
    const schema = `kill_${process.pid}_${Date.now()}`;
    const url = `${pgUrl}${pgUrl!.includes('?') ? '&' : '?'}schema=${schema}`;
    const first = await killWhileAppending(url, 300);
    await assertAllStored(url, first);
    const { PostgresEventStore } = await import('../postgres/postgres-event-store.js');
    const store = await PostgresEventStore.connect({ connectionString: pgUrl!, schema });
    await store.dropSchema();
    await store.close();
  });
});
