// The embedded profile's bus: a durable log in one SQLite file beside the event
// store, with the semantics of the Kafka adapter. Each topic is one ordered log
// (one partition, so per-key order holds trivially); each consumer group keeps
// its position per topic in the same file, stored after its handler resolved,
// so delivery is at-least-once across restarts. Consumers wake on publishes made
// in this process and poll for those made by others.
import { AppendSignal, openSqliteFile } from '@wenming/eventstore';
import type Database from 'better-sqlite3';
import type { ConsumerOptions, IncomingMessage, MessageBus, OutgoingMessage, RunningConsumer, TopicSpec } from '../types.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS topics (topic TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS messages (
  seq     INTEGER PRIMARY KEY AUTOINCREMENT,
  topic   TEXT NOT NULL,
  key     TEXT,
  value   BLOB,
  headers TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_by_topic ON messages (topic, seq);
CREATE TABLE IF NOT EXISTS group_offsets (
  group_id TEXT NOT NULL,
  topic    TEXT NOT NULL,
  seq      INTEGER NOT NULL,
  PRIMARY KEY (group_id, topic)
) WITHOUT ROWID;
`;

interface Row {
  seq: number;
  topic: string;
  key: string | null;
  value: Buffer | null;
  headers: string;
}

export interface SqliteBusOptions {
  path: string;
  pollIntervalMs?: number;
  pageSize?: number;
}

export class UnknownTopicError extends Error {
  override readonly name = 'UnknownTopicError';
}

export class SqliteBus implements MessageBus {
  readonly kind = 'in-process' as const;
  private readonly db: Database.Database;
  private readonly pollIntervalMs: number;
  private readonly pageSize: number;
  private readonly published = new AppendSignal();
  private readonly running = new Set<RunningConsumer>();
  private readonly stmt;

  constructor(options: SqliteBusOptions) {
    this.db = openSqliteFile(options.path, 'FULL');
    this.db.exec(SCHEMA);
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.pageSize = options.pageSize ?? 500;
    this.stmt = {
      topic: this.db.prepare<[string], { topic: string }>('SELECT topic FROM topics WHERE topic = ?'),
      addTopic: this.db.prepare('INSERT OR IGNORE INTO topics (topic) VALUES (?)'),
      insert: this.db.prepare('INSERT INTO messages (topic, key, value, headers) VALUES (?, ?, ?, ?)'),
      page: this.db.prepare<[string, number, number], Row>('SELECT * FROM messages WHERE topic = ? AND seq > ? ORDER BY seq LIMIT ?'),
      last: this.db.prepare<[string], { seq: number | null }>('SELECT max(seq) AS seq FROM messages WHERE topic = ?'),
      offset: this.db.prepare<[string, string], { seq: number }>('SELECT seq FROM group_offsets WHERE group_id = ? AND topic = ?'),
      behind: this.db.prepare<[string, number], { n: number }>('SELECT count(*) AS n FROM messages WHERE topic = ? AND seq > ?'),
      commit: this.db.prepare(
        'INSERT INTO group_offsets (group_id, topic, seq) VALUES (?, ?, ?) ON CONFLICT (group_id, topic) DO UPDATE SET seq = excluded.seq',
      ),
    };
  }

  async createTopics(topics: TopicSpec[]): Promise<void> {
    this.db.transaction(() => {
      for (const t of topics) this.stmt.addTopic.run(t.topic);
    })();
  }

  async publish(topic: string, messages: OutgoingMessage[]): Promise<void> {
    this.requireTopic(topic);
    this.db.transaction(() => {
      for (const m of messages) this.stmt.insert.run(topic, m.key, Buffer.from(m.value, 'utf8'), JSON.stringify(m.headers ?? {}));
    })();
    this.published.notify();
  }

  private requireTopic(topic: string): void {
    // Kafka refuses unknown topics when auto-creation is off; so does this bus.
    if (!this.stmt.topic.get(topic)) throw new UnknownTopicError(`topic ${topic} does not exist; create it first`);
  }

  async consume(options: ConsumerOptions): Promise<RunningConsumer> {
    for (const topic of options.topics) this.requireTopic(topic);
    const stopping = new AbortController();
    const positions = new Map<string, number>();
    for (const topic of options.topics) {
      const stored = this.stmt.offset.get(options.groupId, topic)?.seq;
      const start = stored ?? (options.fromBeginning === false ? (this.stmt.last.get(topic)?.seq ?? 0) : 0);
      positions.set(topic, start);
    }
    const run = async () => {
      while (!stopping.signal.aborted) {
        let delivered = 0;
        for (const topic of options.topics) {
          const rows = this.stmt.page.all(topic, positions.get(topic)!, this.pageSize);
          for (const row of rows) {
            if (stopping.signal.aborted) break;
            await options.handler(toIncoming(row));
            positions.set(topic, row.seq);
            this.stmt.commit.run(options.groupId, topic, row.seq);
            delivered++;
          }
        }
        if (delivered === 0) await this.published.wait(this.pollIntervalMs, stopping.signal);
      }
    };
    const done = run();
    const consumer: RunningConsumer = {
      done,
      stop: async () => {
        stopping.abort();
        await done.catch(() => undefined);
      },
    };
    this.running.add(consumer);
    done.then(
      () => this.running.delete(consumer),
      () => this.running.delete(consumer),
    );
    return consumer;
  }

  async lag(groupId: string, topics: string[]): Promise<number> {
    let lag = 0;
    for (const topic of topics) {
      this.requireTopic(topic);
      lag += this.stmt.behind.get(topic, this.stmt.offset.get(groupId, topic)?.seq ?? 0)!.n;
    }
    return lag;
  }

  async close(): Promise<void> {
    await Promise.all([...this.running].map((c) => c.stop()));
    if (this.db.open) this.db.close();
  }
}

function toIncoming(row: Row): IncomingMessage {
  return {
    topic: row.topic,
    partition: 0,
    offset: String(row.seq),
    key: row.key,
    value: row.value,
    headers: JSON.parse(row.headers) as Record<string, string>,
  };
}
