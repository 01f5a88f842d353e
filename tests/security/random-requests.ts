// Random requests for the fuzz run: values drawn from a route's own JSON Schema (the
// proto-derived schemas of the OpenAPI document), most of them plausible so they get
// past the schema and reach the application, the rest hostile — wrong types, unknown
// and `$` fields, poison text, deep nesting, huge strings, look-alike ids. One seeded
// generator, so a failure is replayed by its seed and case number.

/** A small, fast, seedable PRNG (mulberry32); fast-check drives the property tests, this the bulk fuzz. */
export class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(max: number): number {
    return Math.floor(this.next() * max);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}

/** Ids that exist in the demo city, so many requests name real things. */
export const REAL_IDS = [
  'demo-2026',
  'tax',
  'land',
  'approval',
  'civil',
  'housing',
  'health',
  'tax-window-1',
  'approval-window-3',
  'approval-office',
  'civil-marriage',
  'land-registry',
  'housing-window',
  'city',
  'efficiency',
  'efficiency.2',
  't1',
  'm1',
  'g1',
];

/** Text no read model can hold, or that tries to look like something it is not. */
export const POISON_TEXT = [
  'a\u0000b',
  '\u0000',
  'x\uD800',
  '\uDC00',
  'abc\u202Eevil',
  '\u001b[2J',
  '\u0085',
  '\uFFFF',
  'tax\u200B',
  'ｔａｘ',
  'tаx', // Cyrillic а
  '*',
  '../../etc/passwd',
  '$where',
  '{"$gt":""}',
  "'; DROP TABLE events; --",
  '<script>alert(1)</script>',
  '%00',
  '0001-01-01',
  '9999-12-31',
  '2026-02-30',
  '-1',
  '1e309',
];

const PLAIN_TEXT = ['创建六型机关', '限时办结', 'Plan A', '整改通知书', '张三', '', ' ', '🚩文明窗口', 'a'.repeat(300)];

function randomUnicode(r: Random, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) {
    const roll = r.next();
    const code =
      roll < 0.5 ? 0x4e00 + r.int(0x5000) : roll < 0.8 ? 0x20 + r.int(0x5f) : roll < 0.95 ? r.int(0x10000) : 0x10000 + r.int(0xfffff);
    s += String.fromCodePoint(code);
  }
  return s;
}

export function randomString(r: Random, schema?: Schema): string {
  const roll = r.next();
  if (schema?.format === 'date-time' && roll < 0.6)
    return r.pick(['2026-05-01T08:00:00Z', '2026-12-31T23:59:59+08:00', new Date().toISOString()]);
  if (typeof schema?.pattern === 'string' && schema.pattern.includes('0-9') && roll < 0.5) return String(r.int(1000));
  if (roll < 0.35) return r.pick(REAL_IDS);
  if (roll < 0.55) return r.pick(PLAIN_TEXT);
  if (roll < 0.75) return r.pick(POISON_TEXT);
  if (roll < 0.97) return randomUnicode(r, 1 + r.int(40));
  return randomUnicode(r, 70_000 + r.int(10_000));
}

// biome-ignore lint/suspicious/noExplicitAny: JSON Schema objects from the OpenAPI document
export type Schema = Record<string, any>;

function deepJson(r: Random): unknown {
  let v: unknown = r.pick(['x', 1, null]);
  const depth = 40 + r.int(1500); // beyond any limit of ours; within what JSON.stringify can write
  for (let i = 0; i < depth; i++) v = r.chance(0.5) ? [v] : { a: v };
  return v;
}

/** A random JSON value of no particular shape. */
export function randomJson(r: Random, depth = 0): unknown {
  const roll = r.next();
  if (depth > 3 || roll < 0.3) return r.pick([randomString(r), r.int(10) - 5, 1e308, -0.5, true, false, null]);
  if (roll < 0.5) return Array.from({ length: r.int(4) }, () => randomJson(r, depth + 1));
  if (roll < 0.55) return deepJson(r);
  const out: Record<string, unknown> = {};
  for (let i = r.int(4); i > 0; i--)
    out[r.pick(['$set', 'a.b', '__proto__', 'constructor', randomString(r), 'unitId', 'id'])] = randomJson(r, depth + 1);
  return out;
}

/**
 * A value for `schema`: usually a valid one (so the application runs), with a chance
 * at every level (`hostility`) of something the schema or the application must refuse.
 */
export function fromSchema(r: Random, schema: Schema | undefined, hostility: number, depth = 0): unknown {
  if (!schema || depth > 8) return randomJson(r, 2);
  if (r.chance(hostility)) return r.chance(0.3) ? deepJson(r) : randomJson(r);
  if (schema.enum) return r.pick(schema.enum as unknown[]);
  if (schema.anyOf) return fromSchema(r, r.pick(schema.anyOf as Schema[]), hostility, depth);
  if (schema.oneOf) return fromSchema(r, r.pick(schema.oneOf as Schema[]), hostility, depth);
  const type = Array.isArray(schema.type) ? r.pick(schema.type) : schema.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [name, sub] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) {
        if (r.chance(0.6)) out[name] = fromSchema(r, sub, hostility, depth + 1);
      }
      if (r.chance(hostility)) out[r.pick(['$where', 'extra', 'a.b', 'attachedBy', 'actor'])] = randomJson(r, 2);
      return out;
    }
    case 'array':
      if (r.chance(0.02)) return new Array(20_000).fill(r.pick(REAL_IDS)); // longer than any list a request needs
      return Array.from({ length: r.int(4) }, () => fromSchema(r, schema.items as Schema, hostility, depth + 1));
    case 'string':
      return randomString(r, schema);
    case 'integer':
      return r.pick([0, 1, 2, 50, -1, 2147483648, r.int(1000)]);
    case 'number':
      return r.pick([0, 1.5, -3, 1e300, r.next() * 100]);
    case 'boolean':
      return r.chance(0.5);
    default:
      return randomJson(r, 2);
  }
}
