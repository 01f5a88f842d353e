import pg from 'pg';
import type { RawBaseline } from './baseline.js';

export async function postgresRaw(connectionString: string, schema: string): Promise<RawBaseline> {
  const pool = new pg.Pool({ connectionString, max: 4 });
  // An idle client's error must not crash the benchmark; the next query reports it.
  pool.on('error', () => undefined);
  await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  await pool.query(`
    CREATE TABLE ${schema}.raw_events (
      position BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, id UUID NOT NULL UNIQUE, stream_id TEXT NOT NULL,
      revision BIGINT NOT NULL, type TEXT NOT NULL, unit_id TEXT, occurred_at TEXT NOT NULL,
      recorded_at TEXT NOT NULL, data JSONB NOT NULL, metadata JSONB NOT NULL, UNIQUE (stream_id, revision));
    CREATE INDEX ON ${schema}.raw_events (unit_id, position);`);
  const count = async (sql: string, params: unknown[]) => (await pool.query(sql, params)).rowCount ?? 0;
  return {
    async appendBatch(rows) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const now = new Date().toISOString();
        const values: unknown[] = [];
        const tuples = rows.map((r, i) => {
          values.push(
            r.id,
            r.streamId,
            r.revision,
            r.type,
            r.unitId,
            r.occurredAt,
            now,
            JSON.stringify(r.data),
            JSON.stringify(r.metadata),
          );
          const b = i * 9;
          return `($${b + 1},$${b + 2},$${b + 3},$${b + 4},$${b + 5},$${b + 6},$${b + 7},$${b + 8},$${b + 9})`;
        });
        await client.query(
          `INSERT INTO ${schema}.raw_events (id, stream_id, revision, type, unit_id, occurred_at, recorded_at, data, metadata) VALUES ${tuples.join(',')}`,
          values,
        );
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      } finally {
        client.release();
      }
    },
    readStream: (id) => count(`SELECT * FROM ${schema}.raw_events WHERE stream_id = $1 ORDER BY revision`, [id]),
    readAll: () => count(`SELECT * FROM ${schema}.raw_events ORDER BY position`, []),
    readUnit: (unit) => count(`SELECT * FROM ${schema}.raw_events WHERE unit_id = $1 ORDER BY position`, [unit]),
    async close() {
      await pool.query(`DROP SCHEMA ${schema} CASCADE`);
      await pool.end();
    },
  };
}
