// The same tables as the SQLite adapter (../sqlite/schema.ts), in one PostgreSQL
// schema, so several stores (or test runs) can share a database without seeing
// each other. `position` is an identity column: a rolled-back append leaves a gap,
// which the port allows ("strictly increasing, not necessarily contiguous").
//
// data and metadata are `json`, not `jsonb`: json keeps the writer's text byte for
// byte (key order, number spelling) and accepts every string JSON.stringify emits,
// while jsonb refuses "\u0000" and lone surrogates. Both read back through
// JSON.parse, and SQL can still query them with -> and ->>.
import pg from 'pg';

export const postgresTables = (schema: string) => {
  const s = pg.escapeIdentifier(schema);
  return {
    events: `${s}.events`,
    streams: `${s}.streams`,
    checkpoints: `${s}.checkpoints`,
  };
};

export function postgresSchema(schema: string): string {
  const t = postgresTables(schema);
  return `
CREATE SCHEMA IF NOT EXISTS ${pg.escapeIdentifier(schema)};
CREATE TABLE IF NOT EXISTS ${t.events} (
  position     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id           uuid NOT NULL UNIQUE,
  stream_id    text NOT NULL,
  revision     bigint NOT NULL,
  type         text NOT NULL,
  unit_id      text,
  occurred_at  text NOT NULL,
  recorded_at  text NOT NULL,
  data         json NOT NULL,
  metadata     json NOT NULL,
  prev_hash    text NOT NULL,
  hash         text NOT NULL,
  UNIQUE (stream_id, revision)
);
CREATE INDEX IF NOT EXISTS events_by_unit ON ${t.events} (unit_id, position) WHERE unit_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS ${t.streams} (
  stream_id  text PRIMARY KEY,
  revision   bigint NOT NULL,
  last_hash  text NOT NULL
);
CREATE TABLE IF NOT EXISTS ${t.checkpoints} (
  name        text PRIMARY KEY,
  position    bigint NOT NULL,
  updated_at  text NOT NULL
);
`;
}
