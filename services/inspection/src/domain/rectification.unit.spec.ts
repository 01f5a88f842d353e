// 整改: every step, and every step that is not allowed from where the rectification stands.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DeciderSpecification } from '@wenming/service-kit/testing';
import { type RectificationCommand, type RectificationState, rectificationDecider } from './rectification.js';
import { ForbiddenTransitionError, ValidationError } from './shared.js';
import { ACKNOWLEDGED, COMPLETION, EXT_REQUESTED, FAILED, HISTORY, MEASURES, ORDERED, PASSED, photo, progress } from './test-data.js';

const spec = DeciderSpecification.for(rectificationDecider);
const R = 'r1';
const ON = '2004-05-12';

const ORDER: RectificationCommand = {
  type: 'OrderRectification',
  data: {
    rectificationId: R,
    finding: {
      findingId: 'f1',
      inspectionId: 'i1',
      unitId: 'u-window-3',
      campaignId: 'c2004',
      criterionId: 'window-sign',
      severity: 'SEVERITY_GENERAL',
      publicConcern: false,
    },
    requirements: '更换窗口标识,公开办事流程',
    deadlineDate: '2004-06-30',
    on: ON,
  },
};

const COMMANDS: Record<string, RectificationCommand> = {
  order: ORDER,
  acknowledge: { type: 'AcknowledgeRectification', data: { responsiblePerson: { name: '李主任', position: '窗口负责人' } } },
  measures: { type: 'SubmitRectificationMeasures', data: { measures: [{ measureId: 'm1', description: '制作新标识牌' }] } },
  progress: { type: 'ReportRectificationProgress', data: { description: '第N步', evidence: [photo(9)] } },
  requestExtension: { type: 'RequestRectificationExtension', data: { requestedDeadlineDate: '2004-07-31', reason: '标识牌定制需时' } },
  completion: { type: 'ReportRectificationCompletion', data: { summary: '已完成' } },
  pass: { type: 'PassRectificationVerification', data: { inspectorIds: ['insp-wang'] } },
  fail: { type: 'FailRectificationVerification', data: { inspectorIds: ['insp-wang'], reasons: ['标识仍不清晰'], on: ON } },
  close: { type: 'CloseRectification', data: {} },
  notRectifiable: { type: 'CloseRectificationNotRectifiable', data: { reason: '需改建大楼' } },
  regress: { type: 'RegressRectification', data: { description: '回头看发现标识又被遮挡', lookbackReviewId: 'lb-1', on: ON } },
};

type StateName = keyof typeof HISTORY | 'none';
const STATES: StateName[] = ['none', ...(Object.keys(HISTORY) as (keyof typeof HISTORY)[])];
const OPEN: StateName[] = ['ordered', 'acknowledged', 'measures_submitted', 'in_progress', 'awaiting_verification', 'reopened'];
const WORKING: StateName[] = ['measures_submitted', 'in_progress', 'reopened'];

/** Where each command may be given; everywhere else it is a forbidden transition naming the state. */
const ALLOWED: Record<string, StateName[]> = {
  order: ['none'],
  acknowledge: ['ordered'],
  measures: ['acknowledged', ...WORKING],
  progress: WORKING,
  requestExtension: ['acknowledged', ...WORKING],
  completion: WORKING,
  pass: ['awaiting_verification'],
  fail: ['awaiting_verification'],
  close: ['verified'],
  notRectifiable: OPEN,
  regress: ['verified', 'closed'],
};

const given = (state: StateName) => (state === 'none' ? [] : HISTORY[state]);

describe('rectification: the transition table', () => {
  for (const [name, command] of Object.entries(COMMANDS)) {
    for (const state of STATES) {
      const allowed = (ALLOWED[name] ?? []).includes(state);
      it(`${name} from ${state}: ${allowed ? 'allowed' : 'forbidden, naming the current state'}`, () => {
        const when = spec.given(given(state)).when(command);
        if (allowed) {
          const events = [
            rectificationDecider.decide(command, given(state).reduce(rectificationDecider.evolve, rectificationDecider.initialState())),
          ].flat();
          assert.equal(events.length, 1);
        } else {
          when.thenThrows(ForbiddenTransitionError, (e) => e.currentState === state);
        }
      });
    }
  }
});

describe('rectification: each step is one event', () => {
  it('ordered with requirements and a deadline', () => spec.given([]).when(ORDER).then(ORDERED));
  it('a deadline already past is refused', () =>
    spec
      .given([])
      .when({ ...ORDER, data: { ...ORDER.data, deadlineDate: '2004-05-01' } } as RectificationCommand)
      .thenThrows(ValidationError, (e) => e.field === 'deadlineDate'));
  it('acknowledged, naming the responsible person', () => spec.given([ORDERED]).when(COMMANDS.acknowledge!).then(ACKNOWLEDGED));
  it('the responsible person is required', () =>
    spec
      .given([ORDERED])
      .when({ type: 'AcknowledgeRectification', data: { responsiblePerson: {} } })
      .thenThrows(ValidationError, (e) => e.field === 'responsiblePerson.name'));
  it('measures submitted', () => spec.given(HISTORY.acknowledged).when(COMMANDS.measures!).then(MEASURES));
  it('progress steps are numbered 1, 2, 3 … and each carries evidence', () => {
    spec
      .given(HISTORY.measures_submitted)
      .when({ type: 'ReportRectificationProgress', data: { description: '第1步', evidence: [photo(1)] } })
      .then(progress(1));
    spec
      .given([...HISTORY.in_progress, progress(2)])
      .when({ type: 'ReportRectificationProgress', data: { description: '第3步', evidence: [photo(3)] } })
      .then(progress(3));
    spec
      .given(HISTORY.in_progress)
      .when({ type: 'ReportRectificationProgress', data: { description: 'x', evidence: [] } })
      .thenThrows(ValidationError, (e) => e.field === 'evidence');
  });
  it('evidence names the file by its sha256 digest, who attached it and when', () => {
    const bad = { ...photo(1), sha256: 'nope' };
    spec
      .given(HISTORY.in_progress)
      .when({ type: 'ReportRectificationProgress', data: { description: 'x', evidence: [bad] } })
      .thenThrows(ValidationError, (e) => e.field === 'evidence[0].sha256');
    const { attachedBy: _, ...anonymous } = photo(1);
    spec
      .given(HISTORY.in_progress)
      .when({ type: 'ReportRectificationProgress', data: { description: 'x', evidence: [anonymous] } })
      .thenThrows(ValidationError, (e) => e.field === 'evidence[0].attachedBy.id');
  });
  it('progress naming a measure never submitted is refused', () =>
    spec
      .given(HISTORY.in_progress)
      .when({ type: 'ReportRectificationProgress', data: { description: 'x', measureIds: ['m9'], evidence: [photo(1)] } })
      .thenThrows(ValidationError, (e) => e.field === 'measureIds[0]'));
  it('extension requested, after the deadline in force', () => {
    spec.given(HISTORY.in_progress).when(COMMANDS.requestExtension!).then(EXT_REQUESTED);
    spec
      .given(HISTORY.in_progress)
      .when({ type: 'RequestRectificationExtension', data: { requestedDeadlineDate: '2004-06-01', reason: 'x' } })
      .thenThrows(ValidationError, (e) => e.field === 'requestedDeadlineDate');
  });
  it('a second request while one is pending is forbidden', () =>
    spec
      .given([...HISTORY.in_progress, EXT_REQUESTED])
      .when(COMMANDS.requestExtension!)
      .thenThrows(ForbiddenTransitionError));
  it('granted: the new deadline is in force', () => {
    spec
      .given([...HISTORY.in_progress, EXT_REQUESTED])
      .when({ type: 'GrantRectificationExtension', data: { requestId: 'ext-1' } })
      .then({ type: 'RectificationExtensionGranted', data: { rectificationId: R, requestId: 'ext-1', newDeadlineDate: '2004-07-31' } });
    const state = [
      ...HISTORY.in_progress,
      EXT_REQUESTED,
      { type: 'RectificationExtensionGranted', data: { rectificationId: R, requestId: 'ext-1', newDeadlineDate: '2004-07-20' } } as const,
    ].reduce(rectificationDecider.evolve, rectificationDecider.initialState()) as Extract<RectificationState, { deadlineDate: string }>;
    assert.equal(state.deadlineDate, '2004-07-20');
    assert.equal(state.pendingExtension, undefined);
  });
  it('refused: the deadline stands', () =>
    spec
      .given([...HISTORY.in_progress, EXT_REQUESTED])
      .when({ type: 'RefuseRectificationExtension', data: { requestId: 'ext-1', reason: '理由不充分' } })
      .then({ type: 'RectificationExtensionRefused', data: { rectificationId: R, requestId: 'ext-1', reason: '理由不充分' } }));
  it('granting or refusing with no request pending is forbidden', () => {
    spec
      .given(HISTORY.in_progress)
      .when({ type: 'GrantRectificationExtension', data: { requestId: 'ext-1' } })
      .thenThrows(ForbiddenTransitionError);
    spec
      .given(HISTORY.in_progress)
      .when({ type: 'RefuseRectificationExtension', data: { requestId: 'ext-1', reason: 'x' } })
      .thenThrows(ForbiddenTransitionError);
    spec
      .given([])
      .when({ type: 'GrantRectificationExtension', data: { requestId: 'ext-1' } })
      .thenThrows(ForbiddenTransitionError, (e) => e.currentState === 'none');
    spec
      .given(HISTORY.closed)
      .when({ type: 'RefuseRectificationExtension', data: { requestId: 'ext-1', reason: 'x' } })
      .thenThrows(ForbiddenTransitionError, (e) => e.currentState === 'closed');
  });
  it('completion reported', () => spec.given(HISTORY.in_progress).when(COMMANDS.completion!).then(COMPLETION));
  it('verification passed', () => spec.given(HISTORY.awaiting_verification).when(COMMANDS.pass!).then(PASSED));
  it('verification failed: reopened with reasons', () => {
    spec.given(HISTORY.awaiting_verification).when(COMMANDS.fail!).then(FAILED);
    spec
      .given(HISTORY.awaiting_verification)
      .when({ type: 'FailRectificationVerification', data: { inspectorIds: ['insp-wang'], reasons: [], on: ON } })
      .thenThrows(ValidationError, (e) => e.field === 'reasons');
  });
  it('after a failed verification the unit reports more progress, numbered on from the earlier steps', () =>
    spec
      .given([...HISTORY.reopened])
      .when({ type: 'ReportRectificationProgress', data: { description: '第2步', evidence: [photo(2)] } })
      .then(progress(2)));
  it('closed only after a passed verification: nothing counts as solved without one', () => {
    spec
      .given(HISTORY.verified)
      .when(COMMANDS.close!)
      .then({ type: 'RectificationClosed', data: { rectificationId: R } });
    spec
      .given(HISTORY.awaiting_verification)
      .when(COMMANDS.close!)
      .thenThrows(ForbiddenTransitionError, (e) => e.currentState === 'awaiting_verification');
  });
  it('closed as not rectifiable, with a reason', () => {
    spec
      .given(HISTORY.in_progress)
      .when(COMMANDS.notRectifiable!)
      .then({ type: 'RectificationClosedNotRectifiable', data: { rectificationId: R, reason: '需改建大楼' } });
    spec
      .given(HISTORY.in_progress)
      .when({ type: 'CloseRectificationNotRectifiable', data: { reason: ' ' } })
      .thenThrows(ValidationError, (e) => e.field === 'reason');
  });
  it('regressed: a look-back found the problem back, and the rectification reopens', () => {
    spec
      .given(HISTORY.closed)
      .when(COMMANDS.regress!)
      .then({
        type: 'RectificationRegressed',
        data: { rectificationId: R, lookbackReviewId: 'lb-1', description: '回头看发现标识又被遮挡' },
      });
    const state = [...HISTORY.closed, { type: 'RectificationRegressed', data: { rectificationId: R, description: 'x' } } as const].reduce(
      rectificationDecider.evolve,
      rectificationDecider.initialState(),
    );
    assert.equal(state.status, 'reopened');
    spec
      .given([...HISTORY.closed, { type: 'RectificationRegressed', data: { rectificationId: R, description: 'x' } }])
      .when({ type: 'ReportRectificationProgress', data: { description: '第2步', evidence: [photo(2)] } })
      .then(progress(2));
  });
  it('a verification failure after three progress steps keeps every step in the history', () => {
    const history = [ORDERED, ACKNOWLEDGED, MEASURES, progress(1), progress(2), progress(3), COMPLETION, FAILED];
    const state = history.reduce(rectificationDecider.evolve, rectificationDecider.initialState()) as Extract<
      RectificationState,
      { progressSteps: number }
    >;
    assert.equal(state.status, 'reopened');
    assert.equal(state.progressSteps, 3);
    spec
      .given(history)
      .when({ type: 'ReportRectificationProgress', data: { description: '第4步', evidence: [photo(4)] } })
      .then(progress(4));
  });
});
