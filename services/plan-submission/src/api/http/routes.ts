// The HTTP edge under /api/plan-submission: one route per operation of the gRPC
// service, bodies and query strings in the same proto3 JSON, commands keyed by the
// Idempotency-Key header. Bodies and query strings are checked against the rpc's
// request message (its proto3 JSON, derived from the descriptors: unknown fields,
// wrong types and unknown enum names → 400 naming the field); the application then
// checks what the proto cannot say (ValidationError names the field → 400).
import { type TSchema, Type } from '@sinclair/typebox';
import { errorResponses, protoRouteValidator, querySchema, queryToRequest, requestSchema } from '@wenming/service-kit';
import type { FastifyInstance } from 'fastify';
import type { Application, Json } from '../../application/handlers.js';
import type { Queries } from '../../application/queries.js';
import { HTTP_PREFIX, OPERATIONS, requestType } from '../operations.js';

const Id = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$' });
const IdempotencyHeaders = Type.Object({ 'idempotency-key': Type.String({ minLength: 1, maxLength: 200 }) });
const CommandResult = Type.Object({
  streamId: Type.String(),
  nextExpectedRevision: Type.Integer(),
  eventIds: Type.Array(Type.String()),
  deduplicated: Type.Boolean(),
});
const CommandReply = Type.Object({ result: CommandResult }, { additionalProperties: true });
const AnyObject = Type.Object({}, { additionalProperties: true });
/** Travels in the Idempotency-Key header, not the body. */
const HEADER_FIELDS = ['idempotencyKey'];

export function registerPlanSubmissionRoutes(http: FastifyInstance, app: Application, queries: Queries): void {
  for (const op of OPERATIONS) {
    const names = [...op.path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]!);
    const params = names.length ? Type.Object(Object.fromEntries(names.map((n) => [n, Id]))) : undefined;
    const summary = op.rpc.replace(/([a-z])([A-Z])/g, '$1 $2');
    const schema: Record<string, TSchema | string | string[] | Record<string, TSchema>> = {
      tags: ['plan-submission'],
      summary,
      operationId: op.rpc,
    };
    if (params) schema.params = params;
    const type = requestType(op);
    if (op.kind === 'command') {
      schema.headers = IdempotencyHeaders;
      schema.body = requestSchema(type, { omit: [...names, ...HEADER_FIELDS] }) as TSchema;
      schema.response = { 200: CommandReply, ...errorResponses(400, 401, 403, 404, 409) };
    } else {
      schema.querystring = querySchema(type, { omit: names }) as TSchema;
      schema.response = { 200: AnyObject, ...errorResponses(400, 401, 403, 404) };
    }
    const target = (op.kind === 'command' ? app : queries) as unknown as Record<string, (p: unknown, r: Json) => Promise<unknown>>;
    const fn = target[op.rpc]!;
    http.route({
      method: op.method,
      url: `${HTTP_PREFIX}${op.path}`,
      schema,
      validatorCompiler: protoRouteValidator,
      handler: async (request) => {
        const req: Json =
          op.kind === 'command'
            ? { ...(request.body as Json), ...(request.params as Json), idempotencyKey: request.headers['idempotency-key'] }
            : { ...queryToRequest(type, request.query as Json, { omit: names }), ...(request.params as Json) };
        return fn(request.principal, req);
      },
    });
  }
}
