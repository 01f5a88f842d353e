// Every verification and fold is linear (issue 12, item 4: a 16 MB dossier blocked
// the only thread for 308 s). One unit, one stream of 100,000 events in a real SQLite
// store: the as-of state, the diff, the integrity check, the dossier export and its
// offline verification each finish in seconds. The bounds are generous (a shared,
// slow machine); quadratic work on 100,000 events takes minutes, not seconds.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SqliteEventStore } from '@wenming/eventstore';
import { buildDossier } from '../dossier/export.js';
import { verifyDossier } from '../dossier/verify.js';
import { diffAsOf, stateAsOf, verifyUnit } from './history.js';

const EVENTS = 100_000;
const BATCH = 10_000;
const dir = mkdtempSync(join(tmpdir(), 'wenming-lookback-scale-'));
const T0 = Date.UTC(2025, 2, 1);
// Batch k is recorded at T0 + k seconds, so "as of" splits the stream between batches.
let batch = 0;
const at = (k: number) => new Date(T0 + k * 1000).toISOString();
const store = new SqliteEventStore({ path: join(dir, 'events.db'), now: () => new Date(at(batch)) });
const unitId = 'scale-u1';
const streamId = 'rectification-scale-r1';
const figures: Record<string, number> = {};

async function timed<T>(name: string, boundSec: number, fn: () => Promise<T> | T): Promise<T> {
  const t = performance.now();
  const out = await fn();
  const seconds = (performance.now() - t) / 1000;
  figures[name] = Math.round(seconds * 100) / 100;
  assert.ok(seconds < boundSec, `${name} took ${seconds.toFixed(1)} s for ${EVENTS} events (bound ${boundSec} s)`);
  return out;
}

before(async () => {
  const actor = { id: 'clerk-1', role: 'unit' };
  const ev = (i: number) => ({
    id: randomUUID(),
    type: i === 0 ? 'RectificationOrdered' : 'RectificationProgressReported',
    data:
      i === 0
        ? { rectificationId: 'r1', findingId: 'f1', unitId, requirements: '更新公示栏', deadlineDate: '2025-04-30' }
        : { rectificationId: 'r1', step: i, description: `进展 ${i}`, percentComplete: i % 100 },
    occurredAt: new Date(T0).toISOString(),
    metadata: { unitId, actor },
  });
  for (let from = 0; from < EVENTS; from += BATCH, batch++) {
    await store.append(
      streamId,
      Array.from({ length: BATCH }, (_, j) => ev(from + j)),
    );
  }
});
after(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
  console.log(`100,000 events in one stream, seconds: ${JSON.stringify(figures)}`);
});

describe(`look-back on one stream of ${EVENTS} events`, () => {
  it('folds the state as of an instant, and the diff between two', async () => {
    // Batches 0-4 were recorded by at(4): half the stream.
    const state = await timed('stateAsOf', 20, () => stateAsOf(store, unitId, at(4)));
    assert.equal(state.eventCount, EVENTS / 2);
    const diff = await timed('diffAsOf', 30, () => diffAsOf(store, unitId, at(0), at(9)));
    assert.equal(diff.eventsBetween, EVENTS - BATCH);
  });

  it('verifies the integrity of the unit', async () => {
    const integrity = await timed('verifyUnit', 30, () => verifyUnit(store, unitId));
    assert.equal(integrity.intact, true);
    assert.equal(integrity.eventsChecked, EVENTS);
  });

  it('exports the dossier, and the offline verifier checks it', async () => {
    const dossier = await timed('buildDossier', 60, () => buildDossier(store, unitId));
    figures.eventsJsonMB = Math.round(Buffer.byteLength(dossier.files['events.json']) / 1e5) / 10;
    const result = await timed('verifyDossier', 30, () =>
      verifyDossier({ eventsJson: dossier.files['events.json'], manifestJson: dossier.files['manifest.json'] }),
    );
    assert.deepEqual(result.problems, []);
    assert.equal(result.eventsChecked, EVENTS);
  });
});
