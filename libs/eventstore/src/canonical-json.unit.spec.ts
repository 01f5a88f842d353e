// canonicalJson is the fast path of what canonicalize() computes: the stored text and
// the hash chain rest on the two being equal, so an auditor's canonicaliser agrees.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import canonicalize from 'canonicalize';
import { canonicalJson } from './canonical-json.js';

describe('canonicalJson', () => {
  const samples: unknown[] = [
    { reasons: ['照片不清晰', 'no name plate'], score: 7.5, nested: { z: 1, a: [true, null, { b: 'x' }] } },
    { big: 1e21, small: 1e-7, neg: -0, sum: 0.1 + 0.2, emoji: '👍', escape: 'line\nbreak "quoted" \\ \u0001', gone: undefined },
    { '\u20ac': 1, '\r': 2, a: 3, é: 4, '😀': 5, ﬀ: 6 },
    [],
    'just a string',
    null,
  ];
  for (const [i, data] of samples.entries()) {
    it(`equals canonicalize() (sample ${i})`, () => {
      assert.equal(canonicalJson(data, 'data'), canonicalize(data));
    });
  }
});

describe('canonicalJson on deep values (issue 12: a deep body stored, then every integrity check answered 500)', () => {
  const deep = (levels: number): unknown => {
    let v: unknown = 'core';
    for (let i = 0; i < levels; i++) v = i % 2 ? { a: v } : [v];
    return v;
  };
  it('canonicalises 100,000 levels without overflowing the stack, as JSON.parse reads them', () => {
    const text = `${'[{"a":'.repeat(50_000)}1${'}]'.repeat(50_000)}`;
    assert.equal(canonicalJson(JSON.parse(text), 'data'), text);
  });
  it('refuses what is nested deeper than maxDepth, naming where', () => {
    assert.equal(canonicalJson(deep(64), 'data', { maxDepth: 64 }).length > 0, true);
    assert.throws(
      () => canonicalJson({ x: deep(70) }, 'data', { maxDepth: 64 }),
      (e: Error) => e.name === 'InvalidEventDataError' && /data\.x(\[0\]|\.a)+: is nested more than 64 levels deep/.test(e.message),
    );
  });
  it('still refuses cycles, undefined in arrays, lone surrogates and class instances', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = { again: cycle };
    assert.throws(() => canonicalJson(cycle, 'data'), /data\.self\.again: is a circular reference/);
    assert.throws(() => canonicalJson([1, undefined], 'data'), /data\[1\]: undefined is not JSON/);
    assert.throws(() => canonicalJson({ k: 'a\uD800b' }, 'data'), /data\.k: contains a lone UTF-16 surrogate/);
    assert.throws(() => canonicalJson({ when: new Date(0) }, 'data'), /data\.when: a Date is not plain JSON/);
    // The same object twice, side by side, is not a cycle.
    const shared = { v: 1 };
    assert.equal(canonicalJson({ a: shared, b: shared }, 'data'), '{"a":{"v":1},"b":{"v":1}}');
  });
});
