// An inspection 检查 of any kind: scheduled by the office (a key spot check from a
// recorded 双随机 draw), conducted by inspectors unit by unit — evidence, findings,
// criterion scores, veto conditions — and completed with its report issued. An
// unannounced visit 暗访 is not told to the unit; the read side hides it from the
// unit until the team has arrived there. Only the inspection's team conducts it:
// every command of the visit says who issues it (`by`, the token's subject, set by
// the application), and the decider refuses anyone else before looking at the
// state, so a stranger can neither unhide a visit nor write into its record.
import type { Decider } from '@wenming/service-kit';
import { type CatalogView, checkEvidenceRules, type EvidenceRuleCheck } from './catalog.js';
import { type CriterionScoreInput, checkScore, type ScoreState } from './criterion-score.js';
import { catalogCriterion, checkFinding, type FindingInput, type FindingState } from './finding.js';
import {
  checkEvidence,
  checkSeverity,
  type DateRange,
  type EvidenceRef,
  ForbiddenTransitionError,
  PermissionDeniedError,
  type Points,
  requireDate,
  requireText,
  type Severity,
  unreachable,
  ValidationError,
} from './shared.js';

export type InspectionKind =
  | 'INSPECTION_KIND_ROUTINE'
  | 'INSPECTION_KIND_SPECIAL'
  | 'INSPECTION_KIND_KEY_SPOT_CHECK'
  | 'INSPECTION_KIND_UNANNOUNCED'
  | 'INSPECTION_KIND_EMBEDDED_EVALUATION'
  | 'INSPECTION_KIND_THIRD_PARTY';
export const INSPECTION_KINDS: readonly InspectionKind[] = [
  'INSPECTION_KIND_ROUTINE',
  'INSPECTION_KIND_SPECIAL',
  'INSPECTION_KIND_KEY_SPOT_CHECK',
  'INSPECTION_KIND_UNANNOUNCED',
  'INSPECTION_KIND_EMBEDDED_EVALUATION',
  'INSPECTION_KIND_THIRD_PARTY',
];

export interface Inspector {
  inspectorId: string;
  name?: string;
  organization?: string;
  leader?: boolean;
}

type ScoreData = { criterionId: string; points: Points; maxPoints: Points; deductionReason?: string; findingIds?: string[] };

// ── Events (stream inspection-<inspectionId>) ──────────────────────────────────

export type InspectionEvent =
  | {
      type: 'InspectionScheduled';
      data: {
        inspectionId: string;
        campaignId: string;
        kind: InspectionKind;
        title: string;
        scope?: string;
        unitIds: string[];
        inspectors: Inspector[];
        criterionIds?: string[];
        plannedDates: DateRange;
        drawId?: string;
        thirdPartyOrganization?: string;
        announced: boolean;
      };
    }
  | { type: 'InspectionRescheduled'; data: { inspectionId: string; plannedDates?: DateRange; inspectors?: Inspector[]; reason: string } }
  | { type: 'InspectionCancelled'; data: { inspectionId: string; reason: string } }
  | { type: 'InspectionStarted'; data: { inspectionId: string; unitId: string; inspectorIds: string[] } }
  | {
      type: 'EvidenceAttached';
      data: {
        inspectionId: string;
        unitId: string;
        evidence: EvidenceRef;
        criterionId?: string;
        findingId?: string;
        ruleCheck?: EvidenceRuleCheck;
      };
    }
  | {
      type: 'FindingRecorded';
      data: {
        findingId: string;
        inspectionId: string;
        unitId: string;
        campaignId: string;
        criterionId: string;
        severity: Severity;
        description: string;
        evidence?: EvidenceRef[];
        publicConcern?: boolean;
        location?: string;
      };
    }
  | {
      type: 'FindingAmended';
      data: { findingId: string; criterionId: string; severity: Severity; description: string; publicConcern?: boolean; reason: string };
    }
  | { type: 'FindingWithdrawn'; data: { findingId: string; reason: string } }
  | { type: 'CriterionScored'; data: { inspectionId: string; unitId: string; campaignId: string; score: ScoreData } }
  | { type: 'CriterionScoreCorrected'; data: { inspectionId: string; unitId: string; score: ScoreData; reason: string } }
  | {
      type: 'VetoConditionFound';
      data: {
        inspectionId: string;
        unitId: string;
        campaignId: string;
        vetoConditionId: string;
        description: string;
        findingId?: string;
        evidence?: EvidenceRef[];
      };
    }
  | {
      type: 'InspectionCompleted';
      data: {
        inspectionId: string;
        summary: string;
        report?: EvidenceRef[];
        totals: { unitId: string; points: Points; maxPoints: Points }[];
      };
    };

export const INSPECTION_EVENT_TYPES = [
  'InspectionScheduled',
  'InspectionRescheduled',
  'InspectionCancelled',
  'InspectionStarted',
  'EvidenceAttached',
  'FindingRecorded',
  'FindingAmended',
  'FindingWithdrawn',
  'CriterionScored',
  'CriterionScoreCorrected',
  'VetoConditionFound',
  'InspectionCompleted',
] as const;

// ── Commands ───────────────────────────────────────────────────────────────────

/** The office's commands (scheduling) and the team's (the visit), with who issues them. */
export type InspectionCommand = InspectionCommandBody & {
  /** Who issues the command: the caller's id from its token, never from a request body. */
  by?: string;
};

type InspectionCommandBody =
  | {
      type: 'ScheduleInspection';
      data: {
        inspectionId: string;
        campaignId: string;
        kind: string;
        title: string;
        scope?: string;
        unitIds: string[];
        inspectors: Inspector[];
        criterionIds?: string[];
        plannedDates: DateRange;
        /** A key spot check: the recorded draw; its units and inspectors are used. */
        draw?: { drawId: string; drawnUnitIds: string[]; inspectorIds: string[] };
        thirdPartyOrganization?: string;
        announced?: boolean;
      };
    }
  | { type: 'RescheduleInspection'; data: { plannedDates?: DateRange; inspectors?: Inspector[]; reason: string } }
  | { type: 'CancelInspection'; data: { reason: string } }
  | { type: 'StartInspection'; data: { unitId: string; inspectorIds?: string[] } }
  | {
      type: 'AttachEvidence';
      data: { unitId: string; evidence: EvidenceRef; criterionId?: string; findingId?: string; catalog: CatalogView | undefined };
    }
  | { type: 'RecordFinding'; data: FindingInput & { catalog: CatalogView | undefined } }
  | {
      type: 'AmendFinding';
      data: {
        findingId: string;
        criterionId?: string;
        severity?: string;
        description?: string;
        publicConcern?: boolean;
        reason: string;
        catalog: CatalogView | undefined;
      };
    }
  | { type: 'WithdrawFinding'; data: { findingId: string; reason: string } }
  | { type: 'ScoreCriterion'; data: { unitId: string; score: CriterionScoreInput; catalog: CatalogView | undefined } }
  | {
      type: 'CorrectCriterionScore';
      data: { unitId: string; score: CriterionScoreInput; reason: string; catalog: CatalogView | undefined };
    }
  | {
      type: 'RecordVetoCondition';
      data: {
        unitId: string;
        vetoConditionId: string;
        description: string;
        findingId?: string;
        evidence?: EvidenceRef[];
        catalog: CatalogView | undefined;
      };
    }
  | { type: 'CompleteInspection'; data: { summary: string; report?: EvidenceRef[] } };

// ── State ──────────────────────────────────────────────────────────────────────

export type InspectionStatus = 'scheduled' | 'in_progress' | 'completed' | 'cancelled';

export type InspectionState =
  | { status: 'none' }
  | {
      status: InspectionStatus;
      inspectionId: string;
      campaignId: string;
      kind: InspectionKind;
      announced: boolean;
      unitIds: string[];
      inspectors: Inspector[];
      criterionIds: string[];
      startedUnitIds: string[];
      findings: Record<string, FindingState>;
      /** `${unitId}/${criterionId}` → score in force. */
      scores: Record<string, ScoreState>;
      /** `${unitId}/${criterionId}` → evidence attached to the criterion or its findings. */
      evidence: Record<string, EvidenceRef[]>;
    };

type Live = Exclude<InspectionState, { status: 'none' }>;

const scoreKey = (unitId: string, criterionId: string) => `${unitId}/${criterionId}`;

export function evolveInspection(state: InspectionState, event: InspectionEvent): InspectionState {
  if (event.type === 'InspectionScheduled') {
    const d = event.data;
    return {
      status: 'scheduled',
      inspectionId: d.inspectionId,
      campaignId: d.campaignId,
      kind: d.kind,
      announced: d.announced,
      unitIds: d.unitIds,
      inspectors: d.inspectors,
      criterionIds: d.criterionIds ?? [],
      startedUnitIds: [],
      findings: {},
      scores: {},
      evidence: {},
    };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'InspectionRescheduled':
      return { ...state, inspectors: event.data.inspectors?.length ? event.data.inspectors : state.inspectors };
    case 'InspectionCancelled':
      return { ...state, status: 'cancelled' };
    case 'InspectionStarted':
      return { ...state, status: 'in_progress', startedUnitIds: [...state.startedUnitIds, event.data.unitId] };
    case 'EvidenceAttached': {
      const d = event.data;
      const criterionId = d.criterionId || (d.findingId ? state.findings[d.findingId]?.criterionId : undefined);
      if (!criterionId) return state;
      const k = scoreKey(d.unitId, criterionId);
      return { ...state, evidence: { ...state.evidence, [k]: [...(state.evidence[k] ?? []), d.evidence] } };
    }
    case 'FindingRecorded': {
      const d = event.data;
      const k = scoreKey(d.unitId, d.criterionId);
      return {
        ...state,
        findings: {
          ...state.findings,
          [d.findingId]: {
            findingId: d.findingId,
            unitId: d.unitId,
            criterionId: d.criterionId,
            severity: d.severity,
            withdrawn: false,
            evidence: d.evidence ?? [],
            publicConcern: d.publicConcern ?? false,
          },
        },
        evidence: { ...state.evidence, [k]: [...(state.evidence[k] ?? []), ...(d.evidence ?? [])] },
      };
    }
    case 'FindingAmended': {
      const f = state.findings[event.data.findingId];
      if (!f) return state;
      const d = event.data;
      return {
        ...state,
        findings: {
          ...state.findings,
          [f.findingId]: { ...f, criterionId: d.criterionId, severity: d.severity, publicConcern: d.publicConcern ?? false },
        },
      };
    }
    case 'FindingWithdrawn': {
      const f = state.findings[event.data.findingId];
      return f ? { ...state, findings: { ...state.findings, [f.findingId]: { ...f, withdrawn: true } } } : state;
    }
    case 'CriterionScored':
    case 'CriterionScoreCorrected': {
      const { unitId, score } = event.data;
      return {
        ...state,
        scores: {
          ...state.scores,
          [scoreKey(unitId, score.criterionId)]: {
            unitId,
            criterionId: score.criterionId,
            points: score.points.hundredths ?? 0,
            maxPoints: score.maxPoints.hundredths ?? 0,
          },
        },
      };
    }
    case 'VetoConditionFound':
      return state;
    case 'InspectionCompleted':
      return { ...state, status: 'completed' };
    default:
      return unreachable(event);
  }
}

// ── Decisions ─────────────────────────────────────────────────────────────────

function forbid(state: InspectionState, attempted: string, reason?: string): never {
  throw new ForbiddenTransitionError(state.status, attempted, reason);
}

function live(state: InspectionState, attempted: string, allowed: readonly InspectionStatus[]): Live {
  if (state.status === 'none') throw new ForbiddenTransitionError('none', attempted, 'the inspection was never scheduled');
  if (!allowed.includes(state.status)) forbid(state, attempted);
  return state;
}

/**
 * The visit is the team's: checked first, before the inspection's state can show
 * in an error, so an inspector outside the team learns nothing from trying.
 */
function conducted(state: InspectionState, by: string | undefined, attempted: string, allowed: readonly InspectionStatus[]): Live {
  if (state.status !== 'none') requireOnTeam(state, by);
  return live(state, attempted, allowed);
}

/** Only the inspection's team conducts its visit (and orders what it found rectified). */
export function requireOnTeam(state: Live, by: string | undefined): void {
  if (state.inspectors.some((i) => i.inspectorId === by)) return;
  throw new PermissionDeniedError(`${by ?? 'an unnamed caller'} is not on the team of inspection ${state.inspectionId}`);
}

function checkInspectors(field: string, inspectors: readonly Inspector[]): Inspector[] {
  if (inspectors.length === 0) throw new ValidationError(field, 'an inspection needs at least one inspector');
  const seen = new Set<string>();
  inspectors.forEach((i, n) => {
    requireText(`${field}[${n}].inspectorId`, i.inspectorId);
    if (seen.has(i.inspectorId)) throw new ValidationError(`${field}[${n}].inspectorId`, `${i.inspectorId} appears twice`);
    seen.add(i.inspectorId);
  });
  return [...inspectors];
}

function checkDates(field: string, range: DateRange | undefined): DateRange {
  const start = requireDate(`${field}.startDate`, range?.startDate);
  const end = requireDate(`${field}.endDate`, range?.endDate);
  if (end < start) throw new ValidationError(`${field}.endDate`, 'is before the start date');
  return { startDate: start, endDate: end };
}

/** Findings, scores and evidence concern a unit the team has arrived at. */
function atStartedUnit(state: Live, unitId: string, attempted: string): void {
  requireText('unitId', unitId);
  if (!state.unitIds.includes(unitId)) throw new ValidationError('unitId', `unit ${unitId} is not inspected by ${state.inspectionId}`);
  if (!state.startedUnitIds.includes(unitId)) forbid(state, attempted, `the inspection has not started at unit ${unitId}`);
}

function decideSchedule(data: Extract<InspectionCommand, { type: 'ScheduleInspection' }>['data']): InspectionEvent[] {
  requireText('inspectionId', data.inspectionId);
  requireText('campaignId', data.campaignId);
  if (!INSPECTION_KINDS.includes(data.kind as InspectionKind))
    throw new ValidationError('kind', `must be one of ${INSPECTION_KINDS.join(', ')}`);
  const kind = data.kind as InspectionKind;
  requireText('title', data.title);
  let unitIds = [...new Set(data.unitIds ?? [])];
  let inspectors = data.inspectors ?? [];
  if (kind === 'INSPECTION_KIND_KEY_SPOT_CHECK') {
    // 双随机: the targets and the team are the draw's, never hand-picked.
    if (!data.draw) throw new ValidationError('drawId', 'a key spot check takes its units and inspectors from a recorded draw');
    if (data.unitIds?.length) throw new ValidationError('unitIds', 'a key spot check takes its units from the draw; leave unitIds empty');
    unitIds = data.draw.drawnUnitIds;
    const named = new Map(inspectors.map((i) => [i.inspectorId, i]));
    inspectors = data.draw.inspectorIds.map((id) => named.get(id) ?? { inspectorId: id });
  } else if (data.draw) {
    throw new ValidationError('drawId', 'only a key spot check is drawn');
  }
  if (unitIds.length === 0) throw new ValidationError('unitIds', 'an inspection inspects at least one unit');
  for (const [i, u] of unitIds.entries()) requireText(`unitIds[${i}]`, u);
  checkInspectors('inspectors', inspectors);
  if (kind === 'INSPECTION_KIND_THIRD_PARTY') requireText('thirdPartyOrganization', data.thirdPartyOrganization);
  const announced = kind === 'INSPECTION_KIND_UNANNOUNCED' ? false : (data.announced ?? true);
  return [
    {
      type: 'InspectionScheduled',
      data: {
        inspectionId: data.inspectionId,
        campaignId: data.campaignId,
        kind,
        title: data.title,
        ...(data.scope ? { scope: data.scope } : {}),
        unitIds,
        inspectors,
        ...(data.criterionIds?.length ? { criterionIds: data.criterionIds } : {}),
        plannedDates: checkDates('plannedDates', data.plannedDates),
        ...(data.draw ? { drawId: data.draw.drawId } : {}),
        ...(data.thirdPartyOrganization ? { thirdPartyOrganization: data.thirdPartyOrganization } : {}),
        announced,
      },
    },
  ];
}

export function decideInspection(command: InspectionCommand, state: InspectionState): InspectionEvent[] {
  switch (command.type) {
    case 'ScheduleInspection':
      if (state.status !== 'none') forbid(state, 'schedule', 'the inspection is already scheduled');
      return decideSchedule(command.data);
    case 'RescheduleInspection': {
      const s = live(state, 'reschedule', ['scheduled']);
      const d = command.data;
      requireText('reason', d.reason);
      if (!d.plannedDates && !d.inspectors?.length) throw new ValidationError('plannedDates', 'give new dates or inspectors');
      return [
        {
          type: 'InspectionRescheduled',
          data: {
            inspectionId: s.inspectionId,
            ...(d.plannedDates ? { plannedDates: checkDates('plannedDates', d.plannedDates) } : {}),
            ...(d.inspectors?.length ? { inspectors: checkInspectors('inspectors', d.inspectors) } : {}),
            reason: d.reason,
          },
        },
      ];
    }
    case 'CancelInspection': {
      const s = live(state, 'cancel', ['scheduled']);
      requireText('reason', command.data.reason);
      return [{ type: 'InspectionCancelled', data: { inspectionId: s.inspectionId, reason: command.data.reason } }];
    }
    case 'StartInspection': {
      const s = conducted(state, command.by, 'start', ['scheduled', 'in_progress']);
      const { unitId } = command.data;
      requireText('unitId', unitId);
      if (!s.unitIds.includes(unitId)) throw new ValidationError('unitId', `unit ${unitId} is not inspected by ${s.inspectionId}`);
      if (s.startedUnitIds.includes(unitId)) forbid(s, 'start', `the team has already arrived at unit ${unitId}`);
      const team = s.inspectors.map((i) => i.inspectorId);
      // Who arrived is the record: the one starting the visit is there, and whoever
      // else it names present must be of the team too.
      const by = command.by as string;
      const inspectorIds = command.data.inspectorIds?.length ? command.data.inspectorIds : [by];
      inspectorIds.forEach((id, i) => {
        if (!team.includes(id)) throw new ValidationError(`inspectorIds[${i}]`, `${id} is not assigned to this inspection`);
      });
      if (!inspectorIds.includes(by)) throw new ValidationError('inspectorIds', `must include ${by}, who starts the visit`);
      return [{ type: 'InspectionStarted', data: { inspectionId: s.inspectionId, unitId, inspectorIds } }];
    }
    case 'AttachEvidence': {
      const s = conducted(state, command.by, 'attach evidence', ['in_progress']);
      const d = command.data;
      atStartedUnit(s, d.unitId, 'attach evidence');
      const [evidence] = checkEvidence('evidence', d.evidence ? [d.evidence] : []);
      if (!evidence) throw new ValidationError('evidence', 'is required');
      let criterionId = d.criterionId;
      if (d.findingId) {
        const f = s.findings[d.findingId];
        if (!f || f.unitId !== d.unitId)
          throw new ValidationError('findingId', `finding ${d.findingId} is not recorded for unit ${d.unitId}`);
        if (criterionId && criterionId !== f.criterionId)
          throw new ValidationError('criterionId', `finding ${d.findingId} is about ${f.criterionId}`);
        criterionId = f.criterionId;
      }
      let ruleCheck: EvidenceRuleCheck | undefined;
      if (criterionId) {
        const criterion = catalogCriterion('criterionId', criterionId, d.catalog, s.criterionIds);
        ruleCheck = checkEvidenceRules(criterion.evidenceRules, [...(s.evidence[scoreKey(d.unitId, criterionId)] ?? []), evidence]);
      }
      return [
        {
          type: 'EvidenceAttached',
          data: {
            inspectionId: s.inspectionId,
            unitId: d.unitId,
            evidence,
            ...(criterionId ? { criterionId } : {}),
            ...(d.findingId ? { findingId: d.findingId } : {}),
            ...(ruleCheck ? { ruleCheck } : {}),
          },
        },
      ];
    }
    case 'RecordFinding': {
      const s = conducted(state, command.by, 'record a finding', ['in_progress']);
      const d = command.data;
      const { severity, evidence } = checkFinding(d);
      atStartedUnit(s, d.unitId, 'record a finding');
      catalogCriterion('criterionId', d.criterionId, d.catalog, s.criterionIds);
      if (s.findings[d.findingId]) forbid(s, 'record a finding', `finding ${d.findingId} is already recorded`);
      return [
        {
          type: 'FindingRecorded',
          data: {
            findingId: d.findingId,
            inspectionId: s.inspectionId,
            unitId: d.unitId,
            campaignId: s.campaignId,
            criterionId: d.criterionId,
            severity,
            description: d.description,
            ...(evidence.length ? { evidence } : {}),
            ...(d.publicConcern ? { publicConcern: true } : {}),
            ...(d.location ? { location: d.location } : {}),
          },
        },
      ];
    }
    case 'AmendFinding': {
      const s = conducted(state, command.by, 'amend a finding', ['in_progress', 'completed']);
      const d = command.data;
      const f = s.findings[d.findingId];
      if (!f) throw new ValidationError('findingId', `finding ${d.findingId} is not recorded in ${s.inspectionId}`);
      if (f.withdrawn) throw new ForbiddenTransitionError('withdrawn', 'amend a finding');
      requireText('reason', d.reason);
      const criterionId = d.criterionId || f.criterionId;
      catalogCriterion('criterionId', criterionId, d.catalog, s.criterionIds);
      const severity = d.severity ? checkSeverity('severity', d.severity) : f.severity;
      return [
        {
          type: 'FindingAmended',
          data: {
            findingId: d.findingId,
            criterionId,
            severity,
            description: requireText('description', d.description),
            ...(d.publicConcern ? { publicConcern: true } : {}),
            reason: d.reason,
          },
        },
      ];
    }
    case 'WithdrawFinding': {
      const s = conducted(state, command.by, 'withdraw a finding', ['in_progress', 'completed']);
      const f = s.findings[command.data.findingId];
      if (!f) throw new ValidationError('findingId', `finding ${command.data.findingId} is not recorded in ${s.inspectionId}`);
      if (f.withdrawn) throw new ForbiddenTransitionError('withdrawn', 'withdraw a finding');
      requireText('reason', command.data.reason);
      return [{ type: 'FindingWithdrawn', data: { findingId: f.findingId, reason: command.data.reason } }];
    }
    case 'ScoreCriterion':
    case 'CorrectCriterionScore': {
      const correcting = command.type === 'CorrectCriterionScore';
      const attempted = correcting ? 'correct a score' : 'score a criterion';
      const s = conducted(state, command.by, attempted, correcting ? ['in_progress', 'completed'] : ['in_progress']);
      const d = command.data;
      if (!d.score) throw new ValidationError('score', 'is required');
      atStartedUnit(s, d.unitId, attempted);
      const criterion = catalogCriterion('score.criterionId', d.score.criterionId, d.catalog, s.criterionIds);
      const exists = Boolean(s.scores[scoreKey(d.unitId, criterion.criterionId)]);
      if (!correcting && exists) throw new ForbiddenTransitionError('scored', attempted, 'correct the score instead');
      if (correcting && !exists) throw new ForbiddenTransitionError('not scored', attempted, 'score the criterion first');
      const score = checkScore('score', d.score, criterion, Object.keys(s.findings));
      if (command.type === 'CorrectCriterionScore') {
        requireText('reason', command.data.reason);
        return [
          { type: 'CriterionScoreCorrected', data: { inspectionId: s.inspectionId, unitId: d.unitId, score, reason: command.data.reason } },
        ];
      }
      return [{ type: 'CriterionScored', data: { inspectionId: s.inspectionId, unitId: d.unitId, campaignId: s.campaignId, score } }];
    }
    case 'RecordVetoCondition': {
      const s = conducted(state, command.by, 'record a veto condition', ['in_progress']);
      const d = command.data;
      atStartedUnit(s, d.unitId, 'record a veto condition');
      requireText('vetoConditionId', d.vetoConditionId);
      if (!d.catalog?.vetoConditionIds.includes(d.vetoConditionId)) {
        throw new ValidationError('vetoConditionId', `${d.vetoConditionId} is not a veto condition of campaign ${s.campaignId}`);
      }
      requireText('description', d.description);
      if (d.findingId && !s.findings[d.findingId])
        throw new ValidationError('findingId', `finding ${d.findingId} is not recorded in ${s.inspectionId}`);
      const evidence = checkEvidence('evidence', d.evidence);
      return [
        {
          type: 'VetoConditionFound',
          data: {
            inspectionId: s.inspectionId,
            unitId: d.unitId,
            campaignId: s.campaignId,
            vetoConditionId: d.vetoConditionId,
            description: d.description,
            ...(d.findingId ? { findingId: d.findingId } : {}),
            ...(evidence.length ? { evidence } : {}),
          },
        },
      ];
    }
    case 'CompleteInspection': {
      const s = conducted(state, command.by, 'complete', ['in_progress']);
      requireText('summary', command.data.summary);
      const report = checkEvidence('report', command.data.report);
      const totals = s.startedUnitIds.map((unitId) => {
        const scores = Object.values(s.scores).filter((x) => x.unitId === unitId);
        return {
          unitId,
          points: { hundredths: scores.reduce((n, x) => n + x.points, 0) },
          maxPoints: { hundredths: scores.reduce((n, x) => n + x.maxPoints, 0) },
        };
      });
      return [
        {
          type: 'InspectionCompleted',
          data: { inspectionId: s.inspectionId, summary: command.data.summary, ...(report.length ? { report } : {}), totals },
        },
      ];
    }
    default:
      return unreachable(command);
  }
}

export const inspectionDecider: Decider<InspectionCommand, InspectionEvent, InspectionState> = {
  initialState: () => ({ status: 'none' }),
  evolve: evolveInspection,
  decide: decideInspection,
};
