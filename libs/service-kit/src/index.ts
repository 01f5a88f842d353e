// Route schemas may carry OpenAPI fields (summary, tags, …) in every package that uses the kit.
/// <reference types="@fastify/swagger" preserve="true" />
export * from './auth/index.js';
export * from './commands/index.js';
export * from './config.js';
export * from './errors/index.js';
export {
  addReflection,
  HEALTH_SERVICE,
  listProtoFiles,
  listProtoServices,
  protoFilesFor,
  protoRoot,
  REFLECTION_SERVICES,
} from './grpc-reflection.js';
export { createGrpcServer, type GrpcServer } from './grpc-server.js';
export { registerHealthRoutes } from './health.js';
export { createHttpServer, type HttpServerOptions } from './http-server.js';
export { createLogger } from './logger.js';
export * from './module.js';
export * from './operations/index.js';
export { projectionsCaughtUp } from './projections.js';
export {
  type JsonSchema,
  protoRouteValidator,
  querySchema,
  queryToRequest,
  type RequestSchemaOptions,
  requestSchema,
} from './proto-json-schema.js';
export { checkId, ID_PATTERN, type Json, page } from './requests.js';
export {
  type EndReason,
  type EventWatch,
  LiveStreams,
  type LiveStreamsOptions,
  type StreamCall,
  type StreamSession,
} from './streams/live-streams.js';
export { shutdownTelemetry, type Telemetry } from './telemetry/handle.js';
export { activeTraceparent } from './telemetry/trace-context.js';
export { checkRequestText, DEFAULT_TEXT_LIMITS, type TextLimits, textProblem } from './text-guard.js';
