// Checks that event data is plain JSON and writes its RFC 8785 (JCS) canonical form
// in the same pass. The `canonicalize` package is the reference (the unit test holds
// this function equal to it); this one exists because the library's generic walk was
// ~45% of an append's CPU in the event store benchmark, it throws untyped errors
// without naming the offending field, and it recurses: a value nested a few thousand
// levels deep overflows the stack (issue 12: a deep body was stored, and then every
// integrity check of its unit answered 500). This walk keeps its own stack, so any
// depth the JSON parser produced can be canonicalised again (verifying old events),
// and the writer bounds the depth it accepts (`maxDepth`, see prepare.ts).
//
// JCS = JSON with object keys sorted by UTF-16 code units, ES number formatting and
// ES string escaping, which is exactly what JSON.stringify does for primitives.
import { InvalidEventDataError } from './errors.js';

/** String.prototype.isWellFormed: in every Node the project runs on (>= 20), but not in TypeScript's ES2023 lib. */
const isWellFormed = (s: string): boolean => (s as unknown as { isWellFormed(): boolean }).isWellFormed();

export interface CanonicalJsonOptions {
  /** Objects and arrays inside one another beyond this are refused (InvalidEventDataError); unbounded when absent. */
  maxDepth?: number;
}

/** An open object or array: what is left to write of it. */
type Frame =
  | { kind: 'array'; value: readonly unknown[]; path: string; next: number }
  | { kind: 'object'; value: Record<string, unknown>; keys: string[]; path: string; next: number; written: number };

function primitive(value: unknown, path: string): string | undefined {
  switch (typeof value) {
    case 'string':
      if (!isWellFormed(value)) throw new InvalidEventDataError(path, 'contains a lone UTF-16 surrogate, which is not valid text');
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new InvalidEventDataError(path, `${value} is not a JSON number`);
      return JSON.stringify(value);
    case 'object':
      return value === null ? 'null' : undefined;
    case 'undefined':
      throw new InvalidEventDataError(path, 'is missing (undefined is not JSON)');
    default:
      throw new InvalidEventDataError(path, `a ${typeof value} is not JSON`);
  }
}

/**
 * Data must survive a JSON round trip unchanged, or the stored event would not be
 * what the writer meant: no bigint, NaN, Infinity, functions, symbols, Dates, Maps,
 * class instances, cycles or lone surrogates. `undefined` object fields are dropped,
 * as JSON does.
 */
export function canonicalJson(value: unknown, path: string, options: CanonicalJsonOptions = {}): string {
  const maxDepth = options.maxDepth ?? Number.POSITIVE_INFINITY;
  const open = new Set<object>();
  const stack: Frame[] = [];
  let out = '';

  /** Writes a primitive, or opens a container (pushing its frame). */
  const begin = (item: unknown, at: string) => {
    const text = primitive(item, at);
    if (text !== undefined) {
      out += text;
      return;
    }
    const object = item as object;
    if (open.has(object)) throw new InvalidEventDataError(at, 'is a circular reference');
    if (stack.length >= maxDepth) throw new InvalidEventDataError(at, `is nested more than ${maxDepth} levels deep`);
    if (Array.isArray(object)) {
      open.add(object);
      out += '[';
      stack.push({ kind: 'array', value: object, path: at, next: 0 });
      return;
    }
    const proto = Object.getPrototypeOf(object);
    if (proto !== Object.prototype && proto !== null) {
      const name = object.constructor?.name ?? 'object';
      throw new InvalidEventDataError(at, `a ${name} is not plain JSON data (convert it first, e.g. a Date to an ISO string)`);
    }
    open.add(object);
    out += '{';
    const record = object as Record<string, unknown>;
    stack.push({ kind: 'object', value: record, keys: Object.keys(record).sort(), path: at, next: 0, written: 0 });
  };

  begin(value, path);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    if (frame.kind === 'array') {
      if (frame.next === frame.value.length) {
        out += ']';
        open.delete(frame.value);
        stack.pop();
        continue;
      }
      const i = frame.next++;
      const item = frame.value[i];
      if (item === undefined) throw new InvalidEventDataError(`${frame.path}[${i}]`, 'undefined is not JSON');
      if (i > 0) out += ',';
      begin(item, `${frame.path}[${i}]`);
      continue;
    }
    let key: string | undefined;
    let item: unknown;
    while (frame.next < frame.keys.length) {
      key = frame.keys[frame.next++]!;
      item = frame.value[key];
      if (item !== undefined) break;
      key = undefined;
    }
    if (key === undefined) {
      out += '}';
      open.delete(frame.value);
      stack.pop();
      continue;
    }
    if (!isWellFormed(key)) throw new InvalidEventDataError(`${frame.path}.${key}`, 'key contains a lone UTF-16 surrogate');
    out += `${frame.written++ === 0 ? '' : ','}${JSON.stringify(key)}:`;
    begin(item, `${frame.path}.${key}`);
  }
  return out;
}
