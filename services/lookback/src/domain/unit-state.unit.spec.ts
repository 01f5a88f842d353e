// "As of T" is what had been RECORDED by T (DESIGN §3): an auditor asks what the
// office knew when it granted the title, not what happened before then.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { recorded } from '../test-support/history.js';
import { summarize } from './summaries.js';
import { diffUnitStates, unitStateAsOf } from './unit-state.js';

const R = 'rectification-r1';
const history = [
  recorded(
    'plan-p1',
    'PlanDrafted',
    { planId: 'p1', campaignId: 'c1', unitId: 'u1', content: { tasks: [{ taskId: 't1', title: '公示栏', deadlineDate: '2025-03-31' }] } },
    '2025-02-01T09:00:00Z',
  ),
  recorded('plan-p1', 'PlanSubmitted', { planId: 'p1', submission: 1, late: false }, '2025-02-10T09:00:00Z'),
  recorded('plan-p1', 'PlanApproved', { planId: 'p1', submission: 1, version: 1, effectiveDate: '2025-03-01' }, '2025-02-20T09:00:00Z'),
  recorded(
    'inspection-i1',
    'FindingRecorded',
    {
      findingId: 'f1',
      inspectionId: 'i1',
      unitId: 'u1',
      severity: 'SEVERITY_GENERAL',
      description: '窗口公示栏信息过期',
      publicConcern: true,
    },
    '2025-03-05T09:00:00Z',
  ),
  recorded(
    'inspection-i1',
    'CriterionScored',
    { inspectionId: 'i1', unitId: 'u1', score: { criterionId: 'k1', points: { hundredths: 750 }, maxPoints: { hundredths: 1000 } } },
    '2025-03-05T10:00:00Z',
  ),
  recorded(
    R,
    'RectificationOrdered',
    { rectificationId: 'r1', findingId: 'f1', unitId: 'u1', requirements: '更新公示栏', deadlineDate: '2025-04-30' },
    '2025-03-06T09:00:00Z',
  ),
  recorded(R, 'RectificationAcknowledged', { rectificationId: 'r1', responsiblePerson: { name: '张三' } }, '2025-03-07T09:00:00Z'),
  recorded(R, 'RectificationProgressReported', { rectificationId: 'r1', step: 1, percentComplete: 50 }, '2025-03-20T09:00:00Z'),
  recorded(R, 'RectificationCompletionReported', { rectificationId: 'r1', summary: '已更新' }, '2025-04-10T09:00:00Z'),
  recorded(R, 'RectificationVerificationPassed', { rectificationId: 'r1' }, '2025-04-15T09:00:00Z'),
  recorded(R, 'RectificationClosed', { rectificationId: 'r1' }, '2025-04-16T09:00:00Z'),
  recorded(
    'award-a1',
    'TitleAwarded',
    { awardId: 'a1', title: 'TITLE_KIND_WINNER', score: { hundredths: 9200 }, valid: { startDate: '2025-05-01', endDate: '2026-04-30' } },
    '2025-05-01T09:00:00Z',
  ),
  // Business time before the title, recorded after it: not known at the appraisal.
  recorded(
    R,
    'RectificationRegressed',
    { rectificationId: 'r1', lookbackReviewId: 'lb1', description: '公示栏又过期' },
    '2025-09-01T09:00:00Z',
    { occurredAt: '2025-04-20T00:00:00Z' },
  ),
  recorded('complaint-c1', 'ComplaintReceived', { complaintId: 'c1', summary: '办事排长队', publicConcern: true }, '2025-09-02T09:00:00Z'),
  recorded('complaint-c1', 'ComplaintClosedNotSolved', { complaintId: 'c1', reason: '场地不足' }, '2025-09-20T09:00:00Z'),
  recorded('case-x1', 'AccountabilityCaseOpened', { caseId: 'x1', unitId: 'u1', summary: '整改反弹' }, '2025-09-21T09:00:00Z'),
  recorded(
    'case-x1',
    'AccountabilityMeasuresDecided',
    { caseId: 'x1', measures: [{ kind: 'MEASURE_KIND_ADMONITION' }] },
    '2025-09-25T09:00:00Z',
  ),
  recorded('award-a1', 'TitleRevoked', { awardId: 'a1', title: 'TITLE_KIND_WINNER', explanation: '问题反弹' }, '2025-10-01T09:00:00Z'),
  recorded('novel-n1', 'SomethingNobodyPlannedFor', { note: 'new service', level: 3 }, '2025-10-02T09:00:00Z'),
];

describe('unit state as of an instant', () => {
  it('at the appraisal the rectification was closed with every step, and the title awarded', () => {
    const s = unitStateAsOf('u1', history, '2025-05-01T09:00:00Z');
    const r = s.rectifications.r1!;
    assert.equal(r.status, 'closed');
    assert.equal(r.publicConcern, true, 'the finding was a public-concern problem');
    assert.deepEqual(
      r.steps.map((step) => step.type),
      [
        'RectificationOrdered',
        'RectificationAcknowledged',
        'RectificationProgressReported',
        'RectificationCompletionReported',
        'RectificationVerificationPassed',
        'RectificationClosed',
      ],
    );
    assert.equal(s.titles.a1?.status, 'awarded');
    assert.equal(s.titles.a1?.score, 9200);
    assert.equal(s.plans.p1?.status, 'approved');
    assert.equal(s.plans.p1?.tasks.t1?.deadlineDate, '2025-03-31');
    assert.equal(s.inspections.i1?.scores.k1?.points, 750);
    assert.equal(s.eventCount, 12);
    assert.deepEqual(s.complaints, {});
  });

  it('uses recorded time: a regression that occurred in April but was recorded in September is not known in May', () => {
    assert.equal(unitStateAsOf('u1', history, '2025-06-01T00:00:00Z').rectifications.r1?.status, 'closed');
    const later = unitStateAsOf('u1', history, '2025-09-01T09:00:00Z');
    assert.equal(later.rectifications.r1?.status, 'regressed');
    assert.equal(later.rectifications.r1?.regressions, 1);
  });

  it('an instant before the first event gives the empty state', () => {
    const s = unitStateAsOf('u1', history, '2024-01-01T00:00:00Z');
    assert.equal(s.eventCount, 0);
    assert.deepEqual(s.plans, {});
  });

  it('a complaint closed as not solved stays not solved; accountability measures are kept', () => {
    const s = unitStateAsOf('u1', history);
    assert.equal(s.complaints.c1?.status, 'closed-not-solved');
    assert.deepEqual(s.accountabilityCases.x1?.measures, ['MEASURE_KIND_ADMONITION']);
    assert.equal(s.titles.a1?.status, 'revoked');
  });

  it('an event type nobody taught it lands in the generic bucket with a readable line', () => {
    const s = unitStateAsOf('u1', history);
    assert.equal(s.other.SomethingNobodyPlannedFor?.count, 1);
    assert.equal(s.other.SomethingNobodyPlannedFor?.last.summary, 'Something Nobody Planned For (note=new service, level=3)');
  });

  it('is a function of the events: the same events give the same state', () => {
    assert.deepEqual(unitStateAsOf('u1', history, '2025-09-30T00:00:00Z'), unitStateAsOf('u1', history, '2025-09-30T00:00:00Z'));
  });

  it('rejects an instant that is not one', () => {
    assert.throws(() => unitStateAsOf('u1', history, 'yesterday'), RangeError);
  });
});

describe('what changed between two instants', () => {
  it('between the appraisal and the look-back: the rectification regressed, a complaint arrived, the title was revoked', () => {
    const before = unitStateAsOf('u1', history, '2025-05-01T09:00:00Z');
    const after = unitStateAsOf('u1', history, '2025-10-01T09:00:00Z');
    const changes = diffUnitStates(before, after);
    const byPath = new Map(changes.map((c) => [c.path, c]));
    assert.deepEqual(byPath.get('rectifications[r1].status'), {
      path: 'rectifications[r1].status',
      kind: 'changed',
      before: 'closed',
      after: 'regressed',
    });
    assert.equal(byPath.get('rectifications[r1].steps')?.kind, 'added');
    const addedSteps = byPath.get('rectifications[r1].steps')?.after as { type: string }[] | undefined;
    assert.equal(addedSteps?.[0]?.type, 'RectificationRegressed');
    assert.equal(byPath.get('complaints[c1]')?.kind, 'added');
    assert.equal(byPath.get('accountabilityCases[x1]')?.kind, 'added');
    assert.deepEqual(byPath.get('titles[a1].status'), { path: 'titles[a1].status', kind: 'changed', before: 'awarded', after: 'revoked' });
    assert.equal(byPath.has('plans[p1].status'), false, 'the plan did not change');
  });

  it('no change between two instants with nothing recorded between them', () => {
    assert.deepEqual(
      diffUnitStates(unitStateAsOf('u1', history, '2025-06-01T00:00:00Z'), unitStateAsOf('u1', history, '2025-07-01T00:00:00Z')),
      [],
    );
  });
});

describe('summaries', () => {
  it('known types read in English with the seeds’ term', () => {
    assert.equal(summarize(history[5]!), 'Rectification r1 ordered, “更新公示栏”, deadline 2025-04-30 · 整改');
  });
  it('a malformed payload of a known type still gives a line', () => {
    assert.match(summarize({ type: 'CriterionScored', streamId: 'inspection-x', data: null }), /Criterion \? scored/);
  });
});
