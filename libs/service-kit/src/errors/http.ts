// Fastify's error handler over the one mapping table: domain errors, schema
// validation failures and fastify's own 4xx all leave in one body shape, and a 5xx
// says only "internal" while the log keeps the detail.
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyError, FastifyReply, FastifyRequest, FastifySchemaValidationError } from 'fastify';
import { type FieldViolation, MAX_VIOLATIONS } from './domain-errors.js';
import { fieldFromPointer } from './field-path.js';
import { ERROR_MAPPING, mapError } from './mapping.js';

export const ErrorBody = Type.Object(
  {
    code: Type.String({
      description:
        'INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION, ABORTED, PERMISSION_DENIED, UNAUTHENTICATED, RESOURCE_EXHAUSTED, INTERNAL',
    }),
    message: Type.String(),
    field: Type.Optional(Type.String({ description: 'the request field that is wrong (INVALID_ARGUMENT): the first of `violations`' })),
    violations: Type.Optional(
      Type.Array(Type.Object({ field: Type.String(), message: Type.String() }), {
        maxItems: MAX_VIOLATIONS,
        description: `INVALID_ARGUMENT: every wrong field found, at most ${MAX_VIOLATIONS} (google.rpc.BadRequest.field_violations on gRPC)`,
      }),
    ),
    currentState: Type.Optional(Type.String({ description: 'the state that forbids the transition (FAILED_PRECONDITION)' })),
  },
  { title: 'Error' },
);
export type ErrorBody = Static<typeof ErrorBody>;

/** Response schemas for a route's error statuses, so OpenAPI lists them and serialization keeps every field. */
export function errorResponses(...statuses: number[]): Record<number, typeof ErrorBody> {
  return Object.fromEntries(statuses.map((s) => [s, ErrorBody]));
}

type HttpError = FastifyError & { validation?: FastifySchemaValidationError[]; validationContext?: string };

export function httpErrorHandler(error: HttpError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { status, body } = toHttpError(error, request.routeOptions?.bodyLimit);
  if (status >= 500) request.log.error({ err: error }, 'request failed');
  if (body.code === 'UNAUTHENTICATED') reply.header('www-authenticate', wwwAuthenticate(error));
  return reply.code(status).send(body);
}

/** `bodyLimit`: the route's, which a 413 quotes. */
export function toHttpError(error: HttpError, bodyLimit?: number): { status: number; body: ErrorBody } {
  if (error.validation) return { status: 400, body: validationBody(error.validation, error.validationContext ?? 'body') };
  const mapped = mapError(error);
  if (!mapped.internal) {
    const body: ErrorBody = { code: mapped.code, message: mapped.message };
    if (mapped.field !== undefined) body.field = mapped.field;
    if (mapped.violations !== undefined) body.violations = mapped.violations;
    if (mapped.currentState !== undefined) body.currentState = mapped.currentState;
    return { status: mapped.httpStatus, body };
  }
  // Fastify's own client errors (malformed JSON, wrong content type, body too large)
  // keep their status: they are the caller's to fix and carry no server detail. Their
  // body is the mapping's shape, in its vocabulary, not fastify's FST_ERR_* codes.
  const status = typeof error.statusCode === 'number' ? error.statusCode : 500;
  if (status >= 400 && status < 500) {
    if (status === 400) {
      const reason = error.message;
      return {
        status,
        body: { code: 'INVALID_ARGUMENT', message: `body: ${reason}`, field: 'body', violations: [{ field: 'body', message: reason }] },
      };
    }
    if (status === 413) {
      // As on gRPC, where a message over the limit is RESOURCE_EXHAUSTED.
      return { status, body: { code: 'RESOURCE_EXHAUSTED', message: `body: ${bodyTooLarge(bodyLimit)}` } };
    }
    // Errors that already speak the mapping's vocabulary (the rate limiter's 429
    // RESOURCE_EXHAUSTED) keep their code; fastify's own (415 …) are the caller's input.
    const code = typeof error.code === 'string' && Object.hasOwn(ERROR_MAPPING, error.code) ? error.code : 'INVALID_ARGUMENT';
    return { status, body: { code, message: error.message } };
  }
  return { status: 500, body: { code: mapped.code, message: mapped.message } };
}

/** Fastify says "Request body is too large"; say how large it may be. */
function bodyTooLarge(limit: number | undefined): string {
  return typeof limit === 'number' ? `is larger than the limit of ${limit} bytes` : 'is larger than the limit of this route';
}

function validationBody(errors: FastifySchemaValidationError[], context: string): ErrorBody {
  // One violation per field (ajv reports each branch of an anyOf, and the anyOf too):
  // the first found, as before every error was collected.
  const violations: FieldViolation[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    if (violations.length >= MAX_VIOLATIONS) break;
    const violation = schemaViolation(error, context);
    if (seen.has(violation.field)) continue;
    seen.add(violation.field);
    violations.push(violation);
  }
  const first = violations[0];
  if (!first) return { code: 'INVALID_ARGUMENT', message: `${context} is invalid`, field: context };
  const where = first.field === context ? context : `${context}.${first.field}`;
  return { code: 'INVALID_ARGUMENT', message: `${where}: ${first.message}`, field: first.field, violations };
}

function schemaViolation(error: FastifySchemaValidationError, context: string): FieldViolation {
  const property = error.params.missingProperty ?? error.params.additionalProperty;
  const field = fieldFromPointer(error.instancePath, typeof property === 'string' ? property : undefined) || context;
  const message =
    error.keyword === 'required'
      ? 'is required'
      : error.keyword === 'additionalProperties'
        ? 'is not a known field'
        : (error.message ?? 'is invalid');
  return { field, message };
}

/** RFC 6750 §3: no error code when no token was sent; `invalid_token` when one failed. */
function wwwAuthenticate(error: unknown): string {
  const reason = (error as { reason?: string }).reason;
  if (reason === 'missing') return 'Bearer realm="wenming"';
  const description = String((error as Error).message).replace(/["\\]/g, "'");
  return `Bearer realm="wenming", error="invalid_token", error_description="${description}"`;
}
