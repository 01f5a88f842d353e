// The HTTP edge under /api/plan-submission: one route per operation of the gRPC
// service, bodies and query strings in the same proto3 JSON, commands keyed by the
// Idempotency-Key header (registerOperationRoutes says how they are checked).
import { registerOperationRoutes } from '@wenming/service-kit';
import type { FastifyInstance } from 'fastify';
import type { Application } from '../../application/handlers.js';
import type { Queries } from '../../application/queries.js';
import { HTTP_PREFIX, OPERATIONS, PROTO_PACKAGE } from '../operations.js';

export function registerPlanSubmissionRoutes(http: FastifyInstance, app: Application, queries: Queries): void {
  registerOperationRoutes(http, {
    prefix: HTTP_PREFIX,
    tag: 'plan-submission',
    protoPackage: PROTO_PACKAGE,
    operations: OPERATIONS,
    commands: app,
    queries,
  });
}
