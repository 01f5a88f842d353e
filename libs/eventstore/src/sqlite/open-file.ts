// How every Wenming SQLite file is opened (the event store, the in-process bus, its
// processed-events ledger, the embedded read models): its directory created, WAL so
// readers never block the writer, and a busy timeout so a second process waits for
// the write lock instead of failing at once. `synchronous` is the caller's choice:
// FULL where an acknowledged write must survive a power cut (events, bus offsets),
// NORMAL where the file can be rebuilt (read models).
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export function openSqliteFile(path: string, synchronous: 'FULL' | 'NORMAL'): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma('busy_timeout = 5000');
  return db;
}
