import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import Database from 'better-sqlite3';
import { eventStoreContract } from '../contract/contract-suite.js';
import { SqliteEventStore } from './sqlite-event-store.js';

const dir = mkdtempSync(join(tmpdir(), 'wenming-sqlite-'));
const path = join(dir, 'events.db');
after(() => rmSync(dir, { recursive: true, force: true }));

eventStoreContract({
  name: 'SQLite (better-sqlite3, WAL, synchronous=FULL)',
  open: async () => new SqliteEventStore({ path, pollIntervalMs: 20 }),
  // A second connection to the same file: the racing-writer tests then race two
  // connections, as two processes on one data directory would.
  openAnother: async () => new SqliteEventStore({ path, pollIntervalMs: 20 }),
  tamper: async (streamId, revision) => {
    const db = new Database(path);
    db.prepare(`UPDATE events SET data = json_set(data, '$.note', 'edited') WHERE stream_id = ? AND revision = ?`).run(streamId, revision);
    db.close();
  },
});
