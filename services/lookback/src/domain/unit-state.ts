// A unit's state as of an instant 回头看: a fold over the unit's events from every
// service, by type. "As of T" keeps only what had been RECORDED by T (recordedAt),
// which is what an auditor asks ("what did the office know when it granted the
// title?"). Types this fold does not know land in `other` (count, last event, its
// summary), so a new event type of any service never breaks a look-back.
//
// The public functions are pure: the same events give the same state. Inside one
// fold the draft is updated in place (a fold over 100,000 events must not copy the
// state 100,000 times); nothing outside the fold ever sees the draft.
import { type Data, dataOf, type EventRef, type HistoryEvent, recordedBy, refOf, str } from './history-event.js';
import { summarize } from './summaries.js';

export interface Step {
  type: string;
  position: number;
  recordedAt: string;
  occurredAt: string;
  actor?: string;
  summary: string;
}

export interface TaskState {
  taskId: string;
  title?: string;
  deadlineDate?: string;
  /** Last reported completion (TASK_COMPLETION_…), if any report named the task. */
  completion?: string;
}

export interface PlanState {
  planId: string;
  campaignId?: string;
  status: 'drafted' | 'submitted' | 'returned' | 'approved' | 'amendment-submitted';
  version: number;
  submissions: number;
  tasks: Record<string, TaskState>;
  /** The tasks of an amendment under review: they count once it is approved. */
  amendmentTasks?: Record<string, TaskState>;
  lastEvent: EventRef;
}

export interface InspectionState {
  inspectionId: string;
  status: 'scheduled' | 'started' | 'completed' | 'cancelled';
  kind?: string;
  title?: string;
  /** criterionId → points (hundredths) and maximum, corrections applied. */
  scores: Record<string, { points?: number; maxPoints?: number; deductionReason?: string }>;
  vetoes: string[];
  lastEvent: EventRef;
}

export interface FindingState {
  findingId: string;
  inspectionId?: string;
  criterionId?: string;
  severity?: string;
  description?: string;
  publicConcern: boolean;
  withdrawn: boolean;
  lastEvent: EventRef;
}

export type RectificationStatus =
  | 'ordered'
  | 'acknowledged'
  | 'in-progress'
  | 'completion-reported'
  | 'verified'
  | 'reopened'
  | 'closed'
  | 'closed-not-rectifiable'
  | 'regressed';

export interface RectificationState {
  rectificationId: string;
  findingId?: string;
  requirements?: string;
  deadlineDate?: string;
  publicConcern: boolean;
  status: RectificationStatus;
  /** An extension request awaits a decision. */
  extensionPending: boolean;
  regressions: number;
  /** Every step, in recorded order (整改 ordered → … → closed → regressed). */
  steps: Step[];
  lastEvent: EventRef;
}

export interface ComplaintState {
  complaintId: string;
  summary?: string;
  publicConcern: boolean;
  status:
    | 'received'
    | 'assigned'
    | 'forwarded'
    | 'replied'
    | 'visited'
    | 'satisfied'
    | 'not-satisfied'
    | 'reopened'
    | 'closed'
    | 'closed-not-solved';
  lastSatisfaction?: 'satisfied' | 'not-satisfied';
  steps: Step[];
  lastEvent: EventRef;
}

export interface TimeLimitState {
  timeLimitId: string;
  dueDate?: string;
  status: 'running' | 'suspended' | 'met' | 'breached' | 'completed-late' | 'cancelled';
  alarmLevel?: 'warning' | 'yellow-card' | 'red-card' | 'accountability';
  lastEvent: EventRef;
}

export interface CaseState {
  caseId: string;
  summary?: string;
  status: 'opened' | 'investigating' | 'facts-recorded' | 'measures-decided' | 'dismissed' | 'closed';
  measures: string[];
  lastEvent: EventRef;
}

export interface TitleState {
  awardId: string;
  title?: string;
  status: 'awarded' | 'retained' | 'revoked' | 'expired' | 'not-awarded';
  score?: number;
  validFrom?: string;
  validTo?: string;
  lastEvent: EventRef;
}

export interface RuleState {
  ruleId: string;
  title?: string;
  repealed: boolean;
  lastEvent: EventRef;
}

export interface ReviewState {
  reviewId: string;
  title?: string;
  status: 'open' | 'concluded';
  checks: { check: string; result: string; notes?: string }[];
  recurrences: string[];
  lastEvent: EventRef;
}

export interface OtherBucket {
  count: number;
  last: EventRef & { recordedAt: string; summary: string };
}

export interface UnitState {
  unitId: string;
  /** The instant asked for (ISO), or undefined for "everything recorded". */
  asOf?: string;
  /** Last global position folded in (0 when none). */
  asOfPosition: number;
  eventCount: number;
  unit: { name?: string; parentUnitId?: string; firstResponsiblePerson?: string; campaignOffice?: string; dissolved: boolean };
  campaigns: string[];
  plans: Record<string, PlanState>;
  inspections: Record<string, InspectionState>;
  findings: Record<string, FindingState>;
  rectifications: Record<string, RectificationState>;
  complaints: Record<string, ComplaintState>;
  timeLimits: Record<string, TimeLimitState>;
  accountabilityCases: Record<string, CaseState>;
  titles: Record<string, TitleState>;
  rules: Record<string, RuleState>;
  reviews: Record<string, ReviewState>;
  /** Events of types this fold does not know, by type. */
  other: Record<string, OtherBucket>;
}

export function initialUnitState(unitId: string): UnitState {
  return {
    unitId,
    asOfPosition: 0,
    eventCount: 0,
    unit: { dissolved: false },
    campaigns: [],
    plans: {},
    inspections: {},
    findings: {},
    rectifications: {},
    complaints: {},
    timeLimits: {},
    accountabilityCases: {},
    titles: {},
    rules: {},
    reviews: {},
    other: {},
  };
}

/** The unit's state from these events (in global order), keeping only those recorded by asOf. */
export function unitStateAsOf(unitId: string, events: Iterable<HistoryEvent>, asOf?: string): UnitState {
  const asOfMs = asOf === undefined ? Number.POSITIVE_INFINITY : Date.parse(asOf);
  if (Number.isNaN(asOfMs)) throw new RangeError(`asOf ${JSON.stringify(asOf)} is not an instant`);
  const folder = createUnitStateFolder(unitId, asOf);
  for (const event of events) if (recordedBy(event, asOfMs)) folder.add(event);
  return folder.state;
}

/**
 * The fold for callers that stream events (the application reads the store page by
 * page): `add` each event in global order, then read `state`. The folder owns its draft.
 */
export function createUnitStateFolder(unitId: string, asOf?: string): { add(event: HistoryEvent): void; readonly state: UnitState } {
  const state = initialUnitState(unitId);
  if (asOf !== undefined) state.asOf = asOf;
  return {
    add: (event) => apply(state, event),
    get state() {
      return state;
    },
  };
}

// ─── The fold ───────────────────────────────────────────────────────────────

function upsert<T>(map: Record<string, T>, id: string, make: () => NoInfer<T>): T {
  let item = map[id];
  if (item === undefined) {
    item = make();
    map[id] = item;
  }
  return item;
}

function stepOf(event: HistoryEvent): Step {
  const actor = event.metadata.actor;
  return {
    type: event.type,
    position: event.position,
    recordedAt: event.recordedAt,
    occurredAt: event.occurredAt,
    ...(actor ? { actor: `${actor.id} (${actor.role})` } : {}),
    summary: summarize(event),
  };
}

/** The aggregate id an event speaks of: the named field, else the stream's id after its category. */
function idOf(event: HistoryEvent, data: Data, field: string, category: string): string {
  return str(data[field]) ?? (event.streamId.startsWith(`${category}-`) ? event.streamId.slice(category.length + 1) : event.streamId);
}

function points(p: unknown): number | undefined {
  const h = (p as { hundredths?: unknown } | undefined)?.hundredths;
  return typeof h === 'number' ? h : undefined;
}

// Where an event type moves its entity's status: built once, not per event.
const COMPLAINT_STATUS: Partial<Record<string, ComplaintState['status']>> = {
  ComplaintReceived: 'received',
  FirstResponderAssigned: 'assigned',
  ComplaintForwarded: 'forwarded',
  ComplaintReplied: 'replied',
  ComplaintFollowUpVisited: 'visited',
  ComplainantSatisfied: 'satisfied',
  ComplainantNotSatisfied: 'not-satisfied',
  ComplaintReopened: 'reopened',
  ComplaintClosed: 'closed',
  ComplaintClosedNotSolved: 'closed-not-solved',
};
const TIME_LIMIT_STATUS: Partial<Record<string, TimeLimitState['status']>> = {
  TimeLimitStarted: 'running',
  TimeLimitResumed: 'running',
  TimeLimitSuspended: 'suspended',
  TimeLimitMet: 'met',
  TimeLimitBreached: 'breached',
  TimeLimitCompletedLate: 'completed-late',
  TimeLimitCancelled: 'cancelled',
};
const ALARM_LEVEL: Partial<Record<string, TimeLimitState['alarmLevel']>> = {
  WarningIssued: 'warning',
  YellowCardIssued: 'yellow-card',
  RedCardIssued: 'red-card',
  EscalatedToAccountability: 'accountability',
};
const CASE_STATUS: Partial<Record<string, CaseState['status']>> = {
  AccountabilityCaseOpened: 'opened',
  AccountabilityInvestigationStarted: 'investigating',
  AccountabilityFactsRecorded: 'facts-recorded',
  AccountabilityMeasuresDecided: 'measures-decided',
  AccountabilityCaseDismissed: 'dismissed',
  AccountabilityCaseClosed: 'closed',
};
const TITLE_STATUS: Partial<Record<string, TitleState['status']>> = {
  TitleAwarded: 'awarded',
  TitleNotAwarded: 'not-awarded',
  TitleRetained: 'retained',
  TitleRevoked: 'revoked',
  TitleExpired: 'expired',
};

function apply(s: UnitState, e: HistoryEvent): void {
  s.eventCount += 1;
  s.asOfPosition = e.position;
  const d = dataOf(e);
  const ref = refOf(e);
  const campaignId = str(d.campaignId) ?? e.metadata.campaignId;
  if (campaignId !== undefined && !s.campaigns.includes(campaignId)) s.campaigns.push(campaignId);

  switch (e.type) {
    // ── the unit ──
    case 'UnitRegistered':
    case 'UnitDetailsChanged':
      if (str(d.name)) s.unit.name = str(d.name);
      if (str(d.parentUnitId)) s.unit.parentUnitId = str(d.parentUnitId);
      return;
    case 'UnitMoved':
      if (str(d.toParentUnitId)) s.unit.parentUnitId = str(d.toParentUnitId);
      return;
    case 'FirstResponsiblePersonNamed':
      s.unit.firstResponsiblePerson = str((d.person as Data | undefined)?.name);
      return;
    case 'UnitCampaignOfficeDesignated':
      s.unit.campaignOffice = str(d.officeName);
      return;
    case 'UnitDissolved':
      s.unit.dissolved = true;
      return;
    case 'CampaignUnitsEnrolled':
    case 'CampaignUnitsWithdrawn':
      return;

    // ── plans and tasks ──
    case 'PlanDrafted':
    case 'PlanDraftRevised':
    case 'PlanAmendmentSubmitted': {
      const id = idOf(e, d, 'planId', 'plan');
      const plan = upsert(s.plans, id, () => newPlan(id, ref));
      if (campaignId !== undefined) plan.campaignId = campaignId;
      if (e.type === 'PlanAmendmentSubmitted') plan.status = 'amendment-submitted';
      else if (plan.status === 'returned' || plan.status === 'drafted') plan.status = 'drafted';
      // An amendment's tasks count only once approved; the draft's while it is a draft.
      if (e.type !== 'PlanAmendmentSubmitted') plan.tasks = tasksOf(d.content, plan.tasks);
      else plan.amendmentTasks = tasksOf(d.content, plan.tasks);
      plan.lastEvent = ref;
      return;
    }
    case 'PlanSubmitted':
      withPlan(s, e, d, ref, (p) => {
        p.status = 'submitted';
        p.submissions += 1;
      });
      return;
    case 'PlanReturned':
      withPlan(s, e, d, ref, (p) => {
        p.status = 'returned';
      });
      return;
    case 'PlanApproved':
      withPlan(s, e, d, ref, (p) => {
        p.status = 'approved';
        p.version = typeof d.version === 'number' ? d.version : p.version + 1;
      });
      return;
    case 'PlanAmendmentApproved':
      withPlan(s, e, d, ref, (p) => {
        p.status = 'approved';
        p.version = typeof d.version === 'number' ? d.version : p.version + 1;
        if (p.amendmentTasks) p.tasks = p.amendmentTasks;
        delete p.amendmentTasks;
      });
      return;
    case 'PlanAmendmentReturned':
      withPlan(s, e, d, ref, (p) => {
        p.status = 'approved';
        delete p.amendmentTasks;
      });
      return;
    case 'MonthlyTaskReportSubmitted':
    case 'MonthlyTaskReportCorrected': {
      const planId = str(d.planId);
      const plan = planId !== undefined ? s.plans[planId] : Object.values(s.plans).find((p) => Object.keys(p.tasks).length > 0);
      if (!plan || !Array.isArray(d.items)) return;
      for (const item of d.items as Data[]) {
        const taskId = str(item.taskId);
        if (taskId === undefined) continue;
        const task = upsert(plan.tasks, taskId, () => ({ taskId }));
        if (str(item.completion)) task.completion = str(item.completion);
      }
      plan.lastEvent = ref;
      return;
    }
    case 'MonthlyTaskReportReviewed':
    case 'SummarySubmitted':
      return;
    case 'RuleEstablished': {
      const id = idOf(e, d, 'ruleId', 'rule');
      s.rules[id] = { ruleId: id, ...(str(d.title) ? { title: str(d.title) } : {}), repealed: false, lastEvent: ref };
      return;
    }
    case 'RuleRepealed': {
      const id = idOf(e, d, 'ruleId', 'rule');
      const rule = upsert(s.rules, id, () => ({ ruleId: id, repealed: false, lastEvent: ref }));
      rule.repealed = true;
      rule.lastEvent = ref;
      return;
    }

    // ── inspections, findings, scores ──
    case 'InspectionScheduled':
    case 'InspectionRescheduled':
    case 'InspectionStarted':
    case 'InspectionCancelled':
    case 'InspectionCompleted': {
      const insp = inspectionOf(s, e, d, ref, 'scheduled');
      if (e.type === 'InspectionScheduled') {
        if (str(d.kind)) insp.kind = str(d.kind);
        if (str(d.title)) insp.title = str(d.title);
      }
      if (e.type === 'InspectionStarted') insp.status = 'started';
      if (e.type === 'InspectionCancelled') insp.status = 'cancelled';
      if (e.type === 'InspectionCompleted') insp.status = 'completed';
      insp.lastEvent = ref;
      return;
    }
    case 'CriterionScored':
    case 'CriterionScoreCorrected': {
      const insp = inspectionOf(s, e, d, ref, 'started');
      const score = (d.score ?? {}) as Data;
      const criterionId = str(score.criterionId) ?? '?';
      const previous = insp.scores[criterionId] ?? {};
      const pts = points(score.points);
      const max = points(score.maxPoints) ?? previous.maxPoints;
      insp.scores[criterionId] = {
        ...(pts !== undefined ? { points: pts } : {}),
        ...(max !== undefined ? { maxPoints: max } : {}),
        ...(str(score.deductionReason) ? { deductionReason: str(score.deductionReason) } : {}),
      };
      insp.lastEvent = ref;
      return;
    }
    case 'VetoConditionFound': {
      const insp = inspectionOf(s, e, d, ref, 'started');
      insp.vetoes.push(str(d.vetoConditionId) ?? str(d.description) ?? e.id);
      insp.lastEvent = ref;
      return;
    }
    case 'FindingRecorded':
    case 'FindingAmended': {
      const id = idOf(e, d, 'findingId', 'finding');
      const f = upsert(s.findings, id, () => ({ findingId: id, publicConcern: false, withdrawn: false, lastEvent: ref }));
      if (str(d.inspectionId)) f.inspectionId = str(d.inspectionId);
      if (str(d.criterionId)) f.criterionId = str(d.criterionId);
      if (str(d.severity)) f.severity = str(d.severity);
      if (str(d.description)) f.description = str(d.description);
      if (typeof d.publicConcern === 'boolean') f.publicConcern = d.publicConcern;
      f.lastEvent = ref;
      return;
    }
    case 'FindingWithdrawn': {
      const f = s.findings[idOf(e, d, 'findingId', 'finding')];
      if (f) {
        f.withdrawn = true;
        f.lastEvent = ref;
      }
      return;
    }
    case 'EvidenceAttached':
    case 'SpotCheckDrawn':
      return;

    // ── rectifications: every step is kept ──
    case 'RectificationOrdered':
    case 'RectificationAcknowledged':
    case 'RectificationMeasuresSubmitted':
    case 'RectificationProgressReported':
    case 'RectificationExtensionRequested':
    case 'RectificationExtensionGranted':
    case 'RectificationExtensionRefused':
    case 'RectificationCompletionReported':
    case 'RectificationVerificationPassed':
    case 'RectificationVerificationFailed':
    case 'RectificationClosed':
    case 'RectificationClosedNotRectifiable':
    case 'RectificationRegressed': {
      const id = idOf(e, d, 'rectificationId', 'rectification');
      const r = upsert(s.rectifications, id, () => ({
        rectificationId: id,
        publicConcern: false,
        status: 'ordered' as const,
        extensionPending: false,
        regressions: 0,
        steps: [],
        lastEvent: ref,
      }));
      r.steps.push(stepOf(e));
      r.lastEvent = ref;
      const newDeadline = str(d.newDeadlineDate);
      switch (e.type) {
        case 'RectificationOrdered':
          r.status = 'ordered';
          if (str(d.findingId)) r.findingId = str(d.findingId);
          if (str(d.requirements)) r.requirements = str(d.requirements);
          if (str(d.deadlineDate)) r.deadlineDate = str(d.deadlineDate);
          r.publicConcern = d.publicConcern === true || (r.findingId !== undefined && s.findings[r.findingId]?.publicConcern === true);
          return;
        case 'RectificationAcknowledged':
          r.status = 'acknowledged';
          return;
        case 'RectificationMeasuresSubmitted':
        case 'RectificationProgressReported':
          r.status = 'in-progress';
          return;
        case 'RectificationExtensionRequested':
          r.extensionPending = true;
          return;
        case 'RectificationExtensionGranted':
          r.extensionPending = false;
          if (newDeadline) r.deadlineDate = newDeadline;
          return;
        case 'RectificationExtensionRefused':
          r.extensionPending = false;
          return;
        case 'RectificationCompletionReported':
          r.status = 'completion-reported';
          return;
        case 'RectificationVerificationPassed':
          r.status = 'verified';
          return;
        case 'RectificationVerificationFailed':
          r.status = 'reopened';
          if (newDeadline) r.deadlineDate = newDeadline;
          return;
        case 'RectificationClosed':
          r.status = 'closed';
          return;
        case 'RectificationClosedNotRectifiable':
          r.status = 'closed-not-rectifiable';
          return;
        case 'RectificationRegressed':
          r.status = 'regressed';
          r.regressions += 1;
          if (newDeadline) r.deadlineDate = newDeadline;
          return;
      }
      return;
    }

    // ── supervision: complaints, time limits, alarms, accountability ──
    case 'ComplaintReceived':
    case 'FirstResponderAssigned':
    case 'ComplaintForwarded':
    case 'ComplaintReplied':
    case 'ComplaintFollowUpVisited':
    case 'ComplainantSatisfied':
    case 'ComplainantNotSatisfied':
    case 'ComplaintReopened':
    case 'ComplaintClosed':
    case 'ComplaintClosedNotSolved': {
      const id = idOf(e, d, 'complaintId', 'complaint');
      const c = upsert(s.complaints, id, () => ({
        complaintId: id,
        publicConcern: false,
        status: 'received' as const,
        steps: [],
        lastEvent: ref,
      }));
      c.steps.push(stepOf(e));
      c.lastEvent = ref;
      c.status = COMPLAINT_STATUS[e.type] ?? c.status;
      if (e.type === 'ComplaintReceived') {
        if (str(d.summary)) c.summary = str(d.summary);
        c.publicConcern = d.publicConcern === true;
      }
      if (e.type === 'ComplainantSatisfied') c.lastSatisfaction = 'satisfied';
      if (e.type === 'ComplainantNotSatisfied') c.lastSatisfaction = 'not-satisfied';
      return;
    }
    case 'TimeLimitStarted':
    case 'TimeLimitExtended':
    case 'TimeLimitSuspended':
    case 'TimeLimitResumed':
    case 'TimeLimitMet':
    case 'TimeLimitBreached':
    case 'TimeLimitCompletedLate':
    case 'TimeLimitCancelled':
    case 'WarningIssued':
    case 'YellowCardIssued':
    case 'RedCardIssued':
    case 'EscalatedToAccountability': {
      const id = idOf(e, d, 'timeLimitId', 'time-limit');
      const t = upsert(s.timeLimits, id, () => ({ timeLimitId: id, status: 'running' as const, lastEvent: ref }));
      t.lastEvent = ref;
      if (str(d.dueDate)) t.dueDate = str(d.dueDate);
      t.status = TIME_LIMIT_STATUS[e.type] ?? t.status;
      const alarm = ALARM_LEVEL[e.type];
      if (alarm) t.alarmLevel = alarm;
      return;
    }
    case 'AccountabilityCaseOpened':
    case 'AccountabilityInvestigationStarted':
    case 'AccountabilityFactsRecorded':
    case 'AccountabilityMeasuresDecided':
    case 'AccountabilityCaseDismissed':
    case 'AccountabilityCaseClosed': {
      const id = idOf(e, d, 'caseId', 'case');
      const c = upsert(s.accountabilityCases, id, () => ({ caseId: id, status: 'opened' as const, measures: [], lastEvent: ref }));
      c.lastEvent = ref;
      c.status = CASE_STATUS[e.type] ?? c.status;
      if (e.type === 'AccountabilityCaseOpened' && str(d.summary)) c.summary = str(d.summary);
      if (e.type === 'AccountabilityMeasuresDecided' && Array.isArray(d.measures)) {
        c.measures = (d.measures as Data[]).map((m) => str(m.kind) ?? '?');
      }
      return;
    }

    // ── titles ──
    case 'TitleAwarded':
    case 'TitleNotAwarded':
    case 'TitleRetained':
    case 'TitleRevoked':
    case 'TitleExpired': {
      const id = idOf(e, d, 'awardId', 'award');
      const t = upsert(s.titles, id, () => ({ awardId: id, status: 'awarded' as const, lastEvent: ref }));
      t.lastEvent = ref;
      if (str(d.title)) t.title = str(d.title);
      const score = points(d.score);
      if (score !== undefined) t.score = score;
      const valid = d.valid as Data | undefined;
      if (str(valid?.startDate)) t.validFrom = str(valid?.startDate);
      if (str(valid?.endDate)) t.validTo = str(valid?.endDate);
      t.status = TITLE_STATUS[e.type] ?? t.status;
      return;
    }

    // ── look-back reviews ──
    case 'LookbackReviewOpened':
    case 'LookbackCheckRecorded':
    case 'RecurrenceFound':
    case 'LookbackReviewConcluded': {
      const id = idOf(e, d, 'reviewId', 'lookback-review');
      const r = upsert(s.reviews, id, () => ({ reviewId: id, status: 'open' as const, checks: [], recurrences: [], lastEvent: ref }));
      r.lastEvent = ref;
      if (e.type === 'LookbackReviewOpened' && str(d.title)) r.title = str(d.title);
      if (e.type === 'LookbackCheckRecorded' && str(d.unitId) === s.unitId) {
        r.checks.push({ check: str(d.check) ?? '?', result: str(d.result) ?? '?', ...(str(d.notes) ? { notes: str(d.notes) } : {}) });
      }
      if (e.type === 'RecurrenceFound' && str(d.rectificationId)) r.recurrences.push(str(d.rectificationId)!);
      if (e.type === 'LookbackReviewConcluded') r.status = 'concluded';
      return;
    }

    default: {
      const bucket = upsert(s.other, e.type, () => ({ count: 0, last: { ...ref, recordedAt: e.recordedAt, summary: '' } }));
      bucket.count += 1;
      bucket.last = { ...ref, recordedAt: e.recordedAt, summary: summarize(e) };
    }
  }
}

function withPlan(s: UnitState, e: HistoryEvent, d: Data, ref: EventRef, change: (p: PlanState) => void): void {
  const id = idOf(e, d, 'planId', 'plan');
  const plan = upsert(s.plans, id, () => newPlan(id, ref));
  change(plan);
  plan.lastEvent = ref;
}

function newPlan(planId: string, ref: EventRef): PlanState {
  return { planId, status: 'drafted', version: 0, submissions: 0, tasks: {}, lastEvent: ref };
}

/** The inspection an event speaks of; one first seen through a score or a veto had started. */
function inspectionOf(s: UnitState, e: HistoryEvent, d: Data, ref: EventRef, status: 'scheduled' | 'started'): InspectionState {
  const id = idOf(e, d, 'inspectionId', 'inspection');
  return upsert(s.inspections, id, () => ({ inspectionId: id, status, scores: {}, vetoes: [], lastEvent: ref }));
}

function tasksOf(content: unknown, previous: Record<string, TaskState>): Record<string, TaskState> {
  const tasks = (content as Data | undefined)?.tasks;
  if (!Array.isArray(tasks)) return previous;
  const out: Record<string, TaskState> = {};
  tasks.forEach((t: Data, i) => {
    const taskId = str(t.taskId) ?? `task-${i + 1}`;
    const completion = previous[taskId]?.completion;
    out[taskId] = {
      taskId,
      ...(str(t.title) ? { title: str(t.title) } : {}),
      ...(str(t.deadlineDate) ? { deadlineDate: str(t.deadlineDate) } : {}),
      ...(completion ? { completion } : {}),
    };
  });
  return out;
}

// ─── Differences between two instants ───────────────────────────────────────

export interface StateChange {
  /** e.g. `rectifications[r-1].status`, `titles[award-7]`. */
  path: string;
  kind: 'added' | 'removed' | 'changed';
  before: unknown;
  after: unknown;
}

const COLLECTIONS = [
  'plans',
  'inspections',
  'findings',
  'rectifications',
  'complaints',
  'timeLimits',
  'accountabilityCases',
  'titles',
  'rules',
  'reviews',
  'other',
] as const;

/** What changed from `from` to `to`: items added or removed, and each field whose value moved. */
export function diffUnitStates(from: UnitState, to: UnitState): StateChange[] {
  const changes: StateChange[] = [];
  for (const [key, value] of Object.entries(to.unit)) {
    const before = (from.unit as Record<string, unknown>)[key];
    if (!same(before, value)) changes.push({ path: `unit.${key}`, kind: 'changed', before: before ?? null, after: value ?? null });
  }
  for (const name of COLLECTIONS) {
    const a = from[name] as unknown as Record<string, Record<string, unknown>>;
    const b = to[name] as unknown as Record<string, Record<string, unknown>>;
    for (const id of Object.keys(b)) {
      const before = a[id];
      const after = b[id]!;
      if (before === undefined) {
        changes.push({ path: `${name}[${id}]`, kind: 'added', before: null, after: withoutRef(after) });
        continue;
      }
      for (const field of new Set([...Object.keys(before), ...Object.keys(after)])) {
        if (field === 'lastEvent' || field === 'last') continue;
        const x = before[field];
        const y = after[field];
        if (Array.isArray(x) || Array.isArray(y)) {
          const xs = (x as unknown[] | undefined) ?? [];
          const ys = (y as unknown[] | undefined) ?? [];
          if (ys.length > xs.length)
            changes.push({ path: `${name}[${id}].${field}`, kind: 'added', before: xs.length, after: ys.slice(xs.length) });
          else if (!same(xs, ys)) changes.push({ path: `${name}[${id}].${field}`, kind: 'changed', before: xs, after: ys });
        } else if (!same(x, y)) {
          changes.push({ path: `${name}[${id}].${field}`, kind: 'changed', before: x ?? null, after: y ?? null });
        }
      }
    }
    for (const id of Object.keys(a)) {
      if (!(id in b)) changes.push({ path: `${name}[${id}]`, kind: 'removed', before: withoutRef(a[id]!), after: null });
    }
  }
  return changes;
}

/** The state entry an event touches (`rectifications[r-1]`), to name the events behind a change. */
export function entityPathOf(event: HistoryEvent): string | undefined {
  const d = dataOf(event);
  const keyed: [string, string, string][] = [
    ['Rectification', 'rectificationId', 'rectifications'],
    ['Complain', 'complaintId', 'complaints'],
    ['TimeLimit', 'timeLimitId', 'timeLimits'],
    ['Accountability', 'caseId', 'accountabilityCases'],
    ['Title', 'awardId', 'titles'],
    ['Finding', 'findingId', 'findings'],
    ['Inspection', 'inspectionId', 'inspections'],
    ['Criterion', 'inspectionId', 'inspections'],
    ['Plan', 'planId', 'plans'],
    ['MonthlyTaskReport', 'planId', 'plans'],
    ['Rule', 'ruleId', 'rules'],
    ['Lookback', 'reviewId', 'reviews'],
    ['Recurrence', 'reviewId', 'reviews'],
  ];
  for (const [prefix, field, collection] of keyed) {
    if (event.type.startsWith(prefix) || event.type.includes(prefix)) {
      const id = str(d[field]);
      if (id !== undefined) return `${collection}[${id}]`;
    }
  }
  if (event.type.startsWith('Unit') || event.type === 'FirstResponsiblePersonNamed') return 'unit';
  return undefined;
}

function withoutRef(item: Record<string, unknown>): Record<string, unknown> {
  const { lastEvent: _l, last: _x, ...rest } = item;
  return rest;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
