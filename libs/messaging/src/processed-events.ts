// Durable record of which events a consumer group has already handled, so a
// redelivered event (Kafka is at-least-once, the relay may republish) changes
// nothing. Kept in SQLite beside the read models it guards; the production read
// models on MongoDB guard by global position instead (issue 8).
import { openSqliteFile } from '@wenming/eventstore';
import type Database from 'better-sqlite3';

export class SqliteProcessedEvents {
  /** The database: a read model kept in this file can be updated atomically with `onceAtomic`. */
  readonly db: Database.Database;
  private readonly seen;
  private readonly mark;

  constructor(path: string) {
    this.db = openSqliteFile(path, 'FULL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS processed_events (
      group_id TEXT NOT NULL, event_id TEXT NOT NULL, processed_at TEXT NOT NULL,
      PRIMARY KEY (group_id, event_id)) WITHOUT ROWID`);
    this.seen = this.db.prepare<[string, string], { one: number }>(
      'SELECT 1 AS one FROM processed_events WHERE group_id = ? AND event_id = ?',
    );
    this.mark = this.db.prepare('INSERT INTO processed_events (group_id, event_id, processed_at) VALUES (?, ?, ?)');
  }

  /**
   * Exactly-once effect for a read model stored in this same file: the effect and
   * the record commit in one transaction, so a crash leaves either both or neither.
   */
  onceAtomic(groupId: string, eventId: string, apply: (db: Database.Database) => void): boolean {
    return this.db.transaction(() => {
      if (this.seen.get(groupId, eventId)) return false;
      apply(this.db);
      this.mark.run(groupId, eventId, new Date().toISOString());
      return true;
    })();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
