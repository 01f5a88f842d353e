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
export { createGrpcServer, DEFAULT_GRPC_LIMITS, type GrpcLimits, type GrpcServer, type GrpcServerOptions } from './grpc-server.js';
export { registerHealthRoutes } from './health.js';
export { createHttpServer, DEFAULT_HTTP_LIMITS, type HttpLimits, type HttpServerOptions } from './http-server.js';
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
export { createRateLimiter, type RateDecision, type RateLimiter, type RateLimiterOptions } from './rate-limiter.js';
export { redactError, redactSecrets } from './redact.js';
export { checkId, ID_PATTERN, type Json, page } from './requests.js';
export {
  type EndReason,
  type EventWatch,
  LiveStreams,
  type LiveStreamsOptions,
  type StreamCall,
  type StreamSession,
  sendWhenDrained,
} from './streams/live-streams.js';
export { shutdownTelemetry, type Telemetry } from './telemetry/handle.js';
export { observeProjectionFailures } from './telemetry/instruments.js';
export { activeTraceparent } from './telemetry/trace-context.js';
export { checkRequestText, DEFAULT_TEXT_LIMITS, type TextLimits, textProblem } from './text-guard.js';
