// How every Wenming SQLite file is opened (the event store, the in-process bus, its
// processed-events ledger, the embedded read models): its directory created, WAL so
// readers never block the writer, and a busy timeout so a second process waits for
// the write lock instead of failing at once. `synchronous` is the caller's choice:
// FULL where an acknowledged write must survive a power cut (events, bus offsets),
// NORMAL where the file can be rebuilt (read models).
//
// The files hold every citizen complaint and every unit's record: only the user
// Wenming runs as may read them, whatever the umask or the directory's mode. SQLite
// would create the file 0644 minus the umask; it is created here 0600 first, and
// SQLite gives its -wal and -shm files the main file's mode.
import { chmodSync, closeSync, fchmodSync, fstatSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export function openSqliteFile(path: string, synchronous: 'FULL' | 'NORMAL'): Database.Database {
  if (path !== ':memory:') createPrivateFile(path);
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma('busy_timeout = 5000');
  return db;
}

/**
 * Directories Wenming creates are 0700, files 0600; an existing file (or a -wal / -shm
 * left by an older version) that is not 0600 is made so.
 */
export function createPrivateFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  if (process.platform === 'win32') return;
  // 'a' creates without truncating; the mode applies only when it creates, and the
  // umask can only take bits away from it, hence the check that follows.
  const fd = openSync(path, 'a', 0o600);
  try {
    if ((fstatSync(fd).mode & 0o777) !== 0o600) fchmodSync(fd, 0o600);
  } finally {
    closeSync(fd);
  }
  for (const companion of [`${path}-wal`, `${path}-shm`]) {
    try {
      if ((statSync(companion).mode & 0o777) !== 0o600) chmodSync(companion, 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}
