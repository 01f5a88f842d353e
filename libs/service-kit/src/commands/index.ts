export type { Decider, DomainEvent } from './decider.js';
export { commandEventId } from './event-ids.js';
export { type CommandReply, commandReply, type RequestCommand, requestCommandRunner } from './from-request.js';
export {
  type CommandMetadata,
  type CommandResult,
  type HandleCommandOptions,
  handleCommand,
  MAX_IDEMPOTENCY_KEY_LENGTH,
} from './handle-command.js';
export { loadState } from './load-state.js';
