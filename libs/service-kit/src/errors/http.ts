// Fastify's error handler over the one mapping table: domain errors, schema
// validation failures and fastify's own 4xx all leave in one body shape, and a 5xx
// says only "internal" while the log keeps the detail.
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyError, FastifyReply, FastifyRequest, FastifySchemaValidationError } from 'fastify';
import { fieldFromPointer } from './field-path.js';
import { mapError } from './mapping.js';

export const ErrorBody = Type.Object(
  {
    code: Type.String({
      description:
        'INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION, ABORTED, PERMISSION_DENIED, UNAUTHENTICATED, RESOURCE_EXHAUSTED, INTERNAL',
    }),
    message: Type.String(),
    field: Type.Optional(Type.String({ description: 'the request field that is wrong (INVALID_ARGUMENT)' })),
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
  const { status, body } = toHttpError(error);
  if (status >= 500) request.log.error({ err: error }, 'request failed');
  if (body.code === 'UNAUTHENTICATED') reply.header('www-authenticate', wwwAuthenticate(error));
  return reply.code(status).send(body);
}

export function toHttpError(error: HttpError): { status: number; body: ErrorBody } {
  if (error.validation) return { status: 400, body: validationBody(error.validation, error.validationContext ?? 'body') };
  const mapped = mapError(error);
  if (!mapped.internal) {
    const body: ErrorBody = { code: mapped.code, message: mapped.message };
    if (mapped.field !== undefined) body.field = mapped.field;
    if (mapped.currentState !== undefined) body.currentState = mapped.currentState;
    return { status: mapped.httpStatus, body };
  }
  // Fastify's own client errors (malformed JSON, wrong content type, body too large)
  // keep their status: they are the caller's to fix and carry no server detail.
  const status = typeof error.statusCode === 'number' ? error.statusCode : 500;
  if (status >= 400 && status < 500) {
    if (status === 400) return { status, body: { code: 'INVALID_ARGUMENT', message: `body: ${error.message}`, field: 'body' } };
    return { status, body: { code: error.code ?? 'BAD_REQUEST', message: error.message } };
  }
  return { status: 500, body: { code: mapped.code, message: mapped.message } };
}

function validationBody(errors: FastifySchemaValidationError[], context: string): ErrorBody {
  const first = errors[0];
  if (!first) return { code: 'INVALID_ARGUMENT', message: `${context} is invalid`, field: context };
  const property = first.params.missingProperty ?? first.params.additionalProperty;
  const field = fieldFromPointer(first.instancePath, typeof property === 'string' ? property : undefined) || context;
  const reason =
    first.keyword === 'required'
      ? 'is required'
      : first.keyword === 'additionalProperties'
        ? 'is not a known field'
        : (first.message ?? 'is invalid');
  const where = field === context ? context : `${context}.${field}`;
  return { code: 'INVALID_ARGUMENT', message: `${where}: ${reason}`, field };
}

/** RFC 6750 §3: no error code when no token was sent; `invalid_token` when one failed. */
function wwwAuthenticate(error: unknown): string {
  const reason = (error as { reason?: string }).reason;
  if (reason === 'missing') return 'Bearer realm="wenming"';
  const description = String((error as Error).message).replace(/["\\]/g, "'");
  return `Bearer realm="wenming", error="invalid_token", error_description="${description}"`;
}
