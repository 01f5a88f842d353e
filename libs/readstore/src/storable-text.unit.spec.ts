import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RecordedEvent } from '@wenming/eventstore';
import { storableEvent } from './storable-text.js';

const event = (data: Record<string, unknown>) => ({ id: 'e1', type: 'T', data }) as unknown as RecordedEvent;

describe('storableEvent: the text projections get', () => {
  it('is the event itself when every string can be stored', () => {
    const e = event({ name: '市税务局 🚩', tasks: [{ title: 'a\tb\n' }], n: 1, ok: true, none: null });
    assert.equal(storableEvent(e), e);
  });

  it('replaces NUL and lone surrogates, in values and keys, at any depth, and leaves the event alone', () => {
    const e = event({ name: 'a\u0000b', tasks: [{ title: 'x\uD800', ok: '\uD83D\uDE00' }], nested: { 'k\u0000': '\uDC00y' } });
    const s = storableEvent(e);
    assert.notEqual(s, e);
    assert.deepEqual(s.data, { name: 'a\uFFFDb', tasks: [{ title: 'x\uFFFD', ok: '\uD83D\uDE00' }], nested: { 'k\uFFFD': '\uFFFDy' } });
    assert.equal((e.data as { name: string }).name, 'a\u0000b');
  });
});
