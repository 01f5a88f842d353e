export * from './config.js';
export { createGrpcServer, type GrpcServer } from './grpc-server.js';
export { registerHealthRoutes } from './health.js';
export { createHttpServer } from './http-server.js';
export { createLogger } from './logger.js';
export * from './module.js';
