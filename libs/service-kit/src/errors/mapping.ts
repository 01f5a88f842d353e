// The one table from error to HTTP status and gRPC code. Both edges use it, so a
// caller sees the same outcome whichever protocol it speaks.
//
// FAILED_PRECONDITION (a forbidden transition) is 409 Conflict, not 412: RFC 9110
// keeps 412 for conditional request headers (If-Match …) that failed, while 409 is
// "conflicts with the current state of the target resource", which is exactly a
// transition the aggregate's state forbids. ABORTED is also 409; the body's `code`
// tells them apart: ABORTED is worth retrying after a re-read, FAILED_PRECONDITION is not.
import { status } from '@grpc/grpc-js';
import { EventTooLargeError, InvalidAppendError, WrongExpectedRevisionError } from '@wenming/eventstore';
import {
  DomainError,
  type ErrorCode,
  type FieldViolation,
  ForbiddenTransitionError,
  MAX_VIOLATIONS,
  ValidationError,
} from './domain-errors.js';
import { MAX_ERROR_MESSAGE, truncateEcho } from './echo.js';

export const ERROR_MAPPING: Readonly<Record<ErrorCode, { http: number; grpc: status }>> = {
  INVALID_ARGUMENT: { http: 400, grpc: status.INVALID_ARGUMENT },
  NOT_FOUND: { http: 404, grpc: status.NOT_FOUND },
  FAILED_PRECONDITION: { http: 409, grpc: status.FAILED_PRECONDITION },
  ABORTED: { http: 409, grpc: status.ABORTED },
  PERMISSION_DENIED: { http: 403, grpc: status.PERMISSION_DENIED },
  UNAUTHENTICATED: { http: 401, grpc: status.UNAUTHENTICATED },
  RESOURCE_EXHAUSTED: { http: 429, grpc: status.RESOURCE_EXHAUSTED },
  INTERNAL: { http: 500, grpc: status.INTERNAL },
};

export const INTERNAL_MESSAGE = 'internal error; see the server log';

/** What a caller is told. `internal` errors keep their detail for the log only. */
export interface MappedError {
  code: ErrorCode;
  httpStatus: number;
  grpcCode: status;
  message: string;
  field?: string;
  /** INVALID_ARGUMENT: every wrong field found (at most MAX_VIOLATIONS), the first being `field`'s. */
  violations?: FieldViolation[];
  currentState?: string;
  internal: boolean;
}

export function mapError(error: unknown): MappedError {
  const known = classify(error);
  if (!known) return { code: 'INTERNAL', ...codes('INTERNAL'), message: INTERNAL_MESSAGE, internal: true };
  // Whatever error built the message, what leaves has a ceiling (see ./echo.ts).
  const bounded = { ...known, message: truncateEcho(known.message, MAX_ERROR_MESSAGE) };
  if (known.field !== undefined) bounded.field = truncateEcho(known.field);
  if (known.violations !== undefined) {
    bounded.violations = known.violations
      .slice(0, MAX_VIOLATIONS)
      .map((v) => ({ field: truncateEcho(v.field), message: truncateEcho(v.message, MAX_ERROR_MESSAGE) }));
  }
  if (known.currentState !== undefined) bounded.currentState = truncateEcho(known.currentState);
  return { ...bounded, ...codes(known.code), internal: false };
}

function classify(error: unknown): Omit<MappedError, 'httpStatus' | 'grpcCode' | 'internal'> | undefined {
  if (error instanceof ValidationError) {
    return { code: 'INVALID_ARGUMENT', message: error.message, field: error.field, violations: [...error.violations] };
  }
  if (error instanceof EventTooLargeError) {
    // The store names the event by its id, which the caller never saw: name the field
    // of the request that made it large (the event's data mirrors the request), else the request.
    const field = error.dataField ?? 'request';
    const reason = `is too large: it makes an event of ${error.bytes} bytes of JSON, over the limit of ${error.limit}; shorten it or split it across several requests`;
    return { code: 'INVALID_ARGUMENT', message: `${field}: ${reason}`, field, violations: [{ field, message: reason }] };
  }
  if (error instanceof InvalidAppendError) {
    const reason = error.message.startsWith(`${error.field}: `) ? error.message.slice(error.field.length + 2) : error.message;
    return { code: 'INVALID_ARGUMENT', message: error.message, field: error.field, violations: [{ field: error.field, message: reason }] };
  }
  if (error instanceof ForbiddenTransitionError) {
    return { code: error.code, message: error.message, currentState: error.currentState };
  }
  if (error instanceof WrongExpectedRevisionError) {
    return { code: 'ABORTED', message: `concurrency conflict: ${error.message}; read again and retry` };
  }
  if (error instanceof DomainError && error.code !== 'INTERNAL') return { code: error.code, message: error.message };
  return undefined;
}

function codes(code: ErrorCode): { httpStatus: number; grpcCode: status } {
  const row = ERROR_MAPPING[code];
  return { httpStatus: row.http, grpcCode: row.grpc };
}
