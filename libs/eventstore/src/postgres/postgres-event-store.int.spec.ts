// The shared contract against a real PostgreSQL server named by PG_URL (the test
// harness, @wenming/testing providePostgres, finds or starts one). Each run works in
// a fresh random schema, so it starts empty and leaves nothing behind.
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import pg from 'pg';
import { eventStoreContract } from '../contract/contract-suite.js';
import { PostgresEventStore } from './postgres-event-store.js';
import { postgresTables } from './schema.js';

const url = process.env.PG_URL;
const schema = `wenming_test_${randomBytes(6).toString('hex')}`;
const missing = 'PG_URL not set: no PostgreSQL server to test against (e.g. PG_URL=postgresql://postgres@127.0.0.1:5432/wenming)';

async function sql(text: string, values: unknown[] = []): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text, values);
  } finally {
    await client.end();
  }
}

if (url === undefined && process.env.WENMING_REQUIRE_REAL_SERVERS === '1') {
  // CI sets the flag: a real server that is missing is a failure, not a skip (DESIGN §4).
  test('PostgreSQL event store contract needs a server', () => {
    throw new Error(`${missing}, and WENMING_REQUIRE_REAL_SERVERS=1 forbids skipping`);
  });
} else {
  if (url === undefined) console.log(`PostgreSQL event store contract SKIPPED: ${missing}`);
  else after(() => sql(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`));

  const open = () => PostgresEventStore.connect({ connectionString: url!, schema, pollIntervalMs: 20 });
  eventStoreContract({
    name: 'PostgreSQL (pg, synchronous_commit=on)',
    skip: url === undefined ? missing : undefined,
    open,
    // A second pool on the same schema: racing writers then race two sets of connections,
    // as two service processes on one database would.
    openAnother: open,
    tamper: (streamId, revision) =>
      sql(
        `UPDATE ${postgresTables(schema).events} SET data = jsonb_set(data::jsonb, '{note}', '"edited"')::json
         WHERE stream_id = $1 AND revision = $2`,
        [streamId, revision],
      ),
  });
}
