// Inspections of every kind, findings and scores against the campaign catalog.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DeciderSpecification } from '@wenming/service-kit/testing';
import { type InspectionCommand, type InspectionEvent, inspectionDecider } from './inspection.js';
import { ForbiddenTransitionError, PermissionDeniedError, stampEvidence, ValidationError } from './shared.js';
import { CATALOG, photo } from './test-data.js';

const spec = DeciderSpecification.for(inspectionDecider);
const U = 'u-window-3';
/** The inspector of the team, who conducts the visit. */
const I = 'insp-wang';

const SCHEDULE: InspectionCommand = {
  type: 'ScheduleInspection',
  data: {
    inspectionId: 'i1',
    campaignId: 'c2004',
    kind: 'INSPECTION_KIND_ROUTINE',
    title: '五月日常检查',
    unitIds: [U],
    inspectors: [{ inspectorId: 'insp-wang', leader: true }],
    plannedDates: { startDate: '2004-05-10', endDate: '2004-05-11' },
  },
};
const SCHEDULED: InspectionEvent = {
  type: 'InspectionScheduled',
  data: {
    inspectionId: 'i1',
    campaignId: 'c2004',
    kind: 'INSPECTION_KIND_ROUTINE',
    title: '五月日常检查',
    unitIds: [U],
    inspectors: [{ inspectorId: 'insp-wang', leader: true }],
    plannedDates: { startDate: '2004-05-10', endDate: '2004-05-11' },
    announced: true,
  },
};
const STARTED: InspectionEvent = { type: 'InspectionStarted', data: { inspectionId: 'i1', unitId: U, inspectorIds: ['insp-wang'] } };
const FINDING: InspectionEvent = {
  type: 'FindingRecorded',
  data: {
    findingId: 'f1',
    inspectionId: 'i1',
    unitId: U,
    campaignId: 'c2004',
    criterionId: 'window-sign',
    severity: 'SEVERITY_GENERAL',
    description: '窗口标识不清',
    evidence: [photo(1)],
  },
};
const RECORD: InspectionCommand = {
  by: I,
  type: 'RecordFinding',
  data: {
    findingId: 'f1',
    unitId: U,
    criterionId: 'window-sign',
    severity: 'SEVERITY_GENERAL',
    description: '窗口标识不清',
    evidence: [photo(1)],
    catalog: CATALOG,
  },
};
const SCORE = (hundredths: number): InspectionCommand => ({
  by: I,
  type: 'ScoreCriterion',
  data: {
    unitId: U,
    score: { criterionId: 'window-sign', points: { hundredths }, deductionReason: '标识不清', findingIds: ['f1'] },
    catalog: CATALOG,
  },
});

describe('inspection: scheduling', () => {
  it('schedules an announced routine inspection', () => spec.given([]).when(SCHEDULE).then(SCHEDULED));
  it('an unannounced visit 暗访 is never announced, whatever the caller sent', () =>
    spec
      .given([])
      .when({ ...SCHEDULE, data: { ...SCHEDULE.data, kind: 'INSPECTION_KIND_UNANNOUNCED', announced: true } } as InspectionCommand)
      .then({ ...SCHEDULED, data: { ...SCHEDULED.data, kind: 'INSPECTION_KIND_UNANNOUNCED', announced: false } } as InspectionEvent));
  it('a key spot check takes units and inspectors from its draw', () =>
    spec
      .given([])
      .when({
        ...SCHEDULE,
        data: {
          ...SCHEDULE.data,
          kind: 'INSPECTION_KIND_KEY_SPOT_CHECK',
          unitIds: [],
          inspectors: [],
          draw: { drawId: 'd1', drawnUnitIds: ['u2', 'u5'], inspectorIds: ['a', 'b'] },
        },
      } as InspectionCommand)
      .then({
        ...SCHEDULED,
        data: {
          ...SCHEDULED.data,
          kind: 'INSPECTION_KIND_KEY_SPOT_CHECK',
          unitIds: ['u2', 'u5'],
          inspectors: [{ inspectorId: 'a' }, { inspectorId: 'b' }],
          drawId: 'd1',
        },
      } as InspectionEvent));
  it('a key spot check without a draw is refused', () =>
    spec
      .given([])
      .when({ ...SCHEDULE, data: { ...SCHEDULE.data, kind: 'INSPECTION_KIND_KEY_SPOT_CHECK' } } as InspectionCommand)
      .thenThrows(ValidationError, (e) => e.field === 'drawId'));
  it('a third-party evaluation names its organisation', () =>
    spec
      .given([])
      .when({ ...SCHEDULE, data: { ...SCHEDULE.data, kind: 'INSPECTION_KIND_THIRD_PARTY' } } as InspectionCommand)
      .thenThrows(ValidationError, (e) => e.field === 'thirdPartyOrganization'));
  it('every kind of the seeds can be scheduled', () => {
    for (const kind of ['INSPECTION_KIND_SPECIAL', 'INSPECTION_KIND_EMBEDDED_EVALUATION']) {
      const events = inspectionDecider.decide({ ...SCHEDULE, data: { ...SCHEDULE.data, kind } } as InspectionCommand, { status: 'none' });
      assert.equal([events].flat()[0]!.type, 'InspectionScheduled');
    }
  });
  it('scheduling twice is forbidden', () =>
    spec
      .given([SCHEDULED])
      .when(SCHEDULE)
      .thenThrows(ForbiddenTransitionError, (e) => e.currentState === 'scheduled'));
  it('cancelled only before it begins', () => {
    spec
      .given([SCHEDULED])
      .when({ type: 'CancelInspection', data: { reason: '台风' } })
      .then({ type: 'InspectionCancelled', data: { inspectionId: 'i1', reason: '台风' } });
    spec
      .given([SCHEDULED, STARTED])
      .when({ type: 'CancelInspection', data: { reason: 'x' } })
      .thenThrows(ForbiddenTransitionError, (e) => e.currentState === 'in_progress');
  });
  it('rescheduled only before it begins', () => {
    spec
      .given([SCHEDULED])
      .when({ type: 'RescheduleInspection', data: { plannedDates: { startDate: '2004-05-20', endDate: '2004-05-21' }, reason: '改期' } })
      .then({
        type: 'InspectionRescheduled',
        data: { inspectionId: 'i1', plannedDates: { startDate: '2004-05-20', endDate: '2004-05-21' }, reason: '改期' },
      });
    spec
      .given([SCHEDULED, STARTED])
      .when({ type: 'RescheduleInspection', data: { plannedDates: { startDate: '2004-05-20', endDate: '2004-05-21' }, reason: '改期' } })
      .thenThrows(ForbiddenTransitionError);
  });
});

describe('inspection: conducting', () => {
  it('the team arrives at a unit', () =>
    spec
      .given([SCHEDULED])
      .when({ by: I, type: 'StartInspection', data: { unitId: U } })
      .then(STARTED));
  it('arriving twice at the same unit is forbidden; a unit not inspected is refused', () => {
    spec
      .given([SCHEDULED, STARTED])
      .when({ by: I, type: 'StartInspection', data: { unitId: U } })
      .thenThrows(ForbiddenTransitionError);
    spec
      .given([SCHEDULED])
      .when({ by: I, type: 'StartInspection', data: { unitId: 'u-other' } })
      .thenThrows(ValidationError, (e) => e.field === 'unitId');
  });
  it('records a finding on a criterion of the catalog', () => spec.given([SCHEDULED, STARTED]).when(RECORD).then(FINDING));
  it('a finding before the team arrives is forbidden', () =>
    spec
      .given([SCHEDULED])
      .when(RECORD)
      .thenThrows(ForbiddenTransitionError, (e) => e.currentState === 'scheduled'));
  it('a criterion outside the campaign catalog is refused, naming the field', () =>
    spec
      .given([SCHEDULED, STARTED])
      .when({ ...RECORD, data: { ...RECORD.data, criterionId: 'nope' } } as InspectionCommand)
      .thenThrows(ValidationError, (e) => e.field === 'criterionId'));
  it('a severity must be minor, general or serious', () =>
    spec
      .given([SCHEDULED, STARTED])
      .when({ ...RECORD, data: { ...RECORD.data, severity: 'SEVERITY_UNSPECIFIED' } } as InspectionCommand)
      .thenThrows(ValidationError, (e) => e.field === 'severity'));
  it('evidence rules are checked when evidence is attached: two photos showing the unit name', () => {
    const attach = (n: number, shows = true): InspectionCommand => ({
      by: I,
      type: 'AttachEvidence',
      data: { unitId: U, evidence: photo(n, shows), findingId: 'f1', catalog: CATALOG },
    });
    const attached = (n: number, satisfied: boolean, unmet: string[], shows = true): InspectionEvent => ({
      type: 'EvidenceAttached',
      data: {
        inspectionId: 'i1',
        unitId: U,
        evidence: photo(n, shows),
        criterionId: 'window-sign',
        findingId: 'f1',
        ruleCheck: { satisfied, unmet },
      },
    });
    // The finding brought one photo; a second one without the name still leaves one missing.
    spec
      .given([SCHEDULED, STARTED, FINDING])
      .when(attach(2, false))
      .then(attached(2, false, ["至少两张照片显示单位名称 (1/2 photos showing the unit's name)"], false));
    spec
      .given([SCHEDULED, STARTED, FINDING, attached(2, false, [], false)])
      .when(attach(3))
      .then(attached(3, true, []));
  });
  it('scores a criterion up to its maximum', () =>
    spec
      .given([SCHEDULED, STARTED, FINDING])
      .when(SCORE(800))
      .then({
        type: 'CriterionScored',
        data: {
          inspectionId: 'i1',
          unitId: U,
          campaignId: 'c2004',
          score: {
            criterionId: 'window-sign',
            points: { hundredths: 800 },
            maxPoints: { hundredths: 1000 },
            deductionReason: '标识不清',
            findingIds: ['f1'],
          },
        },
      }));
  it('a score above the maximum is refused, naming the field', () =>
    spec
      .given([SCHEDULED, STARTED, FINDING])
      .when(SCORE(1001))
      .thenThrows(ValidationError, (e) => e.field === 'score.points'));
  it('scoring twice is forbidden; a correction replaces it and keeps the original', () => {
    const scored = [
      inspectionDecider.decide(
        SCORE(800),
        [SCHEDULED, STARTED, FINDING].reduce(inspectionDecider.evolve, inspectionDecider.initialState()),
      ),
    ].flat();
    spec
      .given([SCHEDULED, STARTED, FINDING, ...scored])
      .when(SCORE(700))
      .thenThrows(ForbiddenTransitionError, (e) => e.currentState === 'scored');
    const correct: InspectionCommand = {
      by: I,
      type: 'CorrectCriterionScore',
      data: {
        ...(SCORE(700).data as { unitId: string; score: object; catalog: typeof CATALOG }),
        reason: '复核',
        score: { criterionId: 'window-sign', points: { hundredths: 700 }, deductionReason: '复核' },
      },
    } as InspectionCommand;
    const out = [
      inspectionDecider.decide(
        correct,
        [SCHEDULED, STARTED, FINDING, ...scored].reduce(inspectionDecider.evolve, inspectionDecider.initialState()),
      ),
    ].flat();
    assert.equal(out[0]!.type, 'CriterionScoreCorrected');
  });
  it('a veto condition must be one of the catalog', () => {
    spec
      .given([SCHEDULED, STARTED])
      .when({ by: I, type: 'RecordVetoCondition', data: { unitId: U, vetoConditionId: 'veto-x', description: 'x', catalog: CATALOG } })
      .thenThrows(ValidationError, (e) => e.field === 'vetoConditionId');
    spec
      .given([SCHEDULED, STARTED])
      .when({
        by: I,
        type: 'RecordVetoCondition',
        data: { unitId: U, vetoConditionId: 'veto-bribe', description: '收受礼金', catalog: CATALOG },
      })
      .then({
        type: 'VetoConditionFound',
        data: { inspectionId: 'i1', unitId: U, campaignId: 'c2004', vetoConditionId: 'veto-bribe', description: '收受礼金' },
      });
  });
  it('withdraws and amends a finding; a withdrawn one cannot be amended', () => {
    spec
      .given([SCHEDULED, STARTED, FINDING])
      .when({ by: I, type: 'WithdrawFinding', data: { findingId: 'f1', reason: '误记' } })
      .then({ type: 'FindingWithdrawn', data: { findingId: 'f1', reason: '误记' } });
    spec
      .given([SCHEDULED, STARTED, FINDING, { type: 'FindingWithdrawn', data: { findingId: 'f1', reason: '误记' } }])
      .when({ by: I, type: 'AmendFinding', data: { findingId: 'f1', description: 'x', reason: 'y', catalog: CATALOG } })
      .thenThrows(ForbiddenTransitionError, (e) => e.currentState === 'withdrawn');
  });
  it('completes with the report issued and totals per unit', () =>
    spec
      .given([SCHEDULED, STARTED, FINDING])
      .when({ by: I, type: 'CompleteInspection', data: { summary: '检查通报' } })
      .then({
        type: 'InspectionCompleted',
        data: { inspectionId: 'i1', summary: '检查通报', totals: [{ unitId: U, points: { hundredths: 0 }, maxPoints: { hundredths: 0 } }] },
      }));
  it('completing before it starts, or twice, is forbidden', () => {
    spec
      .given([SCHEDULED])
      .when({ by: I, type: 'CompleteInspection', data: { summary: 'x' } })
      .thenThrows(ForbiddenTransitionError, (e) => e.currentState === 'scheduled');
    spec
      .given([SCHEDULED, STARTED, { type: 'InspectionCompleted', data: { inspectionId: 'i1', summary: 'x', totals: [] } }])
      .when({ by: I, type: 'CompleteInspection', data: { summary: 'x' } })
      .thenThrows(ForbiddenTransitionError, (e) => e.currentState === 'completed');
    spec
      .given([])
      .when({ by: I, type: 'StartInspection', data: { unitId: U } })
      .thenThrows(ForbiddenTransitionError, (e) => e.currentState === 'none');
  });
});

describe('inspection: only its team conducts it (issue 12, forged provenance)', () => {
  const TEAM2: InspectionEvent = {
    ...SCHEDULED,
    data: { ...SCHEDULED.data, inspectors: [{ inspectorId: I, leader: true }, { inspectorId: 'insp-li' }] },
  } as InspectionEvent;
  it('an inspector not on the team may not start the visit, even an unannounced one', () => {
    const unannounced = { ...SCHEDULED, data: { ...SCHEDULED.data, kind: 'INSPECTION_KIND_UNANNOUNCED', announced: false } };
    spec
      .given([unannounced as InspectionEvent])
      .when({ by: 'insp-other', type: 'StartInspection', data: { unitId: U } })
      .thenThrows(PermissionDeniedError, (e) => e.message === 'insp-other is not on the team of inspection i1');
    spec
      .given([SCHEDULED])
      .when({ type: 'StartInspection', data: { unitId: U } })
      .thenThrows(PermissionDeniedError);
  });
  it('the team is checked before the state can show: a stranger completing a scheduled inspection is refused as a stranger', () =>
    spec
      .given([SCHEDULED])
      .when({ by: 'insp-other', type: 'CompleteInspection', data: { summary: 'x' } })
      .thenThrows(PermissionDeniedError));
  it('a stranger records no finding, score, evidence, veto, amendment or withdrawal', () => {
    const stranger: InspectionCommand[] = [
      { ...RECORD, by: 'insp-other' },
      { ...SCORE(800), by: 'insp-other' },
      { by: 'insp-other', type: 'AttachEvidence', data: { unitId: U, evidence: photo(2), findingId: 'f1', catalog: CATALOG } },
      {
        by: 'insp-other',
        type: 'RecordVetoCondition',
        data: { unitId: U, vetoConditionId: 'veto-bribe', description: 'x', catalog: CATALOG },
      },
      { by: 'insp-other', type: 'AmendFinding', data: { findingId: 'f1', description: 'x', reason: 'y', catalog: CATALOG } },
      { by: 'insp-other', type: 'WithdrawFinding', data: { findingId: 'f1', reason: 'y' } },
    ];
    for (const command of stranger) spec.given([SCHEDULED, STARTED, FINDING]).when(command).thenThrows(PermissionDeniedError);
  });
  it('the inspectors named present must be of the team and include the one who starts', () => {
    spec
      .given([TEAM2])
      .when({ by: I, type: 'StartInspection', data: { unitId: U, inspectorIds: [I, 'insp-other'] } })
      .thenThrows(ValidationError, (e) => e.field === 'inspectorIds[1]');
    spec
      .given([TEAM2])
      .when({ by: I, type: 'StartInspection', data: { unitId: U, inspectorIds: ['insp-li'] } })
      .thenThrows(ValidationError, (e) => e.field === 'inspectorIds');
    spec
      .given([TEAM2])
      .when({ by: 'insp-li', type: 'StartInspection', data: { unitId: U } })
      .then({ type: 'InspectionStarted', data: { inspectionId: 'i1', unitId: U, inspectorIds: ['insp-li'] } });
    spec
      .given([TEAM2])
      .when({ by: 'insp-li', type: 'StartInspection', data: { unitId: U, inspectorIds: ['insp-li', I] } })
      .then({ type: 'InspectionStarted', data: { inspectionId: 'i1', unitId: U, inspectorIds: ['insp-li', I] } });
  });
  it('the office still schedules, reschedules and cancels without being on the team', () =>
    spec
      .given([SCHEDULED])
      .when({ by: 'office-1', type: 'CancelInspection', data: { reason: '台风' } })
      .then({ type: 'InspectionCancelled', data: { inspectionId: 'i1', reason: '台风' } }));
});

describe("evidence provenance is the server's", () => {
  it('attachedBy and attachedAt are replaced by the caller and the command time, whatever the body said', () => {
    const forged = {
      ...photo(1),
      attachedBy: { id: 'insp-wang', role: 'ROLE_INSPECTOR', displayName: '王' },
      attachedAt: '2000-01-01T00:00:00Z',
    };
    const stamped = stampEvidence(forged, { id: 'clerk-u1', role: 'ROLE_UNIT' }, '2004-05-12T08:00:00.000Z');
    assert.deepEqual(stamped, { ...photo(1), attachedBy: { id: 'clerk-u1', role: 'ROLE_UNIT' }, attachedAt: '2004-05-12T08:00:00.000Z' });
  });
});
