// Checks shared by every adapter, so each refuses the same names, queries and
// documents. The rules are the intersection of what MongoDB and FerretDB v1.24
// accept (shared/INFRA-NOTES.md): a projection written against the embedded store
// cannot store something the production store would refuse or silently change.

import { InvalidApplyError, InvalidCollectionNameError, InvalidDocumentError, InvalidQueryError } from './errors.js';
import { withStorableCharacters } from './storable-text.js';
import type { FailedAttempt, FieldCondition, Filter, FindOptions } from './types.js';

const COLLECTION_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

export function validateCollectionName(name: unknown): string {
  if (typeof name !== 'string' || !COLLECTION_NAME.test(name)) {
    throw new InvalidCollectionNameError(name, 'bad characters or length');
  }
  if (name.includes('..') || name.endsWith('.')) throw new InvalidCollectionNameError(name, 'empty segment between dots');
  // Reserved by MongoDB.
  if (name.startsWith('system.')) throw new InvalidCollectionNameError(name, '"system." is reserved');
  return name;
}

export function validateProjectionName(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0 || name.length > 200) {
    throw new InvalidQueryError('projection', `${JSON.stringify(name)} is not a projection name (1-200 characters)`);
  }
  return name;
}

export function validateApply(id: unknown, position: unknown): void {
  if (typeof id !== 'string' || id.length === 0 || id.length > 512 || id.includes('\0')) throw new InvalidApplyError('id', id);
  validatePosition(position);
}

export function validatePosition(position: unknown): void {
  if (typeof position !== 'number' || !Number.isSafeInteger(position) || position < 0) throw new InvalidApplyError('position', position);
}

// ─── Failed events ──────────────────────────────────────────────────────────

/** Characters kept of each text field of a failed-event record. */
export const MAX_FAILURE_TEXT = 1_000;

/**
 * Text every adapter can hold: the record of a failure must not fail for the same
 * reason as the event (an error message may quote the very NUL the store refused).
 */
export function storableText(value: unknown): string {
  const text = String(value ?? '');
  const cut = text.length > MAX_FAILURE_TEXT ? `${text.slice(0, MAX_FAILURE_TEXT - 1)}…` : text;
  return withStorableCharacters(cut);
}

export function validateFailedAttempt(attempt: FailedAttempt): FailedAttempt {
  validatePosition(attempt.position);
  if (!Number.isSafeInteger(attempt.attempts) || attempt.attempts < 1) throw new InvalidQueryError('attempts', 'must be an integer >= 1');
  if (Number.isNaN(Date.parse(attempt.failedAt))) throw new InvalidQueryError('failedAt', 'must be an ISO-8601 time');
  return {
    projection: validateProjectionName(attempt.projection),
    position: attempt.position,
    eventId: storableText(attempt.eventId),
    type: storableText(attempt.type),
    streamId: storableText(attempt.streamId),
    error: storableText(attempt.error),
    failedAt: attempt.failedAt,
    attempts: attempt.attempts,
  };
}

export function validateFailureListOptions(options: { afterPosition?: number; limit?: number } | undefined): {
  afterPosition: number;
  limit: number | undefined;
} {
  // -1: from the start (positions are >= 0).
  const afterPosition = options?.afterPosition ?? -1;
  if (options?.afterPosition !== undefined) validatePosition(afterPosition);
  const limit = options?.limit;
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 1)) throw new InvalidQueryError('limit', 'must be an integer >= 1');
  return { afterPosition, limit };
}

// ─── Field paths ────────────────────────────────────────────────────────────

const SEGMENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `_id` and `_position` are the store's own fields; every other path addresses the document. */
export type FieldPath = { kind: 'id' } | { kind: 'position' } | { kind: 'doc'; segments: string[] };

/**
 * Dotted paths through nested objects (`leader.name`). Segments are identifiers, so
 * a path can be written into SQL and never means an array index (MongoDB would read
 * `items.0` as one; the port does not filter inside arrays).
 */
export function parseFieldPath(field: unknown): FieldPath {
  if (field === '_id') return { kind: 'id' };
  if (field === '_position') return { kind: 'position' };
  if (typeof field !== 'string' || field.length > 200) throw new InvalidQueryError(String(field), 'is not a field path');
  const segments = field.split('.');
  if (!segments.every((s) => SEGMENT.test(s)) || segments[0] === '_id' || segments[0] === '_position') {
    throw new InvalidQueryError(field, 'is not a field path: dot-separated identifiers (letters, digits, _), e.g. "leader.name"');
  }
  return { kind: 'doc', segments };
}

// ─── Filters ────────────────────────────────────────────────────────────────

export type Scalar = string | number | boolean | null;
export type RangeOp = '$lt' | '$lte' | '$gt' | '$gte';
const RANGE_OPS: readonly RangeOp[] = ['$lt', '$lte', '$gt', '$gte'];

/** A filter checked and taken apart: every condition must hold. */
export type Condition =
  | { field: string; path: FieldPath; op: 'eq'; value: Scalar }
  | { field: string; path: FieldPath; op: 'in'; values: Array<string | number> }
  | { field: string; path: FieldPath; op: RangeOp; value: string | number };

function isStringOrNumber(value: unknown): value is string | number {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

export function parseFilter(filter: Filter | undefined): Condition[] {
  if (filter === undefined) return [];
  if (filter === null || typeof filter !== 'object' || Array.isArray(filter)) throw new InvalidQueryError('filter', 'must be an object');
  const out: Condition[] = [];
  for (const [field, condition] of Object.entries(filter) as Array<[string, FieldCondition]>) {
    const path = parseFieldPath(field);
    if (condition === null || typeof condition === 'boolean' || isStringOrNumber(condition)) {
      out.push({ field, path, op: 'eq', value: condition });
      continue;
    }
    if (typeof condition !== 'object' || Array.isArray(condition)) {
      throw new InvalidQueryError(field, `${String(condition)} is not a condition: use a string, number, boolean, null, $in or a range`);
    }
    const entries = Object.entries(condition);
    if (entries.length === 0)
      throw new InvalidQueryError(field, 'an empty condition matches nothing useful; use $in, $lt, $lte, $gt or $gte');
    for (const [op, operand] of entries) {
      if (op === '$in') {
        if (!Array.isArray(operand) || !operand.every(isStringOrNumber)) {
          throw new InvalidQueryError(field, '$in takes an array of strings and numbers');
        }
        out.push({ field, path, op: 'in', values: operand });
      } else if ((RANGE_OPS as readonly string[]).includes(op)) {
        if (!isStringOrNumber(operand)) throw new InvalidQueryError(field, `${op} takes a string or a number`);
        out.push({ field, path, op: op as RangeOp, value: operand });
      } else {
        throw new InvalidQueryError(field, `${op} is not supported (only $in, $lt, $lte, $gt, $gte and equality)`);
      }
    }
  }
  return out;
}

export interface SortKey {
  field: string;
  path: FieldPath;
  direction: 1 | -1;
}

export interface ParsedFindOptions {
  sort: SortKey[];
  limit: number | undefined;
  skip: number;
}

/** Sort keys in order, ending with `_id` so ties (and so pages) come out the same on every adapter. */
export function parseFindOptions(options: FindOptions | undefined): ParsedFindOptions {
  const sort: SortKey[] = [];
  for (const [field, direction] of Object.entries(options?.sort ?? {})) {
    if (direction !== 1 && direction !== -1) throw new InvalidQueryError(field, 'sort direction must be 1 or -1');
    sort.push({ field, path: parseFieldPath(field), direction });
  }
  if (!sort.some((k) => k.path.kind === 'id')) sort.push({ field: '_id', path: { kind: 'id' }, direction: 1 });
  const limit = options?.limit;
  const skip = options?.skip ?? 0;
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 0)) throw new InvalidQueryError('limit', 'must be an integer >= 0');
  if (!Number.isSafeInteger(skip) || skip < 0) throw new InvalidQueryError('skip', 'must be an integer >= 0');
  return { sort, limit, skip };
}

// ─── Documents ──────────────────────────────────────────────────────────────

/**
 * The document to store: `_id` and `_position` removed (the store sets them) and
 * every value checked to be JSON that MongoDB and FerretDB keep as it is. Keys
 * whose value is `undefined` are left out, as JSON.stringify does (the MongoDB
 * adapter must use the driver's `ignoreUndefined` to match).
 */
export function toStoredDocument(collection: string, id: string, doc: unknown): Record<string, unknown> {
  const fail = (path: string, message: string): never => {
    throw new InvalidDocumentError(collection, id, path, message);
  };
  if (doc === undefined) fail('', 'update returned undefined; return the new document, or null to delete it');
  if (!isPlainObject(doc)) fail('', 'a document must be a plain object');
  const { _id, _position, ...rest } = doc as Record<string, unknown>;
  const check = (value: unknown, path: string, inArray: boolean): void => {
    switch (typeof value) {
      case 'string':
        if (value.includes('\0')) fail(path, 'strings must not contain NUL characters (FerretDB refuses them)');
        return;
      case 'number':
        if (!Number.isFinite(value)) fail(path, `${value} cannot be stored (FerretDB refuses NaN and Infinity)`);
        return;
      case 'boolean':
        return;
      case 'undefined':
        if (inArray) fail(path, 'undefined in an array; use null');
        return;
      case 'object': {
        if (value === null) return;
        if (Array.isArray(value)) {
          if (inArray) fail(path, 'nested arrays are not supported (FerretDB refuses them); wrap the inner array in an object');
          value.forEach((item, i) => {
            check(item, `${path}.${i}`, true);
          });
          return;
        }
        if (!isPlainObject(value))
          fail(path, `${value.constructor?.name ?? 'this object'} is not plain JSON; store ISO-8601 strings for times`);
        for (const [key, item] of Object.entries(value)) checkKey(key, path, item);
        return;
      }
      default:
        fail(path, `a ${typeof value} cannot be stored`);
    }
  };
  const checkKey = (key: string, path: string, item: unknown): void => {
    const at = path ? `${path}.${key}` : key;
    if (key.length === 0 || key.includes('.') || key.startsWith('$') || key.includes('\0')) {
      fail(at, 'keys must be non-empty and must not contain "." or start with "$" (MongoDB and FerretDB refuse them)');
    }
    check(item, at, false);
  };
  for (const [key, item] of Object.entries(rest)) checkKey(key, '', item);
  return rest;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
