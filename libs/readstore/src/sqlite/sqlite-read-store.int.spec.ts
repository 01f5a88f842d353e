import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { readStoreContract } from '../contract/readstore-contract.js';
import { InvalidCollectionNameError } from '../errors.js';
import { SqliteReadStore } from './sqlite-read-store.js';

const dir = mkdtempSync(join(tmpdir(), 'wenming-readstore-'));
const path = join(dir, 'read-models.db');
after(() => rmSync(dir, { recursive: true, force: true }));

readStoreContract({
  name: 'SQLite (better-sqlite3, WAL)',
  open: async () => new SqliteReadStore({ path }),
  reopen: async () => new SqliteReadStore({ path }),
});

describe('SQLite read store specifics', () => {
  it('refuses a collection whose name differs only in case from an existing one (SQLite table names ignore case)', async () => {
    const store = new SqliteReadStore({ path: join(dir, 'case.db') });
    await store.collection<{ n: number }>('units').apply('a', 1, () => ({ n: 1 }));
    await assert.rejects(store.collection('Units').get('a'), InvalidCollectionNameError);
    await store.drop(['Units']);
    assert.equal(await store.collection('units').count(), 1);
    await store.close();
  });

  it('uses the expression index for equality and sort on an indexed field', async () => {
    const file = join(dir, 'plan.db');
    const store = new SqliteReadStore({ path: file });
    const units = store.collection<{ district: string; score: number }>('units');
    await units.ensureIndex(['district', 'score']);
    await units.apply('a', 1, () => ({ district: 'east', score: 1 }));
    await store.close();
    const db = new Database(file, { readonly: true });
    const plan = db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT _id FROM "rm_units" WHERE doc IS NOT NULL AND json_type(doc, '$.district') = 'text'
         AND json_extract(doc, '$.district') = ? ORDER BY json_extract(doc, '$.score') DESC, _id ASC`,
      )
      .all('east') as Array<{ detail: string }>;
    db.close();
    assert.match(plan.map((p) => p.detail).join('\n'), /USING INDEX/);
  });

  it('marks a deleted document with a tombstone row that keeps its position', async () => {
    const file = join(dir, 'tombstone.db');
    const store = new SqliteReadStore({ path: file });
    const c = store.collection<{ n: number }>('reports');
    await c.apply('r', 4, () => ({ n: 1 }));
    await c.apply('r', 6, () => null);
    await store.close();
    const db = new Database(file, { readonly: true });
    assert.deepEqual(db.prepare('SELECT _id, _position, doc FROM "rm_reports"').all(), [{ _id: 'r', _position: 6, doc: null }]);
    db.close();
  });

  it('says the store is unavailable on a busy, locked, full or failing file, or a closed handle, and not on a bad write', async () => {
    const store = new SqliteReadStore({ path: join(dir, 'unavailable.db') });
    const sqliteError = (code: string) => Object.assign(new Error(code), { code });
    for (const code of ['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_IOERR_WRITE', 'SQLITE_FULL', 'SQLITE_READONLY']) {
      assert.equal(store.isUnavailable(sqliteError(code)), true, code);
    }
    for (const code of ['SQLITE_CONSTRAINT_PRIMARYKEY', 'SQLITE_TOOBIG', 'SQLITE_ERROR'])
      assert.equal(store.isUnavailable(sqliteError(code)), false, code);
    await store.close();
    const closed = await store
      .collection('units')
      .get('a')
      .catch((err: unknown) => err);
    assert.equal(store.isUnavailable(closed), true);
  });
});
