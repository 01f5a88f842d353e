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
