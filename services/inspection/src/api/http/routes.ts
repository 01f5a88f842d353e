// The HTTP edge under /api/inspection: one route per operation, bodies and query
// strings in the gRPC messages' proto3 JSON, commands keyed by the Idempotency-Key
// header (registerOperationRoutes says how they are checked).
import { Type } from '@sinclair/typebox';
import { registerOperationRoutes } from '@wenming/service-kit';
import type { FastifyInstance } from 'fastify';
import type { Application } from '../../application/handlers.js';
import type { Queries } from '../../application/queries.js';
import { HTTP_PREFIX, OPERATIONS, PROTO_PACKAGE } from '../operations.js';

const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'a calendar day YYYY-MM-DD' });
/** Parameters of the HTTP-only conveniences beyond their request message's fields. */
const HTTP_ONLY_QUERY = {
  ListDueRectifications: { asOf: Day, days: Type.Integer({ minimum: 0, maximum: 366, default: 7 }) },
  ListOverdueRectifications: { asOf: Day },
  CountRectifications: { by: Type.Union([Type.Literal('severity'), Type.Literal('criterion')]) },
};

export function registerInspectionRoutes(http: FastifyInstance, app: Application, queries: Queries): void {
  registerOperationRoutes(http, {
    prefix: HTTP_PREFIX,
    tag: 'inspection',
    protoPackage: PROTO_PACKAGE,
    operations: OPERATIONS,
    commands: app,
    queries,
    extraQuery: HTTP_ONLY_QUERY,
  });
}
