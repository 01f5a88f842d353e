// Typed errors of the read store. They name a programming mistake in a projection
// or a query (a bad collection name, a filter the port does not offer, a document
// MongoDB or FerretDB would refuse), so the embedded store fails exactly where the
// production store would, and a projection that passes on SQLite also runs there.

export abstract class ReadStoreError extends Error {
  abstract readonly code: string;
  override get name(): string {
    return this.constructor.name;
  }
}

export class InvalidCollectionNameError extends ReadStoreError {
  readonly code = 'INVALID_COLLECTION_NAME';
  constructor(
    readonly collection: unknown,
    reason: string,
  ) {
    super(
      `${JSON.stringify(collection)} is not a collection name: ${reason}; expected 1-100 characters of letters, digits, _ . - starting with a letter or digit (e.g. "inspection.unit-summary")`,
    );
  }
}

/** A filter, sort or field path outside the port (DESIGN §4: only what MongoDB and FerretDB both do). */
export class InvalidQueryError extends ReadStoreError {
  readonly code = 'INVALID_QUERY';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/** A document the production store would refuse or change (keys with `.` or `$`, nested arrays, Dates, NaN...). */
export class InvalidDocumentError extends ReadStoreError {
  readonly code = 'INVALID_DOCUMENT';
  constructor(
    readonly collection: string,
    readonly id: string,
    readonly path: string,
    message: string,
  ) {
    super(`${collection}/${id}${path ? ` at ${path}` : ''}: ${message}`);
  }
}

export class InvalidApplyError extends ReadStoreError {
  readonly code = 'INVALID_APPLY';
  constructor(
    readonly field: 'id' | 'position',
    value: unknown,
  ) {
    super(
      field === 'id'
        ? `document id ${JSON.stringify(value)} is not a non-empty string of at most 512 characters`
        : `position ${String(value)} is not an event position (an integer >= 0)`,
    );
  }
}

export class UnknownProjectionError extends ReadStoreError {
  readonly code = 'UNKNOWN_PROJECTION';
  constructor(
    readonly projection: string,
    known: readonly string[],
  ) {
    super(`no projection named ${JSON.stringify(projection)}; known: ${known.join(', ') || '(none)'}`);
  }
}

/** A projection's apply threw: it stopped at `position` (the event it could not apply). */
export class ProjectionFailedError extends ReadStoreError {
  readonly code = 'PROJECTION_FAILED';
  constructor(
    readonly projection: string,
    readonly position: number | undefined,
    override readonly cause: unknown,
  ) {
    super(
      `projection ${projection} stopped${position === undefined ? '' : ` at position ${position}`}: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
  }
}
