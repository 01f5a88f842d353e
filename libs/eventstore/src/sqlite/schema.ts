// One file under the data directory. `position` is AUTOINCREMENT so a position is
// never reused; `streams` keeps each stream's head so an append checks its expected
// revision and links its hash without reading the stream.
export const SQLITE_SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  position     INTEGER PRIMARY KEY AUTOINCREMENT,
  id           TEXT NOT NULL UNIQUE,
  stream_id    TEXT NOT NULL,
  revision     INTEGER NOT NULL,
  type         TEXT NOT NULL,
  unit_id      TEXT,
  occurred_at  TEXT NOT NULL,
  recorded_at  TEXT NOT NULL,
  data         TEXT NOT NULL,
  metadata     TEXT NOT NULL,
  prev_hash    TEXT NOT NULL,
  hash         TEXT NOT NULL,
  UNIQUE (stream_id, revision)
);
CREATE INDEX IF NOT EXISTS events_by_unit ON events (unit_id, position) WHERE unit_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS streams (
  stream_id  TEXT PRIMARY KEY,
  revision   INTEGER NOT NULL,
  last_hash  TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS checkpoints (
  name        TEXT PRIMARY KEY,
  position    INTEGER NOT NULL,
  updated_at  TEXT NOT NULL
) WITHOUT ROWID;
`;
