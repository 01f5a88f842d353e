// The HTTP edge of an operations table: one route per operation, bodies and query
// strings in the proto3 JSON of the rpc's request message, commands keyed by the
// Idempotency-Key header. Path params and headers are checked by TypeBox; bodies and
// query strings against the request message (derived from the descriptors: unknown
// fields, wrong types and unknown enum names → 400 naming the field); the
// application then checks what the proto cannot say (ValidationError → 400).
import { type TSchema, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { errorResponses } from '../errors/http.js';
import { type JsonSchema, protoRouteValidator, querySchema, queryToRequest, requestSchema } from '../proto-json-schema.js';
import { ID_PATTERN, type Json } from '../requests.js';
import { type Operation, type OperationTargets, operationFn } from './table.js';

export const IdSchema = Type.String({ pattern: ID_PATTERN });
export const IdempotencyHeaders = Type.Object({ 'idempotency-key': Type.String({ minLength: 1, maxLength: 200 }) });
/** common.v1.CommandResult under `result`, beside what else the command answers. */
export const CommandReplyBody = Type.Object(
  {
    result: Type.Object({
      streamId: Type.String(),
      nextExpectedRevision: Type.Integer(),
      eventIds: Type.Array(Type.String()),
      deduplicated: Type.Boolean(),
    }),
  },
  { additionalProperties: true },
);
const AnyObject = Type.Object({}, { additionalProperties: true });
/** Travels in the Idempotency-Key header, not the body. */
const HEADER_FIELDS = ['idempotencyKey'];

export interface OperationRoutesOptions extends OperationTargets {
  /** Where the routes live (`/api/inspection`). */
  prefix: string;
  /** The OpenAPI tag of every route. */
  tag: string;
  /** The proto package of the request messages (`wenming.inspection.v1`). */
  protoPackage: string;
  operations: readonly Operation[];
  /** Query parameters an HTTP-only operation takes beyond its request message's fields, by rpc. */
  extraQuery?: Readonly<Record<string, Record<string, TSchema>>>;
}

export function registerOperationRoutes(http: FastifyInstance, options: OperationRoutesOptions): void {
  for (const op of options.operations) {
    const names = [...op.path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]!);
    const type = `${options.protoPackage}.${op.request ?? `${op.rpc}Request`}`;
    const schema: Record<string, TSchema | string | string[] | Record<string, TSchema>> = {
      tags: [options.tag],
      summary: op.rpc.replace(/([a-z])([A-Z])/g, '$1 $2'),
      operationId: op.rpc,
    };
    if (names.length) schema.params = Type.Object(Object.fromEntries(names.map((n) => [n, IdSchema])));
    if (op.kind === 'command') {
      schema.headers = IdempotencyHeaders;
      schema.body = requestSchema(type, { omit: [...names, ...HEADER_FIELDS] }) as TSchema;
      schema.response = { 200: CommandReplyBody, ...errorResponses(400, 401, 403, 404, 409) };
    } else {
      schema.querystring = withParams(querySchema(type, { omit: names }), options.extraQuery?.[op.rpc]);
      schema.response = { 200: AnyObject, ...errorResponses(400, 401, 403, 404) };
    }
    const fn = operationFn(op, options);
    http.route({
      method: op.method,
      url: `${options.prefix}${op.path}`,
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

/** A query schema with the HTTP-only parameters added (a copy: derived schemas are cached). */
function withParams(schema: JsonSchema, extra: Record<string, TSchema> | undefined): TSchema {
  if (!extra) return schema as TSchema;
  return { ...schema, properties: { ...(schema.properties as object), ...extra } } as unknown as TSchema;
}
