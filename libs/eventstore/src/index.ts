export * from './errors.js';
export { eventHash, GENESIS_HASH, verifyChain } from './hash-chain.js';
export { type OpenEventStoreOptions, openEventStore } from './open.js';
export { MAX_EVENT_BYTES, MAX_EVENT_DEPTH } from './prepare.js';
export { openSqliteFile } from './sqlite/open-file.js';
export { SqliteEventStore, type SqliteEventStoreOptions } from './sqlite/sqlite-event-store.js';
export { AppendSignal } from './subscription.js';
export * from './types.js';
