// The one mapping from errors to HTTP statuses and gRPC codes, and what each edge tells the caller.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import { Type } from '@sinclair/typebox';
import { DuplicateEventIdError, InvalidStreamIdError, MissingUnitIdError, WrongExpectedRevisionError } from '@wenming/eventstore';
import pino from 'pino';
import {
  ConcurrencyConflict,
  ForbiddenTransitionError,
  NotFoundError,
  PermissionDeniedError,
  ResourceExhaustedError,
  UnauthenticatedError,
  ValidationError,
} from './domain-errors.js';
import { MAX_ECHO, MAX_ERROR_MESSAGE, truncateEcho } from './echo.js';
import { fieldFromPointer } from './field-path.js';
import { grpcHandler, toServiceError } from './grpc.js';
import { toHttpError } from './http.js';
import { ERROR_MAPPING, INTERNAL_MESSAGE, mapError } from './mapping.js';
import { createValidator } from './validate.js';

const silent = pino({ level: 'silent' });

describe('the error mapping table', () => {
  it('maps each code to one HTTP status and one gRPC code', () => {
    assert.deepEqual(Object.fromEntries(Object.entries(ERROR_MAPPING).map(([code, { http, grpc }]) => [code, [http, status[grpc]]])), {
      INVALID_ARGUMENT: [400, 'INVALID_ARGUMENT'],
      NOT_FOUND: [404, 'NOT_FOUND'],
      FAILED_PRECONDITION: [409, 'FAILED_PRECONDITION'],
      ABORTED: [409, 'ABORTED'],
      PERMISSION_DENIED: [403, 'PERMISSION_DENIED'],
      UNAUTHENTICATED: [401, 'UNAUTHENTICATED'],
      RESOURCE_EXHAUSTED: [429, 'RESOURCE_EXHAUSTED'],
      INTERNAL: [500, 'INTERNAL'],
    });
  });

  it('classifies domain errors and the event store’s errors', () => {
    const cases: Array<[unknown, string, number, Record<string, string>?]> = [
      [new ValidationError('tasks[2].deadline', 'is before the plan starts'), 'INVALID_ARGUMENT', 400, { field: 'tasks[2].deadline' }],
      [new NotFoundError('plan', 'plan-9'), 'NOT_FOUND', 404],
      [new ForbiddenTransitionError('draft', 'approve'), 'FAILED_PRECONDITION', 409, { currentState: 'draft' }],
      [new PermissionDeniedError('no'), 'PERMISSION_DENIED', 403],
      [new UnauthenticatedError('token expired'), 'UNAUTHENTICATED', 401],
      [new ResourceExhaustedError('at most 16 open streams'), 'RESOURCE_EXHAUSTED', 429],
      [new WrongExpectedRevisionError('plan-1', '3', 4), 'ABORTED', 409],
      [new InvalidStreamIdError('no dash'), 'INVALID_ARGUMENT', 400, { field: 'streamId' }],
      [new MissingUnitIdError(0), 'INVALID_ARGUMENT', 400, { field: 'events[0].metadata.unitId' }],
      [new DuplicateEventIdError('events.id', 'twice'), 'INVALID_ARGUMENT', 400, { field: 'events.id' }],
    ];
    for (const [error, code, http, extra] of cases) {
      const mapped = mapError(error);
      assert.equal(mapped.code, code, String(error));
      assert.equal(mapped.httpStatus, http);
      assert.equal(mapped.internal, false);
      assert.equal(mapped.message.includes((error as Error).message), true);
      for (const [k, v] of Object.entries(extra ?? {})) assert.equal(mapped[k as 'field'], v);
    }
    assert.equal(ConcurrencyConflict, WrongExpectedRevisionError, 'a concurrency conflict is the store’s own error');
  });

  it('anything else is INTERNAL 500 with no detail for the caller', () => {
    for (const error of [new Error('db password is hunter2'), new TypeError('x is undefined'), 'a string', undefined]) {
      const mapped = mapError(error);
      assert.deepEqual([mapped.code, mapped.httpStatus, mapped.grpcCode, mapped.internal], ['INTERNAL', 500, status.INTERNAL, true]);
      assert.equal(mapped.message, INTERNAL_MESSAGE);
    }
  });
});

describe('what an error echoes of the caller is bounded', () => {
  const huge = 'x'.repeat(100_000);
  it('a NotFoundError quotes at most 200 characters of the id, with an ellipsis', () => {
    const error = new NotFoundError('plan', huge);
    assert.equal(error.message, `plan ${'x'.repeat(MAX_ECHO - 1)}… not found`);
    assert.equal(error.id.length, MAX_ECHO);
  });

  it('a ValidationError’s field and message are bounded, whatever the thrower put in them', () => {
    const error = new ValidationError(huge, `must be an id (got ${JSON.stringify(huge)})`);
    assert.equal(error.field.length, MAX_ECHO);
    assert.ok(error.message.length <= MAX_ERROR_MESSAGE && error.message.endsWith('…'), `${error.message.length}`);
  });

  it('every mapped message, field and state is bounded on both edges, even from errors built elsewhere', () => {
    const mapped = mapError(new PermissionDeniedError(`${huge} may not read unit u1`));
    assert.equal(mapped.message.length, MAX_ERROR_MESSAGE);
    const grpcError = toServiceError(new ForbiddenTransitionError(huge, 'approve'), silent);
    assert.ok(grpcError.details.length <= MAX_ERROR_MESSAGE);
    assert.equal(String(grpcError.metadata.get('wenming-current-state')[0]), `${'x'.repeat(MAX_ECHO - 1)}\\u2026`);
    assert.ok(toHttpError(new NotFoundError('plan', huge) as never).body.message.length < 300);
  });

  it('cuts between characters, never inside a surrogate pair', () => {
    assert.equal(truncateEcho('😀'.repeat(10), 4), '😀…');
    assert.equal(truncateEcho('short'), 'short');
  });

  it('trailer values are printable ASCII, so grpc-js can always send the status', () => {
    const error = toServiceError(new ValidationError('名称', 'is required'), silent);
    assert.deepEqual(error.metadata.get('wenming-field'), ['\\u540d\\u79f0']);
  });
});

describe('the HTTP edge', () => {
  it('names the field of a schema validation failure', () => {
    const validation = (instancePath: string, keyword: string, params: Record<string, unknown>, message?: string) =>
      toHttpError(
        Object.assign(new Error('x'), {
          validation: [{ instancePath, keyword, params, message, schemaPath: '' }],
          validationContext: 'body',
        }) as never,
      );
    assert.deepEqual(validation('/amount', 'minimum', { limit: 1 }, 'must be >= 1'), {
      status: 400,
      body: {
        code: 'INVALID_ARGUMENT',
        message: 'body.amount: must be >= 1',
        field: 'amount',
        violations: [{ field: 'amount', message: 'must be >= 1' }],
      },
    });
    assert.equal(validation('', 'required', { missingProperty: 'title' }).body.field, 'title');
    assert.equal(validation('/tasks/2', 'required', { missingProperty: 'deadline' }).body.field, 'tasks[2].deadline');
    assert.equal(
      validation('/tasks/2', 'additionalProperties', { additionalProperty: 'colour' }).body.message,
      'body.tasks[2].colour: is not a known field',
    );
  });

  it('keeps the status of fastify’s own client errors in the mapping’s shape and codes, and hides a 500', () => {
    const tooLarge = Object.assign(new Error('Request body is too large'), { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' });
    assert.deepEqual(toHttpError(tooLarge as never, 2048), {
      status: 413,
      body: { code: 'RESOURCE_EXHAUSTED', message: 'body: is larger than the limit of 2048 bytes' },
    });
    const mediaType = Object.assign(new Error('Unsupported Media Type: text/xml'), {
      statusCode: 415,
      code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
    });
    assert.deepEqual(toHttpError(mediaType as never), {
      status: 415,
      body: { code: 'INVALID_ARGUMENT', message: 'Unsupported Media Type: text/xml' },
    });
    const limited = Object.assign(new Error('too many requests'), { statusCode: 429, code: 'RESOURCE_EXHAUSTED' });
    assert.deepEqual(toHttpError(limited as never), { status: 429, body: { code: 'RESOURCE_EXHAUSTED', message: 'too many requests' } });
    assert.deepEqual(toHttpError(new Error('secret detail') as never), {
      status: 500,
      body: { code: 'INTERNAL', message: INTERNAL_MESSAGE },
    });
  });
});

describe('the gRPC edge', () => {
  it('sends the code and message, with the field and the current state in trailing metadata', () => {
    const invalid = toServiceError(new ValidationError('amount', 'must be 1 to 100'), silent);
    assert.deepEqual([invalid.code, invalid.details], [status.INVALID_ARGUMENT, 'amount: must be 1 to 100']);
    assert.deepEqual(invalid.metadata.get('wenming-field'), ['amount']);
    const forbidden = toServiceError(new ForbiddenTransitionError('closed', 'reopen'), silent);
    assert.deepEqual(forbidden.metadata.get('wenming-current-state'), ['closed']);
    const internal = toServiceError(new Error('db password is hunter2'), silent);
    assert.deepEqual([internal.code, internal.details], [status.INTERNAL, INTERNAL_MESSAGE]);
  });

  it('grpcHandler answers with the result or the mapped error', async () => {
    const ok = grpcHandler(async () => ({ total: 3 }), { logger: silent });
    const failing = grpcHandler(
      async () => {
        throw new PermissionDeniedError('unit-a may not act for unit b');
      },
      { logger: silent },
    );
    const call = (handler: typeof ok) =>
      new Promise<[unknown, unknown]>((resolve) => handler({} as never, (err, value) => resolve([err, value])));
    assert.deepEqual(await call(ok), [null, { total: 3 }]);
    const [err] = await call(failing);
    assert.equal((err as { code: number }).code, status.PERMISSION_DENIED);
  });

  it('createValidator checks a message against the route’s TypeBox schema, naming the field', () => {
    const check = createValidator(
      Type.Object({ amount: Type.Integer({ minimum: 1 }), tasks: Type.Array(Type.Object({ deadline: Type.String({ format: 'date' }) })) }),
    );
    assert.deepEqual(check({ amount: 2, tasks: [] }), { amount: 2, tasks: [] });
    assert.throws(
      () => check({ amount: 0, tasks: [] }),
      (err) => err instanceof ValidationError && err.field === 'amount',
    );
    assert.throws(
      () => check({ tasks: [] }),
      (err) => err instanceof ValidationError && err.field === 'amount',
    );
    assert.throws(
      () => check({ amount: 1, tasks: [{}] }),
      (err) => err instanceof ValidationError && err.field === 'tasks[0].deadline',
    );
  });

  it('turns JSON pointers into field names', () => {
    assert.equal(fieldFromPointer('/tasks/2/owner'), 'tasks[2].owner');
    assert.equal(fieldFromPointer('', 'title'), 'title');
    assert.equal(fieldFromPointer('/a~1b/c~0d'), 'a/b.c~d');
  });
});
