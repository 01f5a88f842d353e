// A rectification 整改, every step one event (the envelope records who and when):
//
//   ordered → acknowledged → measures submitted → progress reported (any number)
//     → completion reported → verification passed → closed
//                           → verification failed → reopened → … again
//   extension requested → granted (new deadline) | refused, while it is open
//   closed as not rectifiable (office, with a reason): counted apart from the solved
//   closed | verified → regressed (a look-back found the problem back) → reopened
//
// Nothing counts as solved without a passed verification: closing needs one.
import type { Decider } from '@wenming/service-kit';
import {
  checkEvidence,
  type EvidenceRef,
  ForbiddenTransitionError,
  isDate,
  type Person,
  requireDate,
  requireText,
  type Severity,
  unreachable,
  ValidationError,
} from './shared.js';

export interface RectificationMeasure {
  measureId: string;
  description: string;
  owner?: Person;
  plannedCompletionDate?: string;
}

// ── Events (stream rectification-<rectificationId>) ────────────────────────────

export type RectificationEvent =
  | {
      type: 'RectificationOrdered';
      data: {
        rectificationId: string;
        findingId: string;
        inspectionId: string;
        unitId: string;
        campaignId: string;
        criterionId: string;
        severity: Severity;
        requirements: string;
        deadlineDate: string;
        publicConcern?: boolean;
        evidence?: EvidenceRef[];
      };
    }
  | { type: 'RectificationAcknowledged'; data: { rectificationId: string; responsiblePerson: Person } }
  | {
      type: 'RectificationMeasuresSubmitted';
      data: { rectificationId: string; measures: RectificationMeasure[]; documents?: EvidenceRef[] };
    }
  | {
      type: 'RectificationProgressReported';
      data: {
        rectificationId: string;
        step: number;
        description: string;
        measureIds?: string[];
        percentComplete?: number;
        evidence?: EvidenceRef[];
      };
    }
  | {
      type: 'RectificationExtensionRequested';
      data: { rectificationId: string; requestId: string; requestedDeadlineDate: string; reason: string };
    }
  | {
      type: 'RectificationExtensionGranted';
      data: { rectificationId: string; requestId: string; newDeadlineDate: string; comment?: string };
    }
  | { type: 'RectificationExtensionRefused'; data: { rectificationId: string; requestId: string; reason: string } }
  | { type: 'RectificationCompletionReported'; data: { rectificationId: string; summary: string; evidence?: EvidenceRef[] } }
  | {
      type: 'RectificationVerificationPassed';
      data: { rectificationId: string; inspectorIds: string[]; comment?: string; evidence?: EvidenceRef[] };
    }
  | {
      type: 'RectificationVerificationFailed';
      data: { rectificationId: string; inspectorIds: string[]; reasons: string[]; newDeadlineDate?: string; evidence?: EvidenceRef[] };
    }
  | { type: 'RectificationClosed'; data: { rectificationId: string; comment?: string } }
  | {
      type: 'RectificationClosedNotRectifiable';
      data: { rectificationId: string; reason: string; compensatingMeasures?: string; approvedBy?: Person };
    }
  | {
      type: 'RectificationRegressed';
      data: {
        rectificationId: string;
        lookbackReviewId?: string;
        recurrenceId?: string;
        description: string;
        evidence?: EvidenceRef[];
        newDeadlineDate?: string;
        observedAt?: string;
      };
    };

export const RECTIFICATION_EVENT_TYPES = [
  'RectificationOrdered',
  'RectificationAcknowledged',
  'RectificationMeasuresSubmitted',
  'RectificationProgressReported',
  'RectificationExtensionRequested',
  'RectificationExtensionGranted',
  'RectificationExtensionRefused',
  'RectificationCompletionReported',
  'RectificationVerificationPassed',
  'RectificationVerificationFailed',
  'RectificationClosed',
  'RectificationClosedNotRectifiable',
  'RectificationRegressed',
] as const;

// ── Commands (`on` is the command's calendar day, from its business time) ───────

export type RectificationCommand =
  | {
      type: 'OrderRectification';
      data: {
        rectificationId: string;
        /** The finding, as recorded on its inspection (read by the application). */
        finding: {
          findingId: string;
          inspectionId: string;
          unitId: string;
          campaignId: string;
          criterionId: string;
          severity: Severity;
          publicConcern: boolean;
        };
        requirements: string;
        deadlineDate: string;
        evidence?: EvidenceRef[];
        on: string;
      };
    }
  | { type: 'AcknowledgeRectification'; data: { responsiblePerson: Person } }
  | { type: 'SubmitRectificationMeasures'; data: { measures: RectificationMeasure[]; documents?: EvidenceRef[] } }
  | {
      type: 'ReportRectificationProgress';
      data: { description: string; measureIds?: string[]; percentComplete?: number; evidence?: EvidenceRef[] };
    }
  | { type: 'RequestRectificationExtension'; data: { requestedDeadlineDate: string; reason: string } }
  | { type: 'GrantRectificationExtension'; data: { requestId: string; newDeadlineDate?: string; comment?: string } }
  | { type: 'RefuseRectificationExtension'; data: { requestId: string; reason: string } }
  | { type: 'ReportRectificationCompletion'; data: { summary: string; evidence?: EvidenceRef[] } }
  | { type: 'PassRectificationVerification'; data: { inspectorIds: string[]; comment?: string; evidence?: EvidenceRef[] } }
  | {
      type: 'FailRectificationVerification';
      data: { inspectorIds: string[]; reasons: string[]; newDeadlineDate?: string; evidence?: EvidenceRef[]; on: string };
    }
  | { type: 'CloseRectification'; data: { comment?: string } }
  | { type: 'CloseRectificationNotRectifiable'; data: { reason: string; compensatingMeasures?: string; approvedBy?: Person } }
  | {
      type: 'RegressRectification';
      data: {
        lookbackReviewId?: string;
        recurrenceId?: string;
        description: string;
        evidence?: EvidenceRef[];
        newDeadlineDate?: string;
        observedAt?: string;
        on: string;
      };
    };

// ── State ──────────────────────────────────────────────────────────────────────

export type RectificationStatus =
  | 'ordered'
  | 'acknowledged'
  | 'measures_submitted'
  | 'in_progress'
  | 'awaiting_verification'
  | 'verified'
  | 'reopened'
  | 'closed'
  | 'closed_not_rectifiable';

export type RectificationState =
  | { status: 'none' }
  | {
      status: RectificationStatus;
      rectificationId: string;
      unitId: string;
      deadlineDate: string;
      measureIds: string[];
      progressSteps: number;
      extensionRequests: number;
      pendingExtension?: { requestId: string; requestedDeadlineDate: string };
    };

type Live = Exclude<RectificationState, { status: 'none' }>;

/** Open: the unit still has work to do (or the inspector a verification). */
export const OPEN_STATUSES: readonly RectificationStatus[] = [
  'ordered',
  'acknowledged',
  'measures_submitted',
  'in_progress',
  'awaiting_verification',
  'reopened',
];
const WORKING: readonly RectificationStatus[] = ['measures_submitted', 'in_progress', 'reopened'];

export function evolveRectification(state: RectificationState, event: RectificationEvent): RectificationState {
  if (event.type === 'RectificationOrdered') {
    return {
      status: 'ordered',
      rectificationId: event.data.rectificationId,
      unitId: event.data.unitId,
      deadlineDate: event.data.deadlineDate,
      measureIds: [],
      progressSteps: 0,
      extensionRequests: 0,
    };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'RectificationAcknowledged':
      return { ...state, status: 'acknowledged' };
    case 'RectificationMeasuresSubmitted':
      return {
        ...state,
        status: state.status === 'acknowledged' ? 'measures_submitted' : state.status,
        measureIds: [...new Set([...state.measureIds, ...event.data.measures.map((m) => m.measureId)])],
      };
    case 'RectificationProgressReported':
      return { ...state, status: state.status === 'reopened' ? 'reopened' : 'in_progress', progressSteps: event.data.step };
    case 'RectificationExtensionRequested':
      return {
        ...state,
        extensionRequests: state.extensionRequests + 1,
        pendingExtension: { requestId: event.data.requestId, requestedDeadlineDate: event.data.requestedDeadlineDate },
      };
    case 'RectificationExtensionGranted': {
      const { pendingExtension: _, ...rest } = state;
      return { ...rest, deadlineDate: event.data.newDeadlineDate };
    }
    case 'RectificationExtensionRefused': {
      const { pendingExtension: _, ...rest } = state;
      return rest;
    }
    case 'RectificationCompletionReported':
      return { ...state, status: 'awaiting_verification' };
    case 'RectificationVerificationPassed':
      return { ...state, status: 'verified' };
    case 'RectificationVerificationFailed':
      return { ...state, status: 'reopened', deadlineDate: event.data.newDeadlineDate || state.deadlineDate };
    case 'RectificationClosed':
      return { ...state, status: 'closed' };
    case 'RectificationClosedNotRectifiable': {
      const { pendingExtension: _, ...rest } = state;
      return { ...rest, status: 'closed_not_rectifiable' };
    }
    case 'RectificationRegressed':
      return { ...state, status: 'reopened', deadlineDate: event.data.newDeadlineDate || state.deadlineDate };
    default:
      return unreachable(event);
  }
}

// ── Decisions ─────────────────────────────────────────────────────────────────

function at(state: RectificationState, attempted: string, allowed: readonly RectificationStatus[]): Live {
  if (state.status === 'none') throw new ForbiddenTransitionError('none', attempted, 'no rectification was ordered');
  if (!allowed.includes(state.status)) throw new ForbiddenTransitionError(state.status, attempted);
  return state;
}

function inspectors(ids: readonly string[] | undefined): string[] {
  if (!ids?.length) throw new ValidationError('inspectorIds', 'name the inspectors who verified');
  for (const [i, id] of ids.entries()) requireText(`inspectorIds[${i}]`, id);
  return [...ids];
}

function optionalDeadline(field: string, value: string | undefined, on: string): string | undefined {
  if (!value) return undefined;
  requireDate(field, value);
  if (value < on) throw new ValidationError(field, `${value} is already past (${on})`);
  return value;
}

export function decideRectification(command: RectificationCommand, state: RectificationState): RectificationEvent[] {
  switch (command.type) {
    case 'OrderRectification': {
      if (state.status !== 'none') throw new ForbiddenTransitionError(state.status, 'order', 'the rectification is already ordered');
      const d = command.data;
      requireText('rectificationId', d.rectificationId);
      requireText('requirements', d.requirements);
      requireDate('deadlineDate', d.deadlineDate);
      if (d.deadlineDate < d.on) throw new ValidationError('deadlineDate', `${d.deadlineDate} is already past (${d.on})`);
      const evidence = checkEvidence('evidence', d.evidence);
      const f = d.finding;
      return [
        {
          type: 'RectificationOrdered',
          data: {
            rectificationId: d.rectificationId,
            findingId: f.findingId,
            inspectionId: f.inspectionId,
            unitId: f.unitId,
            campaignId: f.campaignId,
            criterionId: f.criterionId,
            severity: f.severity,
            requirements: d.requirements,
            deadlineDate: d.deadlineDate,
            ...(f.publicConcern ? { publicConcern: true } : {}),
            ...(evidence.length ? { evidence } : {}),
          },
        },
      ];
    }
    case 'AcknowledgeRectification': {
      const s = at(state, 'acknowledge', ['ordered']);
      const p = command.data.responsiblePerson;
      requireText('responsiblePerson.name', p?.name);
      return [{ type: 'RectificationAcknowledged', data: { rectificationId: s.rectificationId, responsiblePerson: p } }];
    }
    case 'SubmitRectificationMeasures': {
      const s = at(state, 'submit measures', ['acknowledged', ...WORKING]);
      const measures = command.data.measures ?? [];
      if (measures.length === 0) throw new ValidationError('measures', 'submit at least one measure');
      const seen = new Set<string>();
      measures.forEach((m, i) => {
        requireText(`measures[${i}].measureId`, m.measureId);
        if (seen.has(m.measureId)) throw new ValidationError(`measures[${i}].measureId`, `${m.measureId} appears twice`);
        seen.add(m.measureId);
        requireText(`measures[${i}].description`, m.description);
        if (m.plannedCompletionDate) requireDate(`measures[${i}].plannedCompletionDate`, m.plannedCompletionDate);
      });
      const documents = checkEvidence('documents', command.data.documents);
      return [
        {
          type: 'RectificationMeasuresSubmitted',
          data: { rectificationId: s.rectificationId, measures, ...(documents.length ? { documents } : {}) },
        },
      ];
    }
    case 'ReportRectificationProgress': {
      const s = at(state, 'report progress', WORKING);
      const d = command.data;
      requireText('description', d.description);
      const evidence = checkEvidence('evidence', d.evidence);
      if (evidence.length === 0) throw new ValidationError('evidence', 'each progress step carries its evidence');
      (d.measureIds ?? []).forEach((id, i) => {
        if (!s.measureIds.includes(id)) throw new ValidationError(`measureIds[${i}]`, `${id} is not a submitted measure`);
      });
      const pct = d.percentComplete ?? 0;
      if (!Number.isInteger(pct) || pct < 0 || pct > 100) throw new ValidationError('percentComplete', 'is 0 to 100');
      return [
        {
          type: 'RectificationProgressReported',
          data: {
            rectificationId: s.rectificationId,
            step: s.progressSteps + 1,
            description: d.description,
            ...(d.measureIds?.length ? { measureIds: d.measureIds } : {}),
            ...(d.percentComplete !== undefined ? { percentComplete: pct } : {}),
            evidence,
          },
        },
      ];
    }
    case 'RequestRectificationExtension': {
      const s = at(state, 'request an extension', ['acknowledged', ...WORKING]);
      if (s.pendingExtension)
        throw new ForbiddenTransitionError(`${s.status}, extension ${s.pendingExtension.requestId} pending`, 'request an extension');
      const d = command.data;
      requireDate('requestedDeadlineDate', d.requestedDeadlineDate);
      if (d.requestedDeadlineDate <= s.deadlineDate) {
        throw new ValidationError('requestedDeadlineDate', `must be after the deadline in force, ${s.deadlineDate}`);
      }
      requireText('reason', d.reason);
      return [
        {
          type: 'RectificationExtensionRequested',
          data: {
            rectificationId: s.rectificationId,
            requestId: `ext-${s.extensionRequests + 1}`,
            requestedDeadlineDate: d.requestedDeadlineDate,
            reason: d.reason,
          },
        },
      ];
    }
    case 'GrantRectificationExtension':
    case 'RefuseRectificationExtension': {
      const granting = command.type === 'GrantRectificationExtension';
      const attempted = granting ? 'grant an extension' : 'refuse an extension';
      const s = at(state, attempted, OPEN_STATUSES);
      if (!s.pendingExtension) throw new ForbiddenTransitionError(`${s.status}, no extension pending`, attempted);
      if (command.data.requestId && command.data.requestId !== s.pendingExtension.requestId) {
        throw new ValidationError('requestId', `the pending request is ${s.pendingExtension.requestId}`);
      }
      const requestId = s.pendingExtension.requestId;
      if (command.type === 'RefuseRectificationExtension') {
        requireText('reason', command.data.reason);
        return [
          { type: 'RectificationExtensionRefused', data: { rectificationId: s.rectificationId, requestId, reason: command.data.reason } },
        ];
      }
      const newDeadlineDate = command.data.newDeadlineDate || s.pendingExtension.requestedDeadlineDate;
      if (!isDate(newDeadlineDate)) throw new ValidationError('newDeadlineDate', 'must be a calendar day YYYY-MM-DD');
      if (newDeadlineDate <= s.deadlineDate)
        throw new ValidationError('newDeadlineDate', `must be after the deadline in force, ${s.deadlineDate}`);
      return [
        {
          type: 'RectificationExtensionGranted',
          data: {
            rectificationId: s.rectificationId,
            requestId,
            newDeadlineDate,
            ...(command.data.comment ? { comment: command.data.comment } : {}),
          },
        },
      ];
    }
    case 'ReportRectificationCompletion': {
      const s = at(state, 'report completion', WORKING);
      requireText('summary', command.data.summary);
      const evidence = checkEvidence('evidence', command.data.evidence);
      return [
        {
          type: 'RectificationCompletionReported',
          data: { rectificationId: s.rectificationId, summary: command.data.summary, ...(evidence.length ? { evidence } : {}) },
        },
      ];
    }
    case 'PassRectificationVerification': {
      const s = at(state, 'pass verification', ['awaiting_verification']);
      const evidence = checkEvidence('evidence', command.data.evidence);
      return [
        {
          type: 'RectificationVerificationPassed',
          data: {
            rectificationId: s.rectificationId,
            inspectorIds: inspectors(command.data.inspectorIds),
            ...(command.data.comment ? { comment: command.data.comment } : {}),
            ...(evidence.length ? { evidence } : {}),
          },
        },
      ];
    }
    case 'FailRectificationVerification': {
      const s = at(state, 'fail verification', ['awaiting_verification']);
      const d = command.data;
      const ids = inspectors(d.inspectorIds);
      if (!d.reasons?.length) throw new ValidationError('reasons', 'a failed verification gives its reasons');
      for (const [i, r] of d.reasons.entries()) requireText(`reasons[${i}]`, r);
      const newDeadlineDate = optionalDeadline('newDeadlineDate', d.newDeadlineDate, d.on);
      const evidence = checkEvidence('evidence', d.evidence);
      return [
        {
          type: 'RectificationVerificationFailed',
          data: {
            rectificationId: s.rectificationId,
            inspectorIds: ids,
            reasons: d.reasons,
            ...(newDeadlineDate ? { newDeadlineDate } : {}),
            ...(evidence.length ? { evidence } : {}),
          },
        },
      ];
    }
    case 'CloseRectification': {
      const s = at(state, 'close', ['verified']);
      return [
        {
          type: 'RectificationClosed',
          data: { rectificationId: s.rectificationId, ...(command.data.comment ? { comment: command.data.comment } : {}) },
        },
      ];
    }
    case 'CloseRectificationNotRectifiable': {
      const s = at(state, 'close as not rectifiable', OPEN_STATUSES);
      requireText('reason', command.data.reason);
      const d = command.data;
      return [
        {
          type: 'RectificationClosedNotRectifiable',
          data: {
            rectificationId: s.rectificationId,
            reason: d.reason,
            ...(d.compensatingMeasures ? { compensatingMeasures: d.compensatingMeasures } : {}),
            ...(d.approvedBy?.name ? { approvedBy: d.approvedBy } : {}),
          },
        },
      ];
    }
    case 'RegressRectification': {
      const s = at(state, 'regress', ['verified', 'closed']);
      const d = command.data;
      requireText('description', d.description);
      const newDeadlineDate = optionalDeadline('newDeadlineDate', d.newDeadlineDate, d.on);
      const evidence = checkEvidence('evidence', d.evidence);
      return [
        {
          type: 'RectificationRegressed',
          data: {
            rectificationId: s.rectificationId,
            ...(d.lookbackReviewId ? { lookbackReviewId: d.lookbackReviewId } : {}),
            ...(d.recurrenceId ? { recurrenceId: d.recurrenceId } : {}),
            description: d.description,
            ...(evidence.length ? { evidence } : {}),
            ...(newDeadlineDate ? { newDeadlineDate } : {}),
            ...(d.observedAt ? { observedAt: d.observedAt } : {}),
          },
        },
      ];
    }
    default:
      return unreachable(command);
  }
}

export const rectificationDecider: Decider<RectificationCommand, RectificationEvent, RectificationState> = {
  initialState: () => ({ status: 'none' }),
  evolve: evolveRectification,
  decide: decideRectification,
};

/** The proto RectificationStatus of a domain status. */
export function protoStatus(status: RectificationStatus): string {
  switch (status) {
    case 'ordered':
      return 'RECTIFICATION_STATUS_ORDERED';
    case 'acknowledged':
    case 'measures_submitted':
    case 'in_progress':
      return 'RECTIFICATION_STATUS_IN_PROGRESS';
    case 'awaiting_verification':
      return 'RECTIFICATION_STATUS_AWAITING_VERIFICATION';
    case 'verified':
      return 'RECTIFICATION_STATUS_VERIFIED';
    case 'reopened':
      return 'RECTIFICATION_STATUS_REOPENED';
    case 'closed':
      return 'RECTIFICATION_STATUS_CLOSED';
    case 'closed_not_rectifiable':
      return 'RECTIFICATION_STATUS_CLOSED_NOT_RECTIFIABLE';
    default:
      return unreachable(status);
  }
}
