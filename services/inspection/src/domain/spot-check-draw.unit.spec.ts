// 双随机: the draw is recorded with everything needed to re-run it, and a re-run gives the same result.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DeciderSpecification } from '@wenming/service-kit/testing';
import { ForbiddenTransitionError, ValidationError } from './shared.js';
import { type DrawInput, drawDecider, runDraw, seededGenerator, verifyDraw } from './spot-check-draw.js';

const INPUT: DrawInput = {
  seed: '2004-05-08 公开摇号 38271',
  unitCandidates: ['u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7', 'u8'].map((id) => ({ id })),
  inspectorCandidates: [{ id: 'a', excludedPairings: ['u1'] }, { id: 'b' }, { id: 'c' }, { id: 'd', excludedPairings: ['u2', 'u3'] }],
  unitsToDraw: 3,
  inspectorsPerUnit: 2,
};

describe('spot-check draw 双随机', () => {
  it('the same seed and candidates give the same draw, every time', () => {
    const first = runDraw(INPUT);
    for (let i = 0; i < 5; i++) assert.deepEqual(runDraw(structuredClone(INPUT)), first);
    assert.equal(first.drawnUnitIds.length, 3);
    assert.equal(new Set(first.drawnUnitIds).size, 3);
  });
  it('another seed gives another draw', () => {
    const draws = new Set(['s1', 's2', 's3', 's4', 's5'].map((seed) => JSON.stringify(runDraw({ ...INPUT, seed }))));
    assert.ok(draws.size > 1);
  });
  it('the generator is fixed forever: this seed always starts with these numbers', () => {
    const next = seededGenerator('wenming');
    const a = [next(), next(), next()];
    const again = seededGenerator('wenming');
    assert.deepEqual([again(), again(), again()], a);
    for (const x of a) assert.ok(Number.isInteger(x) && x >= 0 && x < 2 ** 32);
  });
  it('no inspector is paired with a unit they are excluded from (回避), none twice on one unit', () => {
    for (let s = 0; s < 50; s++) {
      const { assignments } = runDraw({ ...INPUT, seed: `seed-${s}`, unitsToDraw: 8 });
      for (const a of assignments) {
        assert.equal(new Set(a.inspectorIds).size, 2);
        if (a.unitId === 'u1') assert.ok(!a.inspectorIds.includes('a'));
        if (a.unitId === 'u2' || a.unitId === 'u3') assert.ok(!a.inspectorIds.includes('d'));
      }
    }
  });
  it('the recorded draw carries seed, candidates and result, and re-running it matches', () => {
    const [event] = [
      drawDecider.decide({ type: 'DrawSpotCheck', data: { ...INPUT, drawId: 'd1', campaignId: 'c2004' } }, { status: 'none' }),
    ].flat();
    assert.equal(event!.data.seed, INPUT.seed);
    assert.deepEqual(event!.data.unitCandidates, INPUT.unitCandidates);
    assert.deepEqual(event!.data.drawnUnitIds, runDraw(INPUT).drawnUnitIds);
    assert.equal(verifyDraw(event!.data).matches, true);
    const tampered = { ...event!.data, drawnUnitIds: ['u1', 'u2', 'u3'] };
    assert.equal(verifyDraw(tampered).matches, runDraw(INPUT).drawnUnitIds.join() === 'u1,u2,u3');
  });
  it('a recorded draw is never redrawn', () => {
    const spec = DeciderSpecification.for(drawDecider);
    const events = [
      drawDecider.decide({ type: 'DrawSpotCheck', data: { ...INPUT, drawId: 'd1', campaignId: 'c2004' } }, { status: 'none' }),
    ].flat();
    spec
      .given(events)
      .when({ type: 'DrawSpotCheck', data: { ...INPUT, drawId: 'd1', campaignId: 'c2004' } })
      .thenThrows(ForbiddenTransitionError, (e) => e.currentState === 'drawn');
  });
  it('the seed is required; more units than candidates is refused', () => {
    assert.throws(
      () => runDraw({ ...INPUT, seed: '' }),
      (e: unknown) => e instanceof ValidationError && e.field === 'seed',
    );
    assert.throws(
      () => runDraw({ ...INPUT, unitsToDraw: 9 }),
      (e: unknown) => e instanceof ValidationError && e.field === 'unitsToDraw',
    );
  });
});
