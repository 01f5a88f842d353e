export { actorJson, envelopeJson, envelopeOf, roleEnumName } from './envelope.js';
export { type HistoryStreamOptions, historyStream, type OperationHandlersOptions, operationHandlers } from './grpc.js';
export { CommandReplyBody, IdempotencyHeaders, IdSchema, type OperationRoutesOptions, registerOperationRoutes } from './http.js';
export { command, type Operation, query } from './table.js';
