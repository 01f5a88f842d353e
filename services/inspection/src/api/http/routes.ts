// The HTTP edge under /api/inspection: one route per operation, bodies and query
// strings in the gRPC messages' proto3 JSON, commands keyed by the Idempotency-Key
// header. TypeBox checks path params, headers, query and the body's shape; the
// application checks each field (ValidationError names it → 400).
import { type TSchema, Type } from '@sinclair/typebox';
import { errorResponses } from '@wenming/service-kit';
import type { FastifyInstance } from 'fastify';
import type { Application, Json } from '../../application/handlers.js';
import type { Queries } from '../../application/queries.js';
import { HTTP_PREFIX, OPERATIONS } from '../operations.js';

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
const Query = Type.Record(Type.String(), Type.Union([Type.String(), Type.Array(Type.String())]));

export function registerInspectionRoutes(http: FastifyInstance, app: Application, queries: Queries): void {
  for (const op of OPERATIONS) {
    const names = [...op.path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]!);
    const params = names.length ? Type.Object(Object.fromEntries(names.map((n) => [n, Id]))) : undefined;
    const summary = op.rpc.replace(/([a-z])([A-Z])/g, '$1 $2');
    const schema: Record<string, TSchema | string | string[] | Record<string, TSchema>> = {
      tags: ['inspection'],
      summary,
      operationId: op.rpc,
    };
    if (params) schema.params = params;
    if (op.kind === 'command') {
      schema.headers = IdempotencyHeaders;
      schema.body = AnyObject;
      schema.response = { 200: CommandReply, ...errorResponses(400, 401, 403, 404, 409) };
    } else {
      schema.querystring = Query;
      schema.response = { 200: AnyObject, ...errorResponses(400, 401, 403, 404) };
    }
    const target = (op.kind === 'command' ? app : queries) as unknown as Record<string, (p: unknown, r: Json) => Promise<unknown>>;
    const fn = target[op.rpc]!;
    http.route({
      method: op.method,
      url: `${HTTP_PREFIX}${op.path}`,
      schema,
      handler: async (request) => {
        const req: Json =
          op.kind === 'command'
            ? { ...(request.body as Json), ...(request.params as Json), idempotencyKey: request.headers['idempotency-key'] }
            : { ...queryJson(request.query as Json), ...(request.params as Json) };
        return fn(request.principal, req);
      },
    });
  }
}

/** Query strings carry flat values: booleans as text, repeated keys as lists, `pageSize`/`pageToken` for the page. */
function queryJson(query: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(query ?? {})) {
    if (k === 'pageSize' || k === 'pageToken') out.page = { ...out.page, [k]: v };
    else if (k === 'statuses') out[k] = [v].flat();
    else if (v === 'true' || v === 'false') out[k] = v === 'true';
    else out[k] = v;
  }
  return out;
}
