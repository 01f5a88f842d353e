// The errors a service throws when a request cannot be carried out. Each carries
// its status code name (gRPC's, which is the finer vocabulary) so one table in
// ./mapping.ts turns it into an HTTP status and a gRPC code on either edge.
import { MAX_ERROR_MESSAGE, truncateEcho } from './echo.js';

/** The outcomes a caller can act on differently; anything else is INTERNAL. */
export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'FAILED_PRECONDITION'
  | 'ABORTED'
  | 'PERMISSION_DENIED'
  | 'UNAUTHENTICATED'
  | 'RESOURCE_EXHAUSTED'
  | 'INTERNAL';

export abstract class DomainError extends Error {
  abstract readonly code: ErrorCode;
  override get name(): string {
    return this.constructor.name;
  }
}

/** One wrong field of a request and what is wrong with it (google.rpc.BadRequest.FieldViolation). */
export interface FieldViolation {
  field: string;
  message: string;
}

/** Violations one answer lists at most, however hostile the input (the first ones found). */
export const MAX_VIOLATIONS = 50;

/**
 * Bad input. `field` names it the way the caller wrote it (`amount`, `tasks[2].deadline`).
 * The message may quote the caller's value; it is cut to MAX_ERROR_MESSAGE (see ./echo.ts).
 * `violations` lists every wrong field found (at most MAX_VIOLATIONS), the first being
 * `field`'s own, so a caller fixes a request in one round trip.
 */
export class ValidationError extends DomainError {
  readonly code = 'INVALID_ARGUMENT';
  readonly field: string;
  readonly violations: readonly FieldViolation[];
  constructor(field: string, message: string, more: readonly FieldViolation[] = []) {
    super(truncateEcho(`${truncateEcho(field)}: ${message}`, MAX_ERROR_MESSAGE));
    this.field = truncateEcho(field);
    this.violations = [{ field, message }, ...more].slice(0, MAX_VIOLATIONS).map(boundedViolation);
  }

  /** One error for several violations (at least one), the first naming `field`. */
  static of(violations: readonly FieldViolation[]): ValidationError {
    const [first, ...more] = violations;
    if (!first) throw new Error('ValidationError.of needs at least one violation');
    return new ValidationError(first.field, first.message, more);
  }
}

/**
 * Runs checks that each throw a ValidationError, and throws one error listing every
 * violation they found (any other error at once), so a caller sees all that is wrong
 * with a request in one answer:
 *
 *   collectViolations((check) => {
 *     check(() => requireText('content.title', content.title));
 *     check(() => requireDate('content.tasks[0].deadlineDate', task.deadlineDate));
 *   });
 *
 * Stops running checks once MAX_VIOLATIONS are found.
 */
export function collectViolations(checks: (check: (fn: () => void) => void) => void): void {
  const violations: FieldViolation[] = [];
  checks((fn) => {
    if (violations.length >= MAX_VIOLATIONS) return;
    try {
      fn();
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      violations.push(...err.violations);
    }
  });
  if (violations.length > 0) throw ValidationError.of(violations);
}

function boundedViolation(v: FieldViolation): FieldViolation {
  return { field: truncateEcho(v.field), message: truncateEcho(v.message, MAX_ERROR_MESSAGE) };
}

/** `id` is the caller's, so what is echoed of it is cut to MAX_ECHO characters. */
export class NotFoundError extends DomainError {
  readonly code = 'NOT_FOUND';
  readonly id: string;
  constructor(
    readonly what: string,
    id: string,
  ) {
    const shown = truncateEcho(id);
    super(`${what} ${shown} not found`);
    this.id = shown;
  }
}

/**
 * The command is not allowed in the aggregate's current state (approving a plan
 * that was never submitted). Retrying will not help until the state changes, which
 * is what tells it apart from a concurrency conflict (ABORTED).
 */
export class ForbiddenTransitionError extends DomainError {
  readonly code = 'FAILED_PRECONDITION';
  constructor(
    readonly currentState: string,
    readonly attempted: string,
    reason?: string,
  ) {
    super(`cannot ${attempted} while ${currentState}${reason ? `: ${reason}` : ''}`);
  }
}

/** Authenticated, but this principal may not do this (role, unit scope, read-only auditor). */
export class PermissionDeniedError extends DomainError {
  readonly code = 'PERMISSION_DENIED';
}

/** No credentials, or credentials that do not verify (bad signature, expired, wrong audience). */
export class UnauthenticatedError extends DomainError {
  readonly code = 'UNAUTHENTICATED';
  constructor(
    message: string,
    /** `missing`: no token was sent (RFC 6750 says then to send no error code in WWW-Authenticate). */
    readonly reason: 'missing' | 'invalid' = 'invalid',
  ) {
    super(message);
  }
}

/** A per-caller limit (open streams, …) is reached; the message names the limit. Worth retrying later. */
export class ResourceExhaustedError extends DomainError {
  readonly code = 'RESOURCE_EXHAUSTED';
}

/**
 * A concurrency conflict is the event store's own error: the stream moved since the
 * caller read it. Re-exported under the name services speak of.
 */
export { InvalidAppendError, WrongExpectedRevisionError as ConcurrencyConflict } from '@wenming/eventstore';
