// One check of a request's text, run at both edges before anything is read or
// written (DESIGN §5): an event is permanent, so whatever a command may put into
// one must be something every read model can hold. A NUL once reached the event
// store, the read store refused it, and the projection stopped for good (issue 12).
//
// What is refused, and why:
// - C0 control characters other than tab, line feed and carriage return, DEL and
//   the C1 block: NUL is refused by FerretDB/MongoDB and PostgreSQL's jsonb, and
//   none of them is text a person typed;
// - lone UTF-16 surrogates: not Unicode at all (they cannot be encoded as UTF-8, so
//   every driver either refuses or silently replaces them);
// - U+FFFE and U+FFFF: noncharacters, never text;
// - bidirectional embedding, override and isolate controls (U+202A–U+202E,
//   U+2066–U+2069): they make a name or a finding read differently on screen than
//   it is stored ("Trojan Source"), which an audit record must not allow;
// - keys that are empty, start with `$`, contain `.` or a control character:
//   MongoDB and FerretDB refuse them as field names;
// - nesting deeper than `maxDepth`, strings longer than `maxStringLength`, arrays
//   longer than `maxArrayLength` and more than `maxNodes` values in all: bounds on
//   the work any single request can cause (recursion in canonicalisation, folds).
// Proto field names never trip the key rule; it guards free-form JSON (Struct) fields.
import { type FieldViolation, MAX_VIOLATIONS, ValidationError } from './errors/domain-errors.js';

export interface TextLimits {
  /** Objects and arrays inside one another (default 32; proto requests nest ~6 deep). */
  maxDepth: number;
  /** UTF-16 code units per string (default 65,536: a long plan text, not a file). */
  maxStringLength: number;
  /** Items per array (default 10,000). */
  maxArrayLength: number;
  /** Values in the whole request (default 200,000). */
  maxNodes: number;
}

export const DEFAULT_TEXT_LIMITS: TextLimits = {
  maxDepth: 32,
  maxStringLength: 65_536,
  maxArrayLength: 10_000,
  maxNodes: 200_000,
};

// One pass over the string with a regular expression (linear; V8 compiles it once).
// The surrogate alternatives match a high surrogate not followed by a low one, and a
// low one not preceded by a high one; the `u` flag is off on purpose, so the
// expression sees code units and can find the unpaired ones.
const BAD_CHAR =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF\u202A-\u202E\u2066-\u2069]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function describe(text: string, index: number): string {
  const code = text.charCodeAt(index);
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  if (code >= 0xd800 && code <= 0xdfff) return `a lone surrogate (${hex}) at character ${index}: not valid Unicode`;
  if ((code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069)) {
    return `a bidirectional control character (${hex}) at character ${index}: it makes text read differently than it is stored`;
  }
  if (code === 0xfffe || code === 0xffff) return `a Unicode noncharacter (${hex}) at character ${index}`;
  return `a control character (${hex}) at character ${index}; only tab, line feed and carriage return are allowed`;
}

/** Why `text` cannot be stored, or undefined when it can. */
export function textProblem(text: string, maxLength = DEFAULT_TEXT_LIMITS.maxStringLength): string | undefined {
  if (text.length > maxLength) return `is ${text.length} characters long; at most ${maxLength} are allowed`;
  const bad = BAD_CHAR.exec(text);
  return bad ? `contains ${describe(text, bad.index)}` : undefined;
}

function keyProblem(key: string): string | undefined {
  if (key === '') return 'is an empty key';
  if (key.startsWith('$')) return 'is a key starting with "$", which no read store can hold';
  if (key.includes('.')) return 'is a key containing ".", which no read store can hold';
  return textProblem(key, 200);
}

function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

/**
 * Throws ValidationError naming the first field (`tasks[2].title`) whose text no
 * read model can hold, listing every such field (at most MAX_VIOLATIONS) in its
 * violations; or naming the first that is too deep, long or large, at once. Iterative,
 * so the depth check itself cannot overflow the stack; linear in the size of the request.
 */
export function checkRequestText(request: unknown, limits: Partial<TextLimits> = {}, root = ''): void {
  const { maxDepth, maxStringLength, maxArrayLength, maxNodes } = { ...DEFAULT_TEXT_LIMITS, ...limits };
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value: request, path: root, depth: 0 }];
  let nodes = 0;
  const fail = (path: string, message: string): never => {
    throw new ValidationError(path || 'request', message);
  };
  const violations: FieldViolation[] = [];
  const note = (path: string, message: string): void => {
    violations.push({ field: path || 'request', message });
  };
  while (stack.length > 0 && violations.length < MAX_VIOLATIONS) {
    const { value, path, depth } = stack.pop()!;
    if (++nodes > maxNodes) fail(root, `has more than ${maxNodes} values; split it into several requests`);
    if (typeof value === 'string') {
      const problem = textProblem(value, maxStringLength);
      if (problem) note(path, problem);
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= maxDepth) fail(path, `is nested more than ${maxDepth} levels deep`);
    if (Array.isArray(value)) {
      if (value.length > maxArrayLength) fail(path, `has ${value.length} items; at most ${maxArrayLength} are allowed`);
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], path: join(path, i), depth: depth + 1 });
      continue;
    }
    if (value instanceof Uint8Array || value instanceof Date) continue; // bytes and times of a decoded gRPC message
    const entries = Object.entries(value);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, item] = entries[i]!;
      const problem = keyProblem(key);
      if (problem) note(join(path, key), problem);
      else stack.push({ value: item, path: join(path, key), depth: depth + 1 });
    }
  }
  if (violations.length > 0) throw ValidationError.of(violations);
}
