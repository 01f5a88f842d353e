import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRateLimiter } from './rate-limiter.js';

describe('createRateLimiter: a token bucket per key', () => {
  it('allows a burst of max, refuses the next, and says when to come back', () => {
    let t = 0;
    const limiter = createRateLimiter({ max: 3, windowMs: 3000, now: () => t });
    for (let i = 0; i < 3; i++) assert.equal(limiter.take('a').allowed, true);
    const refused = limiter.take('a');
    assert.equal(refused.allowed, false);
    assert.equal(refused.retryAfterMs, 1000);
    t = 999;
    assert.equal(limiter.take('a').allowed, false);
    t = 2000;
    assert.equal(limiter.take('a').allowed, true, 'a token came back after windowMs / max');
  });

  it('keys count apart: one caller at its limit leaves another untouched', () => {
    const limiter = createRateLimiter({ max: 1, windowMs: 60_000, now: () => 0 });
    assert.equal(limiter.take('sub:a /svc/Get').allowed, true);
    assert.equal(limiter.take('sub:a /svc/Get').allowed, false);
    assert.equal(limiter.take('sub:b /svc/Get').allowed, true);
    assert.equal(limiter.take('sub:a /svc/List').allowed, true);
  });

  it('a steady caller at the rate is never refused; a bucket never holds more than max', () => {
    let t = 0;
    const limiter = createRateLimiter({ max: 10, windowMs: 1000, now: () => t });
    for (let i = 0; i < 1000; i++) {
      t += 100;
      assert.equal(limiter.take('a').allowed, true);
    }
    t += 1_000_000;
    let allowed = 0;
    while (limiter.take('a').allowed) allowed++;
    assert.equal(allowed, 10);
  });

  it('remembers at most maxKeys keys, forgetting the least recently seen', () => {
    const limiter = createRateLimiter({ max: 1, windowMs: 60_000, maxKeys: 2, now: () => 0 });
    limiter.take('a');
    limiter.take('b');
    limiter.take('a');
    limiter.take('c'); // forgets b, the least recent
    assert.equal(limiter.take('a').allowed, false, 'a is still remembered');
    assert.equal(limiter.take('b').allowed, true, 'b was forgotten, so it starts full');
  });
});
