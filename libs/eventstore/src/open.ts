// Picks the adapter from EVENTSTORE_URL: `sqlite:<path>` (embedded default),
// `postgresql://…` / `postgres://…`, or `esdb://…` / `esdb+discover://…` / `kurrentdb://…`.
// Drivers are imported lazily so the embedded profile never loads pg or the gRPC client.
import { InvalidAppendError } from './errors.js';
import type { EventStore } from './types.js';

export interface OpenEventStoreOptions {
  now?: () => Date;
  pollIntervalMs?: number;
}

export async function openEventStore(url: string, options: OpenEventStoreOptions = {}): Promise<EventStore> {
  if (url.startsWith('sqlite:')) {
    const { SqliteEventStore } = await import('./sqlite/sqlite-event-store.js');
    const path = url.slice('sqlite:'.length).replace(/^\/\//, '');
    if (path === '') throw new InvalidAppendError('EVENTSTORE_URL', 'sqlite: needs a file path, e.g. sqlite:./data/events.db');
    return new SqliteEventStore({ path, ...options });
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    const { PostgresEventStore } = await import('./postgres/postgres-event-store.js');
    return PostgresEventStore.connect({ connectionString: url, ...options });
  }
  if (/^(esdb|esdb\+discover|kurrentdb|kurrentdb\+discover):\/\//.test(url)) {
    const { EventStoreDbEventStore } = await import('./esdb/esdb-event-store.js');
    return EventStoreDbEventStore.connect({ connectionString: url, ...options });
  }
  // Only the scheme is quoted: the rest may hold a password, and this error gets printed.
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:/.exec(url)?.[0] ?? '(no scheme)';
  throw new InvalidAppendError(
    'EVENTSTORE_URL',
    `${JSON.stringify(scheme)} names no known event store; use sqlite:<path>, postgresql://… or esdb://…`,
  );
}
