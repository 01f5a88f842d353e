// `wenming verify`: every chain of a SQLite store holds; an event edited behind the
// store's back is named (stream, revision, event id, reason) with exit status 1.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SqliteEventStore } from '@wenming/eventstore';
import Database from 'better-sqlite3';
import { runCli } from './run.js';

let dir: string;
const ids: string[] = [];
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wenming-verify-'));
  const store = new SqliteEventStore({ path: join(dir, 'events.db') });
  try {
    for (const [streamId, unitId] of [
      ['plan-u1', 'u1'],
      ['rectification-r1', 'u1'],
      ['plan-u2', 'u2'],
    ] as const) {
      for (let i = 0; i < 4; i++) {
        const id = randomUUID();
        ids.push(id);
        await store.append(streamId, [
          { id, type: 'ProgressReported', occurredAt: '2026-05-01T10:00:00+08:00', data: { step: i }, metadata: { unitId } },
        ]);
      }
    }
  } finally {
    await store.close();
  }
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function cli(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { env: { WENMING_DATA_DIR: dir }, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

describe('wenming verify', () => {
  it('checks every stream of the store and says every chain holds', async () => {
    const r = await cli(['verify']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^3 stream\(s\), 12 event\(s\) checked up to position 12 in \d+ ms: every chain holds\n$/);
    const json = await cli(['verify', '--json', '--stream', 'plan-u2']);
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(JSON.parse(json.stdout), { intact: true, streamsChecked: 1, eventsChecked: 4, broken: [] });
  });

  it('names the edited event and exits 1; the other streams still hold', async () => {
    const edited = ids[5]!; // rectification-r1, revision 1
    const db = new Database(join(dir, 'events.db'));
    try {
      assert.equal(db.prepare(`UPDATE events SET data = json_set(data, '$.step', 99) WHERE id = ?`).run(edited).changes, 1);
    } finally {
      db.close();
    }
    const r = await cli(['verify']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, new RegExp(`^BROKEN  rectification-r1  revision 1  event ${edited}  hash-mismatch `, 'm'));
    assert.match(r.stdout, /3 stream\(s\), \d+ event\(s\) checked up to position 12 in \d+ ms: 1 broken/);
    assert.equal(r.stderr, 'wenming verify: 1 of 3 stream(s) have a broken hash chain\n');
    const json = JSON.parse((await cli(['verify', '--json'])).stdout);
    assert.equal(json.intact, false);
    assert.deepEqual(
      json.broken.map((b: { streamId: string; revision: number; eventId: string; reason: string }) => [
        b.streamId,
        b.revision,
        b.eventId,
        b.reason,
      ]),
      [['rectification-r1', 1, edited, 'hash-mismatch']],
    );
    assert.equal((await cli(['verify', '--stream', 'plan-u1'])).code, 0, 'an intact stream checked alone holds');
  });

  it('refuses a stream that does not exist (exit 2, naming it)', async () => {
    const r = await cli(['verify', '--stream', 'plan-nobody']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /stream "plan-nobody" does not exist/);
  });
});
