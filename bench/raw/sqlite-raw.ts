import Database from 'better-sqlite3';
import type { RawBaseline, RawRow } from './baseline.js';

interface Row {
  data: string;
  metadata: string;
}

export function sqliteRaw(path: string): RawBaseline {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`
    CREATE TABLE raw_events (
      position INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, stream_id TEXT NOT NULL,
      revision INTEGER NOT NULL, type TEXT NOT NULL, unit_id TEXT, occurred_at TEXT NOT NULL,
      recorded_at TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL, UNIQUE (stream_id, revision));
    CREATE INDEX raw_by_unit ON raw_events (unit_id, position);`);
  const insert = db.prepare(
    'INSERT INTO raw_events (id, stream_id, revision, type, unit_id, occurred_at, recorded_at, data, metadata) VALUES (?,?,?,?,?,?,?,?,?)',
  );
  const write = db.transaction((rows: RawRow[]) => {
    const now = new Date().toISOString();
    for (const r of rows) {
      insert.run(r.id, r.streamId, r.revision, r.type, r.unitId, r.occurredAt, now, JSON.stringify(r.data), JSON.stringify(r.metadata));
    }
  });
  const decode = (rows: Row[]) => {
    for (const r of rows) {
      JSON.parse(r.data);
      JSON.parse(r.metadata);
    }
    return rows.length;
  };
  const byStream = db.prepare<[string], Row>('SELECT * FROM raw_events WHERE stream_id = ? ORDER BY revision');
  const all = db.prepare<[], Row>('SELECT * FROM raw_events ORDER BY position');
  const byUnit = db.prepare<[string], Row>('SELECT * FROM raw_events WHERE unit_id = ? ORDER BY position');
  return {
    appendBatch: async (rows) => write.immediate(rows),
    readStream: async (id) => decode(byStream.all(id)),
    readAll: async () => decode(all.all()),
    readUnit: async (unit) => decode(byUnit.all(unit)),
    close: async () => {
      db.close();
    },
  };
}
