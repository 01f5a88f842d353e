// Typed errors of the event store. Each names the problem; the service kit maps
// `code` to HTTP statuses and gRPC codes (a conflict is ABORTED / 409, bad input
// is INVALID_ARGUMENT / 400 naming `field`).

export abstract class EventStoreError extends Error {
  abstract readonly code: string;
  override get name(): string {
    return this.constructor.name;
  }
}

/** Optimistic concurrency: the stream is not at the revision the writer expected. Nothing was written. */
export class WrongExpectedRevisionError extends EventStoreError {
  readonly code = 'CONCURRENCY_CONFLICT';
  constructor(
    readonly streamId: string,
    readonly expected: string,
    readonly actual: number | 'no_stream',
  ) {
    super(
      `stream ${streamId}: expected revision ${expected}, but the stream is at ${actual === 'no_stream' ? 'no stream' : `revision ${actual}`}`,
    );
  }
}

/** Bad input to the store: nothing was written. `field` names what is wrong. */
export class InvalidAppendError extends EventStoreError {
  readonly code: string = 'INVALID_ARGUMENT';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

export class InvalidStreamIdError extends InvalidAppendError {
  override readonly code = 'INVALID_STREAM_ID';
  constructor(readonly streamId: unknown) {
    super(
      'streamId',
      `${JSON.stringify(streamId)} is not a stream id; expected "<aggregate>-<id>", e.g. "rectification-42" (letters, digits, and . _ : @ - after the dash, at most 200 characters)`,
    );
  }
}

export class InvalidExpectedRevisionError extends InvalidAppendError {
  override readonly code = 'INVALID_EXPECTED_REVISION';
  constructor(value: unknown) {
    super(
      'expectedRevision',
      `${String(value)} is not an expected revision; use "any", "no_stream", "stream_exists" or a revision number >= 0`,
    );
  }
}

export class EventTooLargeError extends InvalidAppendError {
  override readonly code = 'EVENT_TOO_LARGE';
  constructor(
    readonly eventId: string,
    readonly bytes: number,
    readonly limit: number,
    /** The member of the event's data that makes it large (`content.tasks[3].description`), when one does. */
    readonly dataField?: string,
  ) {
    super(`events[${eventId}]`, `event is ${bytes} bytes of JSON, over the limit of ${limit} bytes`);
  }
}

export class InvalidEventDataError extends InvalidAppendError {
  override readonly code = 'INVALID_EVENT_DATA';
}

export class MissingUnitIdError extends InvalidAppendError {
  override readonly code = 'MISSING_UNIT_ID';
  constructor(index: number) {
    super(`events[${index}].metadata.unitId`, 'is required: every event concerns a unit unless the append says unitless');
  }
}

/** An id already stored elsewhere, or a batch only partly stored: appending would duplicate. */
export class DuplicateEventIdError extends InvalidAppendError {
  override readonly code = 'DUPLICATE_EVENT_ID';
}
