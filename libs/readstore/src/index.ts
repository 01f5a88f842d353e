export * from './errors.js';
export { MongoReadStore } from './mongodb/mongodb-read-store.js';
export {
  type ProjectionLogger,
  type ProjectionRunner,
  type ProjectionRunnerOptions,
  type ProjectionStatus,
  projectionStatuses,
  type RetryOptions,
  type RetryReport,
  retryFailedEvents,
  startProjections,
} from './projection-runner.js';
export { SqliteReadStore, type SqliteReadStoreOptions } from './sqlite/sqlite-read-store.js';
export * from './types.js';
