// The plan lifecycle of seed 000 三.1 ("实施方案报市直机关创建办审核后方可实施"):
// draft → submitted → approved, or returned with comments naming what to fix →
// revised → resubmitted; an approved plan is amended and the amendment reviewed again.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ForbiddenTransitionError, ValidationError } from '@wenming/service-kit';
import { DeciderSpecification } from '@wenming/service-kit/testing';
import { type PlanEvent, planDecider } from './plan.js';
import { CAMPAIGN_PERIOD, COMPLETE_PLAN, SIX_TYPES } from './test-data.js';

const spec = DeciderSpecification.for(planDecider);
const planId = 'p1';
const catalog = SIX_TYPES;
const period = CAMPAIGN_PERIOD;
const drafted: PlanEvent = { type: 'PlanDrafted', data: { planId, campaignId: 'c1', unitId: 'u1', content: COMPLETE_PLAN } };
const submitted: PlanEvent = {
  type: 'PlanSubmitted',
  data: { planId, submission: 1, contentSha256: 'sha-1', submittedOn: '2025-02-20', deadline: '2025-02-28', late: false },
};
const comments = [{ section: 'tasks', comment: '任务要分解到处室和责任人' }];
const returned: PlanEvent = { type: 'PlanReturned', data: { planId, submission: 1, comments } };
const revised: PlanEvent = { type: 'PlanDraftRevised', data: { planId, content: COMPLETE_PLAN, changeNote: '已按意见分解任务' } };
const approved: PlanEvent = {
  type: 'PlanApproved',
  data: { planId, submission: 1, contentSha256: 'sha-1', version: 1, effectiveDate: '2025-03-01' },
};
const amendment: PlanEvent = {
  type: 'PlanAmendmentSubmitted',
  data: { planId, amendmentId: 'a1', content: COMPLETE_PLAN, reason: '增加建章立制任务', contentSha256: 'sha-a1' },
};
const submit = (submittedOn = '2025-02-20', deadline: string | undefined = '2025-02-28') =>
  ({ type: 'SubmitPlan', data: { submittedOn, contentSha256: 'sha-1', catalog, period, ...(deadline ? { deadline } : {}) } }) as const;

describe('Plan: drafting', () => {
  it('a unit drafts its plan for a campaign', () =>
    spec
      .given([])
      .when({ type: 'DraftPlan', data: { planId, campaignId: 'c1', unitId: 'u1', content: COMPLETE_PLAN, catalog, period } })
      .then(drafted));

  it('a draft may be incomplete, but its links must be criteria of the campaign catalog', () => {
    spec
      .given([])
      .when({ type: 'DraftPlan', data: { planId, campaignId: 'c1', unitId: 'u1', content: { title: '草稿' }, catalog, period } })
      .then({
        type: 'PlanDrafted',
        data: { planId, campaignId: 'c1', unitId: 'u1', content: { title: '草稿' } },
      });
    const badLink = {
      ...COMPLETE_PLAN,
      measures: [{ measureId: 'm1', dimensionId: 'efficiency', criterionIds: ['law-based.1'], description: 'x' }],
    };
    spec
      .given([])
      .when({ type: 'DraftPlan', data: { planId, campaignId: 'c1', unitId: 'u1', content: badLink, catalog, period } })
      .thenThrows(ValidationError, (e) => e.field === 'content.measures[0].criterionIds[0]');
  });

  it('a draft is revised freely; drafting twice is forbidden', () => {
    spec
      .given([drafted])
      .when({ type: 'RevisePlanDraft', data: { content: COMPLETE_PLAN, catalog, period } })
      .then({ type: 'PlanDraftRevised', data: { planId, content: COMPLETE_PLAN } });
    spec
      .given([drafted])
      .when({ type: 'DraftPlan', data: { planId, campaignId: 'c1', unitId: 'u1', content: COMPLETE_PLAN, catalog, period } })
      .thenThrows(ForbiddenTransitionError, (e) => e.currentState === 'draft');
  });
});

describe('Plan: ids and dates', () => {
  const otherUnits = { planId, campaignId: 'c1', unitId: 'u2', content: COMPLETE_PLAN, catalog, period };
  it('drafting under an id another unit’s plan holds gets one answer, whatever that plan’s state', () => {
    const answers = [[drafted], [drafted, submitted], [drafted, submitted, approved], [drafted, submitted, returned]].map((given) => {
      let message = '';
      spec
        .given(given)
        .when({ type: 'DraftPlan', data: otherUnits })
        .thenThrows(ValidationError, (e) => {
          message = e.message;
          return e.field === 'planId';
        });
      return message;
    });
    for (const m of answers) assert.equal(m, answers[0]);
    assert.doesNotMatch(answers[0]!, /draft|submitted|approved|returned/);
  });

  it('task deadlines and planned rules fall within the campaign’s period', () => {
    const task = COMPLETE_PLAN.tasks![0]!;
    for (const deadlineDate of ['2024-12-31', '2028-01-01', '0001-01-01', '9999-12-31'])
      spec
        .given([])
        .when({
          type: 'DraftPlan',
          data: { ...otherUnits, unitId: 'u1', content: { ...COMPLETE_PLAN, tasks: [{ ...task, deadlineDate }] } },
        })
        .thenThrows(ValidationError, (e) => e.field === 'content.tasks[0].deadlineDate' && /outside the campaign period/.test(e.message));
    spec
      .given([drafted])
      .when({
        type: 'RevisePlanDraft',
        data: { content: { ...COMPLETE_PLAN, plannedRules: [{ title: 'x', dueDate: '2099-01-01' }] }, catalog, period },
      })
      .thenThrows(ValidationError, (e) => e.field === 'content.plannedRules[0].dueDate');
    spec
      .given([drafted, submitted, approved])
      .when({
        type: 'SubmitPlanAmendment',
        data: {
          amendmentId: 'a1',
          reason: 'x',
          contentSha256: 'sha-a1',
          catalog,
          period,
          content: { ...COMPLETE_PLAN, tasks: [{ ...task, deadlineDate: '2030-06-30' }] },
        },
      })
      .thenThrows(ValidationError, (e) => e.field === 'content.tasks[0].deadlineDate');
  });

  it('an approval takes effect within the campaign’s period', () => {
    for (const effectiveDate of ['0001-01-01', '2024-12-31', '2028-01-01'])
      spec
        .given([drafted, submitted])
        .when({ type: 'ApprovePlan', data: { effectiveDate, period } })
        .thenThrows(ValidationError, (e) => e.field === 'effectiveDate');
    spec
      .given([drafted, submitted, approved, amendment])
      .when({ type: 'ApprovePlanAmendment', data: { amendmentId: 'a1', effectiveDate: '9999-01-01', period } })
      .thenThrows(ValidationError, (e) => e.field === 'effectiveDate');
  });
});

describe('Plan: submission, with deadline awareness', () => {
  it('a complete draft is submitted; on time when before the deadline', () => spec.given([drafted]).when(submit()).then(submitted));

  it('a submission after the campaign deadline is recorded as late', () =>
    spec
      .given([drafted])
      .when(submit('2025-03-03'))
      .then({ type: 'PlanSubmitted', data: { ...submitted.data, submittedOn: '2025-03-03', late: true } } as PlanEvent));

  it('a plan without tasks decomposed to an office and a person is not submitted', () => {
    const noOwner = { ...COMPLETE_PLAN, tasks: [{ ...COMPLETE_PLAN.tasks![0]!, owner: { officeName: '办公室' } }] };
    spec
      .given([{ ...drafted, data: { ...drafted.data, content: noOwner } } as PlanEvent])
      .when(submit())
      .thenThrows(ValidationError, (e) => e.field === 'content.tasks[0].owner.person.name');
    const noGroup = { ...COMPLETE_PLAN, leadingGroup: {} };
    spec
      .given([{ ...drafted, data: { ...drafted.data, content: noGroup } } as PlanEvent])
      .when(submit())
      .thenThrows(ValidationError, (e) => e.field === 'content.leadingGroup.leader.name');
  });

  it('a plan submitted is not submitted again, nor revised', () => {
    spec
      .given([drafted, submitted])
      .when(submit())
      .thenThrows(ForbiddenTransitionError, (e) => e.currentState === 'submitted');
    spec
      .given([drafted, submitted])
      .when({ type: 'RevisePlanDraft', data: { content: COMPLETE_PLAN, catalog, period } })
      .thenThrows(ForbiddenTransitionError, (e) => e.currentState === 'submitted');
  });
});

describe('Plan: review by the campaign office', () => {
  it('the office approves a submitted plan: version 1 is in force', () =>
    spec
      .given([drafted, submitted])
      .when({ type: 'ApprovePlan', data: { effectiveDate: '2025-03-01', period } })
      .then(approved));

  it('approving a draft is forbidden, naming the current state', () =>
    spec
      .given([drafted])
      .when({ type: 'ApprovePlan', data: { effectiveDate: '2025-03-01', period } })
      .thenThrows(ForbiddenTransitionError, (e) => e.currentState === 'draft' && e.message.includes('draft')));

  it('the office returns a plan with comments naming what to fix', () =>
    spec.given([drafted, submitted]).when({ type: 'ReturnPlan', data: { comments } }).then(returned));

  it('returning without comments, or with an empty one, is refused naming the field', () => {
    spec
      .given([drafted, submitted])
      .when({ type: 'ReturnPlan', data: { comments: [] } })
      .thenThrows(ValidationError, (e) => e.field === 'comments');
    spec
      .given([drafted, submitted])
      .when({ type: 'ReturnPlan', data: { comments: [{ section: 'goals', comment: ' ' }] } })
      .thenThrows(ValidationError, (e) => e.field === 'comments[0].comment');
  });

  it('a draft cannot be returned', () =>
    spec
      .given([drafted])
      .when({ type: 'ReturnPlan', data: { comments } })
      .thenThrows(ForbiddenTransitionError, (e) => e.currentState === 'draft'));
});

describe('Plan: returned → revised → resubmitted', () => {
  it('a returned plan is not resubmitted unrevised', () =>
    spec
      .given([drafted, submitted, returned])
      .when(submit())
      .thenThrows(ForbiddenTransitionError, (e) => e.currentState === 'returned'));

  it('the revision of a returned plan says how it answers the comments', () => {
    spec
      .given([drafted, submitted, returned])
      .when({ type: 'RevisePlanDraft', data: { content: COMPLETE_PLAN, catalog, period } })
      .thenThrows(ValidationError, (e) => e.field === 'changeNote');
    spec
      .given([drafted, submitted, returned])
      .when({ type: 'RevisePlanDraft', data: { content: COMPLETE_PLAN, catalog, period, changeNote: '已按意见分解任务' } })
      .then(revised);
  });

  it('the revised plan is resubmitted as submission 2', () =>
    spec
      .given([drafted, submitted, returned, revised])
      .when(submit('2025-03-05'))
      .then({ type: 'PlanSubmitted', data: { ...submitted.data, submission: 2, submittedOn: '2025-03-05', late: true } } as PlanEvent));

  it('a revised plan is not approved before it is resubmitted', () =>
    spec
      .given([drafted, submitted, returned, revised])
      .when({ type: 'ApprovePlan', data: { effectiveDate: '2025-03-01', period } })
      .thenThrows(ForbiddenTransitionError, (e) => e.currentState === 'revised'));
});

describe('Plan: amendments of an approved plan', () => {
  const amend = {
    type: 'SubmitPlanAmendment',
    data: { amendmentId: 'a1', content: COMPLETE_PLAN, reason: '增加建章立制任务', contentSha256: 'sha-a1', catalog, period },
  } as const;

  it('an approved plan is amended, not revised', () => {
    spec.given([drafted, submitted, approved]).when(amend).then(amendment);
    spec
      .given([drafted, submitted, approved])
      .when({ type: 'RevisePlanDraft', data: { content: COMPLETE_PLAN, catalog, period } })
      .thenThrows(ForbiddenTransitionError, (e) => e.currentState === 'approved' && e.message.includes('amendment'));
  });

  it('an amendment needs a reason; a draft cannot be amended; one amendment at a time', () => {
    spec
      .given([drafted, submitted, approved])
      .when({ ...amend, data: { ...amend.data, reason: '' } })
      .thenThrows(ValidationError, (e) => e.field === 'reason');
    spec
      .given([drafted])
      .when(amend)
      .thenThrows(ForbiddenTransitionError, (e) => e.currentState === 'draft');
    spec
      .given([drafted, submitted, approved, amendment])
      .when(amend)
      .thenThrows(ForbiddenTransitionError, (e) => e.currentState === 'amendment under review');
  });

  it('the office approves the amendment: version 2 is in force', () =>
    spec
      .given([drafted, submitted, approved, amendment])
      .when({ type: 'ApprovePlanAmendment', data: { amendmentId: 'a1', effectiveDate: '2025-06-01', period } })
      .then({ type: 'PlanAmendmentApproved', data: { planId, amendmentId: 'a1', version: 2, effectiveDate: '2025-06-01' } }));

  it('the office returns the amendment with comments; version 1 stays in force', () => {
    spec
      .given([drafted, submitted, approved, amendment])
      .when({ type: 'ReturnPlanAmendment', data: { amendmentId: 'a1', comments } })
      .then({ type: 'PlanAmendmentReturned', data: { planId, amendmentId: 'a1', comments } });
    spec
      .given([drafted, submitted, approved, amendment])
      .when({ type: 'ReturnPlanAmendment', data: { amendmentId: 'a1', comments: [] } })
      .thenThrows(ValidationError, (e) => e.field === 'comments');
  });

  it('reviewing an amendment that is not under review is forbidden; the wrong id is refused', () => {
    spec
      .given([drafted, submitted, approved])
      .when({ type: 'ApprovePlanAmendment', data: { amendmentId: 'a1', effectiveDate: '2025-06-01', period } })
      .thenThrows(ForbiddenTransitionError, (e) => e.currentState === 'approved');
    spec
      .given([drafted, submitted, approved, amendment])
      .when({ type: 'ApprovePlanAmendment', data: { amendmentId: 'a2', effectiveDate: '2025-06-01', period } })
      .thenThrows(ValidationError, (e) => e.field === 'amendmentId');
    spec
      .given([drafted, submitted, approved, amendment])
      .when({ type: 'ApprovePlan', data: { effectiveDate: '2025-06-01', period } })
      .thenThrows(ForbiddenTransitionError, (e) => e.currentState === 'amendment under review');
  });

  it('after a returned amendment the plan can be amended again', () =>
    spec
      .given([drafted, submitted, approved, amendment, { type: 'PlanAmendmentReturned', data: { planId, amendmentId: 'a1', comments } }])
      .when({ ...amend, data: { ...amend.data, amendmentId: 'a2' } })
      .then({ ...amendment, data: { ...amendment.data, amendmentId: 'a2' } } as PlanEvent));
});

describe('Plan: every gap at once', () => {
  it('submitting an incomplete draft names every missing part, so the unit fixes it in one round trip', () => {
    const sketch = { ...drafted, data: { ...drafted.data, content: { title: '草稿' } } };
    spec
      .given([sketch])
      .when(submit())
      .thenThrows(ValidationError, (e) => {
        assert.equal(e.field, 'content.guidingIdeas');
        assert.deepEqual(
          e.violations.map((v) => v.field),
          [
            'content.guidingIdeas',
            'content.goals',
            'content.measures',
            'content.leadingGroup.leader.name',
            'content.leadingGroup.officeName',
            'content.tasks',
          ],
        );
        return true;
      });
  });

  it('every link outside the catalog is named', () => {
    const badLinks = {
      ...COMPLETE_PLAN,
      measures: [{ measureId: 'm1', dimensionId: 'nowhere', criterionIds: ['law-based.1', 'nothing.9'], description: 'x' }],
    };
    spec
      .given([])
      .when({ type: 'DraftPlan', data: { planId, campaignId: 'c1', unitId: 'u1', content: badLinks, catalog, period } })
      .thenThrows(ValidationError, (e) => {
        assert.deepEqual(
          e.violations.map((v) => v.field),
          ['content.measures[0].dimensionId', 'content.measures[0].criterionIds[0]', 'content.measures[0].criterionIds[1]'],
        );
        return true;
      });
  });
});
