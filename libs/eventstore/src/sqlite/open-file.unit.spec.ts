// Wenming's SQLite files hold every unit's record: 0600 in a 0700 directory,
// whatever the umask and whatever the mode of the directory they are put in.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openSqliteFile } from './open-file.js';

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

describe('openSqliteFile: private files', { skip: process.platform === 'win32' && 'POSIX modes' }, () => {
  let base: string;
  let previousUmask: number;
  before(() => {
    previousUmask = process.umask(0);
    base = mkdtempSync(join(tmpdir(), 'wenming-open-file-'));
    chmodSync(base, 0o777);
  });
  after(() => {
    process.umask(previousUmask);
    rmSync(base, { recursive: true, force: true });
  });

  it('creates the file, its -wal and -shm 0600 and the directories it makes 0700, with umask 0 under a 0777 directory', () => {
    const path = join(base, 'new', 'deeper', 'events.db');
    const db = openSqliteFile(path, 'FULL');
    try {
      db.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1)');
      assert.equal(mode(path), '600');
      assert.equal(mode(`${path}-wal`), '600');
      assert.equal(mode(`${path}-shm`), '600');
      assert.equal(mode(join(base, 'new')), '700');
      assert.equal(mode(join(base, 'new', 'deeper')), '700');
    } finally {
      db.close();
    }
  });

  it('narrows an existing file and a leftover -wal that others could read', () => {
    const path = join(base, 'old.db');
    const seed = openSqliteFile(path, 'FULL');
    seed.exec('CREATE TABLE t (x)');
    seed.close();
    chmodSync(path, 0o644);
    writeFileSync(`${path}-wal`, '');
    chmodSync(`${path}-wal`, 0o666);
    const db = openSqliteFile(path, 'NORMAL');
    try {
      assert.equal(mode(path), '600');
      assert.equal(mode(`${path}-wal`), '600');
      assert.equal(db.prepare('SELECT count(*) AS n FROM t').get()?.constructor, Object);
    } finally {
      db.close();
    }
  });
});
