// Every stream category every built service declares is relayed to its own
// context's topic, wenming.<context>.events.v1 (DESIGN §3), whatever its id holds;
// a category with a dash in it (lookback-review) included.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RecordedEvent } from '@wenming/eventstore';
import { CONTEXTS, type Context, eventsTopic } from '@wenming/messaging';
import { relayTopicOf } from './messaging.js';
import { EVENT_ROUTES, MODULES } from './modules.js';

const streamEvent = (streamId: string) => ({ streamId }) as RecordedEvent;

describe('relay routes', () => {
  const topicOf = relayTopicOf([]);

  it('declares the streams of every built service', () => {
    assert.equal(EVENT_ROUTES.length, Object.keys(MODULES).length);
    for (const { context } of EVENT_ROUTES) assert.ok(CONTEXTS.includes(context as Context), `${context} is a context`);
  });

  it("sends every declared stream category to its context's topic", () => {
    let walked = 0;
    for (const { context, categories } of EVENT_ROUTES) {
      for (const category of categories) {
        for (const id of ['42', '0f8e1c9a-3b1d-4c8e-9a7f-2d6b5e4c3a21', 'plan-7-2026-05', 'review-x']) {
          assert.equal(topicOf(streamEvent(`${category}-${id}`)), eventsTopic(context as Context), `${category}-${id}`);
        }
        walked++;
      }
    }
    assert.ok(walked >= 12, `walked ${walked} categories`);
  });

  it("sends look-back's reviews to the lookback topic", () => {
    assert.equal(topicOf(streamEvent('lookback-review-x')), 'wenming.lookback.events.v1');
  });

  it('sends a stream of no declared category to the platform topic', () => {
    assert.equal(topicOf(streamEvent('somethingelse-1')), 'wenming.platform.events.v1');
    assert.equal(topicOf(streamEvent('lookback-1')), 'wenming.platform.events.v1');
  });
});
