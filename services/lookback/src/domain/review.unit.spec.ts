// 回头看 (seed 003): 看学习教育是否扎实有效；看突出问题特别是群众关心的热点、难点问题是否
// 得到有效解决；看规章制度是否健全完善和得到落实. A problem found back is a recurrence.
import { describe, it } from 'node:test';
import { ForbiddenTransitionError, ValidationError } from '@wenming/service-kit';
import { DeciderSpecification } from '@wenming/service-kit/testing';
import { type ReviewEvent, reviewDecider } from './review.js';

const spec = DeciderSpecification.for(reviewDecider);
const opened: ReviewEvent = {
  type: 'LookbackReviewOpened',
  data: { reviewId: 'lb1', title: '2025年回头看', unitIds: ['u1'], publicConcernFirst: true },
};
const found: ReviewEvent = {
  type: 'RecurrenceFound',
  data: { recurrenceId: 'lb1.r1', reviewId: 'lb1', unitId: 'u1', rectificationId: 'r1', description: '公示栏又过期', publicConcern: true },
};

/** Inspection's answer: rectification r1 (and r2) belong to unit u1. */
const ofU1 = { unitId: 'u1', campaignId: 'c1' };

describe('look-back review', () => {
  it('the office opens a review of units', () => spec.given([]).when({ type: 'OpenLookbackReview', data: opened.data }).then(opened));

  it('a check that did not pass must say what was found', () =>
    spec
      .given([opened])
      .when({
        type: 'RecordLookbackCheck',
        data: { unitId: 'u1', check: 'LOOKBACK_CHECK_RULES_SOUND_AND_APPLIED', result: 'CHECK_RESULT_FAILED' },
      })
      .thenThrows(ValidationError, (e) => e.field === 'notes'));

  it('checks only units under review', () =>
    spec
      .given([opened])
      .when({ type: 'RecordLookbackCheck', data: { unitId: 'u9', check: 'LOOKBACK_CHECK_PROBLEMS_SOLVED', result: 'CHECK_RESULT_PASSED' } })
      .thenThrows(ValidationError, (e) => e.field === 'unitId'));

  it('a recurrence is found once per rectification; asking again records nothing (it retries the regression call)', () => {
    spec
      .given([opened])
      .when({
        type: 'RecordRecurrence',
        data: { unitId: 'u1', rectificationId: 'r1', rectification: ofU1, description: '公示栏又过期', publicConcern: true },
      })
      .then(found);
    spec
      .given([opened, found])
      .when({
        type: 'RecordRecurrence',
        data: { unitId: 'u1', rectificationId: 'r1', rectification: ofU1, description: 'again', publicConcern: true },
      })
      .thenNothingHappened();
  });

  it("a recurrence names a rectification of the unit under review, as inspection says, not another unit's (issue 12)", () => {
    spec
      .given([opened])
      .when({
        type: 'RecordRecurrence',
        data: { unitId: 'u1', rectificationId: 'r-of-u2', rectification: { unitId: 'u2' }, description: 'x', publicConcern: false },
      })
      .thenThrows(ValidationError, (e) => e.field === 'rectificationId' && /not a rectification of unit u1/.test(e.message));
    // Asking again cannot slip another unit's rectification under a recurrence already found.
    spec
      .given([opened, found])
      .when({
        type: 'RecordRecurrence',
        data: { unitId: 'u1', rectificationId: 'r1', rectification: { unitId: 'u2' }, description: 'again', publicConcern: false },
      })
      .thenThrows(ValidationError, (e) => e.field === 'rectificationId');
    // A campaign review reaches only its campaign's rectifications.
    spec
      .given([
        { type: 'LookbackReviewOpened', data: { reviewId: 'lb2', campaignId: 'c1', title: 't', unitIds: [], publicConcernFirst: true } },
      ])
      .when({
        type: 'RecordRecurrence',
        data: {
          unitId: 'u3',
          rectificationId: 'r9',
          rectification: { unitId: 'u3', campaignId: 'c2' },
          description: 'x',
          publicConcern: false,
        },
      })
      .thenThrows(ValidationError, (e) => e.field === 'rectificationId' && /campaign c1/.test(e.message));
  });

  it('records a failed regression call with its attempt, then the success, and nothing after that', () => {
    const failed: ReviewEvent = {
      type: 'RectificationRegressionFailed',
      data: { reviewId: 'lb1', recurrenceId: 'lb1.r1', rectificationId: 'r1', attempt: 1, code: 'UNAVAILABLE', message: 'down' },
    };
    spec
      .given([opened, found])
      .when({ type: 'RecordRegressionOutcome', data: { rectificationId: 'r1', ok: false, code: 'UNAVAILABLE', message: 'down' } })
      .then(failed);
    const recorded: ReviewEvent = {
      type: 'RectificationRegressionRecorded',
      data: {
        reviewId: 'lb1',
        recurrenceId: 'lb1.r1',
        rectificationId: 'r1',
        inspectionStreamId: 'rectification-r1',
        inspectionEventIds: ['x'],
      },
    };
    spec
      .given([opened, found, failed])
      .when({
        type: 'RecordRegressionOutcome',
        data: { rectificationId: 'r1', ok: true, inspectionStreamId: 'rectification-r1', inspectionEventIds: ['x'] },
      })
      .then(recorded);
    spec
      .given([opened, found, failed, recorded])
      .when({ type: 'RecordRegressionOutcome', data: { rectificationId: 'r1', ok: true, inspectionEventIds: ['x'] } })
      .thenNothingHappened();
  });

  it('concludes with per-unit results: a recurrence means the problems did not stay solved', () =>
    spec
      .given([
        opened,
        {
          type: 'LookbackCheckRecorded',
          data: { reviewId: 'lb1', unitId: 'u1', check: 'LOOKBACK_CHECK_STUDY_AND_EDUCATION', result: 'CHECK_RESULT_PASSED' },
        },
        {
          type: 'LookbackCheckRecorded',
          data: { reviewId: 'lb1', unitId: 'u1', check: 'LOOKBACK_CHECK_PROBLEMS_SOLVED', result: 'CHECK_RESULT_PASSED' },
        },
        {
          type: 'LookbackCheckRecorded',
          data: { reviewId: 'lb1', unitId: 'u1', check: 'LOOKBACK_CHECK_RULES_SOUND_AND_APPLIED', result: 'CHECK_RESULT_PASSED' },
        },
        found,
      ])
      .when({ type: 'ConcludeLookbackReview', data: { conclusion: '基本巩固，公示栏问题反弹' } })
      .then({
        type: 'LookbackReviewConcluded',
        data: {
          reviewId: 'lb1',
          conclusion: '基本巩固，公示栏问题反弹',
          results: [
            {
              unitId: 'u1',
              studyAndEducation: 'CHECK_RESULT_PASSED',
              problemsSolved: 'CHECK_RESULT_PARTIALLY_PASSED',
              rulesSoundAndApplied: 'CHECK_RESULT_PASSED',
              recurrences: 1,
              overall: 'CHECK_RESULT_PARTIALLY_PASSED',
            },
          ],
        },
      }));

  it('nothing is recorded in a concluded review', () =>
    spec
      .given([opened, { type: 'LookbackReviewConcluded', data: { reviewId: 'lb1', conclusion: 'ok', results: [] } }])
      .when({
        type: 'RecordRecurrence',
        data: { unitId: 'u1', rectificationId: 'r2', rectification: ofU1, description: 'x', publicConcern: false },
      })
      .thenThrows(ForbiddenTransitionError));
});
