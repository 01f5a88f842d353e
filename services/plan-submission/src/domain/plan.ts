// Plan 创建实施方案 (stream plan-<id>): a unit drafts it, submits it to the campaign
// office, which returns it with comments naming what to fix (the unit revises and
// resubmits) or approves it — "报市直机关创建办审核后方可实施": nothing counts before.
// An approved plan is amended by an amendment reviewed the same way while the
// approved version stays in force. Time (the submission day), the deadline, the
// catalog to link against and content hashes come in the commands.
import type { Decider, DomainEvent } from '@wenming/service-kit';
import type { CatalogIndex } from './catalog.js';
import {
  assertNever,
  checkComments,
  collectViolations,
  type DateRange,
  type EvidenceRef,
  ForbiddenTransitionError,
  type Person,
  periodOrSane,
  type ReviewComment,
  requireDate,
  requireText,
  ValidationError,
} from './shared.js';

export interface PlanGoal {
  goalId?: string;
  description?: string;
  dimensionId?: string;
}
export interface PlanMeasure {
  measureId?: string;
  dimensionId?: string;
  criterionIds?: string[];
  description?: string;
}
export interface LeadingGroup {
  leader?: Person;
  deputyLeaders?: Person[];
  members?: Person[];
  officeName?: string;
  officeHead?: Person;
}
export interface TaskOwner {
  officeUnitId?: string;
  officeName?: string;
  person?: Person;
}
export interface PlanTask {
  taskId?: string;
  title?: string;
  description?: string;
  dimensionId?: string;
  criterionIds?: string[];
  measureId?: string;
  owner?: TaskOwner;
  deadlineDate?: string;
  assessmentMethod?: string;
}
export interface PlannedRule {
  title?: string;
  change?: 'RULE_CHANGE_ESTABLISHED' | 'RULE_CHANGE_REVISED';
  dueDate?: string;
  owner?: TaskOwner;
}
export interface PlanContent {
  title?: string;
  guidingIdeas?: string;
  goals?: PlanGoal[];
  measures?: PlanMeasure[];
  leadingGroup?: LeadingGroup;
  tasks?: PlanTask[];
  plannedRules?: PlannedRule[];
  documents?: EvidenceRef[];
}

// ── Events ──────────────────────────────────────────────────────────────────

export type PlanDrafted = DomainEvent<'PlanDrafted', { planId: string; campaignId: string; unitId: string; content: PlanContent }>;
export type PlanDraftRevised = DomainEvent<'PlanDraftRevised', { planId: string; content: PlanContent; changeNote?: string }>;
export type PlanSubmitted = DomainEvent<
  'PlanSubmitted',
  { planId: string; submission: number; contentSha256: string; submittedOn: string; deadline?: string; late: boolean }
>;
export type PlanReturned = DomainEvent<'PlanReturned', { planId: string; submission: number; comments: ReviewComment[] }>;
export type PlanApproved = DomainEvent<
  'PlanApproved',
  { planId: string; submission: number; contentSha256: string; version: number; effectiveDate: string; comments?: ReviewComment[] }
>;
export type PlanAmendmentSubmitted = DomainEvent<
  'PlanAmendmentSubmitted',
  { planId: string; amendmentId: string; content: PlanContent; reason: string; contentSha256: string }
>;
export type PlanAmendmentApproved = DomainEvent<
  'PlanAmendmentApproved',
  { planId: string; amendmentId: string; version: number; effectiveDate: string; comments?: ReviewComment[] }
>;
export type PlanAmendmentReturned = DomainEvent<
  'PlanAmendmentReturned',
  { planId: string; amendmentId: string; comments: ReviewComment[] }
>;

export type PlanEvent =
  | PlanDrafted
  | PlanDraftRevised
  | PlanSubmitted
  | PlanReturned
  | PlanApproved
  | PlanAmendmentSubmitted
  | PlanAmendmentApproved
  | PlanAmendmentReturned;

export const PLAN_EVENT_TYPES: readonly PlanEvent['type'][] = [
  'PlanDrafted',
  'PlanDraftRevised',
  'PlanSubmitted',
  'PlanReturned',
  'PlanApproved',
  'PlanAmendmentSubmitted',
  'PlanAmendmentApproved',
  'PlanAmendmentReturned',
];

// ── Commands ────────────────────────────────────────────────────────────────

/** What the campaign lets the plan link to (its latest catalog) and the period every date of the plan falls in. */
interface CatalogContext {
  catalog: CatalogIndex;
  period: DateRange;
}

export type DraftPlan = DomainEvent<'DraftPlan', PlanDrafted['data'] & CatalogContext>;
export type RevisePlanDraft = DomainEvent<'RevisePlanDraft', { content: PlanContent; changeNote?: string } & CatalogContext>;
export type SubmitPlan = DomainEvent<'SubmitPlan', { submittedOn: string; contentSha256: string; deadline?: string } & CatalogContext>;
export type ReturnPlan = DomainEvent<'ReturnPlan', { comments: ReviewComment[] }>;
/** `period` is the campaign's: an approval takes effect within it. */
export type ApprovePlan = DomainEvent<'ApprovePlan', { effectiveDate: string; comments?: ReviewComment[]; period: DateRange }>;
export type SubmitPlanAmendment = DomainEvent<
  'SubmitPlanAmendment',
  { amendmentId: string; content: PlanContent; reason?: string; contentSha256: string } & CatalogContext
>;
export type ApprovePlanAmendment = DomainEvent<
  'ApprovePlanAmendment',
  { amendmentId: string; effectiveDate: string; comments?: ReviewComment[]; period: DateRange }
>;
export type ReturnPlanAmendment = DomainEvent<'ReturnPlanAmendment', { amendmentId: string; comments: ReviewComment[] }>;

export type PlanCommand =
  | DraftPlan
  | RevisePlanDraft
  | SubmitPlan
  | ReturnPlan
  | ApprovePlan
  | SubmitPlanAmendment
  | ApprovePlanAmendment
  | ReturnPlanAmendment;

// ── State ───────────────────────────────────────────────────────────────────

interface PlanFacts {
  planId: string;
  campaignId: string;
  unitId: string;
  /** The draft, or the submitted content. */
  content: PlanContent;
  submission: number;
  contentSha256?: string;
  /** The version in force; 0 before the first approval. */
  version: number;
  approvedContent?: PlanContent;
}

export type PlanState =
  | { status: 'none' }
  | ({ status: 'draft' } & PlanFacts)
  | ({ status: 'submitted' } & PlanFacts)
  | ({ status: 'returned'; comments: ReviewComment[] } & PlanFacts)
  | ({ status: 'revised' } & PlanFacts)
  | ({ status: 'approved' } & PlanFacts)
  | ({ status: 'amendment_under_review'; amendmentId: string; amendment: PlanContent } & PlanFacts);

export type PlanStatus = PlanState['status'];

// ── Content rules ───────────────────────────────────────────────────────────

/**
 * Links to the catalog must exist and dates fall within the campaign's period, whatever
 * the plan's completeness. Every broken link is reported at once (ValidationError.violations).
 */
function checkLinks(content: PlanContent, { catalog, period }: CatalogContext, field = 'content'): void {
  const within = periodOrSane(period);
  collectViolations((check) => {
    const dimension = (at: string, id: string | undefined) =>
      check(() => {
        if (id && !catalog.dimensionIds.includes(id)) throw new ValidationError(at, `${id} is not a dimension of the campaign's catalog`);
      });
    const criteria = (at: string, ids: readonly string[] | undefined) => {
      for (const [k, id] of (ids ?? []).entries()) {
        check(() => {
          if (!catalog.criterionIds.includes(id))
            throw new ValidationError(`${at}[${k}]`, `${id} is not a criterion of the campaign's catalog`);
        });
      }
    };
    (content.goals ?? []).forEach((g, i) => {
      dimension(`${field}.goals[${i}].dimensionId`, g.dimensionId);
    });
    (content.measures ?? []).forEach((m, i) => {
      dimension(`${field}.measures[${i}].dimensionId`, m.dimensionId);
      criteria(`${field}.measures[${i}].criterionIds`, m.criterionIds);
    });
    (content.tasks ?? []).forEach((t, i) => {
      dimension(`${field}.tasks[${i}].dimensionId`, t.dimensionId);
      criteria(`${field}.tasks[${i}].criterionIds`, t.criterionIds);
      if (t.deadlineDate) check(() => requireDate(`${field}.tasks[${i}].deadlineDate`, t.deadlineDate, within));
    });
    (content.plannedRules ?? []).forEach((r, i) => {
      if (r.dueDate) check(() => requireDate(`${field}.plannedRules[${i}].dueDate`, r.dueDate, within));
    });
    const taskIds = (content.tasks ?? []).map((t) => t.taskId);
    const dup = taskIds.find((id, i) => id && taskIds.indexOf(id) !== i);
    if (dup) check(() => fail(`${field}.tasks`, `task id ${dup} appears twice`));
  });
}

/**
 * What a plan must hold before the office sees it (seed 000 三.1; seed 003 管理规范).
 * Every gap is reported at once, so a unit completes its plan in one round trip.
 */
export function checkComplete(content: PlanContent, field = 'content'): void {
  collectViolations((check) => {
    check(() => requireText(`${field}.title`, content.title));
    check(() => requireText(`${field}.guidingIdeas`, content.guidingIdeas, 'state the guiding ideas 指导思想'));
    if ((content.goals ?? []).length === 0) check(() => fail(`${field}.goals`, 'state at least one goal 目标'));
    const measures = content.measures ?? [];
    if (measures.length === 0) check(() => fail(`${field}.measures`, 'give measures 措施 per dimension of the catalog'));
    measures.forEach((m, i) => {
      check(() => requireText(`${field}.measures[${i}].dimensionId`, m.dimensionId, 'link the measure to a dimension'));
      if ((m.criterionIds ?? []).length === 0) check(() => fail(`${field}.measures[${i}].criterionIds`, 'link the measure to criteria'));
      check(() => requireText(`${field}.measures[${i}].description`, m.description));
    });
    const group = content.leadingGroup;
    check(() => requireText(`${field}.leadingGroup.leader.name`, group?.leader?.name, 'name the leader 组长 of the leading group'));
    check(() => requireText(`${field}.leadingGroup.officeName`, group?.officeName, 'name the leading group office 领导小组办公室'));
    const tasks = content.tasks ?? [];
    if (tasks.length === 0) check(() => fail(`${field}.tasks`, 'decompose the plan into tasks'));
    tasks.forEach((t, i) => {
      const at = `${field}.tasks[${i}]`;
      check(() => requireText(`${at}.taskId`, t.taskId));
      check(() => requireText(`${at}.title`, t.title));
      if (!t.owner?.officeName && !t.owner?.officeUnitId)
        check(() => fail(`${at}.owner.officeName`, 'name the office 处室 that owns the task'));
      check(() => requireText(`${at}.owner.person.name`, t.owner?.person?.name, 'name the person responsible'));
      check(() => requireDate(`${at}.deadlineDate`, t.deadlineDate));
      check(() => requireText(`${at}.assessmentMethod`, t.assessmentMethod, 'say how completion is assessed 考核方法'));
    });
  });
}

function fail(field: string, message: string): never {
  throw new ValidationError(field, message);
}

// ── decide ──────────────────────────────────────────────────────────────────

const STATE_NAMES: Record<PlanStatus, string> = {
  none: 'not drafted',
  draft: 'draft',
  submitted: 'submitted',
  returned: 'returned',
  revised: 'revised',
  approved: 'approved',
  amendment_under_review: 'amendment under review',
};

export function planStateName(state: PlanState): string {
  return STATE_NAMES[state.status];
}

/** The one answer to drafting under an id another unit's plan holds. */
export function planIdTaken(): ValidationError {
  return new ValidationError('planId', 'is taken: choose another id, or leave it empty and the server gives one');
}

function forbidden(state: PlanState, attempted: string, reason?: string): never {
  throw new ForbiddenTransitionError(planStateName(state), attempted, reason);
}

export function decidePlan(command: PlanCommand, state: PlanState): PlanEvent[] {
  switch (command.type) {
    case 'DraftPlan': {
      // Plan ids are one namespace for every unit. Another unit's plan under this id
      // is refused with the same answer whatever its state, so nothing of it leaks.
      if (state.status !== 'none' && state.unitId !== command.data.unitId) throw planIdTaken();
      if (state.status !== 'none') forbidden(state, 'draft the plan', 'it exists; revise it');
      const { catalog, period, ...d } = command.data;
      requireText('planId', d.planId);
      requireText('campaignId', d.campaignId);
      requireText('unitId', d.unitId);
      checkLinks(d.content, { catalog, period });
      return [{ type: 'PlanDrafted', data: d }];
    }
    case 'RevisePlanDraft': {
      if (state.status !== 'draft' && state.status !== 'returned' && state.status !== 'revised') {
        forbidden(state, 'revise the plan', state.status === 'approved' ? 'submit an amendment instead' : undefined);
      }
      checkLinks(command.data.content, command.data);
      if (state.status === 'returned')
        requireText('changeNote', command.data.changeNote, 'say how the revision answers the review comments');
      return [
        {
          type: 'PlanDraftRevised',
          data: {
            planId: state.planId,
            content: command.data.content,
            ...(command.data.changeNote ? { changeNote: command.data.changeNote } : {}),
          },
        },
      ];
    }
    case 'SubmitPlan': {
      if (state.status === 'returned') forbidden(state, 'submit the plan', 'revise it in answer to the review comments first');
      if (state.status !== 'draft' && state.status !== 'revised') forbidden(state, 'submit the plan');
      const { submittedOn, deadline, contentSha256 } = command.data;
      requireDate('submittedOn', submittedOn);
      checkLinks(state.content, command.data);
      checkComplete(state.content);
      return [
        {
          type: 'PlanSubmitted',
          data: {
            planId: state.planId,
            submission: state.submission + 1,
            contentSha256,
            submittedOn,
            ...(deadline ? { deadline } : {}),
            late: deadline !== undefined && deadline !== '' && submittedOn > deadline,
          },
        },
      ];
    }
    case 'ReturnPlan': {
      if (state.status !== 'submitted') forbidden(state, 'return the plan', 'only a submitted plan is reviewed');
      const comments = checkComments('comments', command.data.comments);
      return [{ type: 'PlanReturned', data: { planId: state.planId, submission: state.submission, comments } }];
    }
    case 'ApprovePlan': {
      if (state.status !== 'submitted') forbidden(state, 'approve the plan', 'only a submitted plan is reviewed');
      const effectiveDate = requireDate('effectiveDate', command.data.effectiveDate, periodOrSane(command.data.period));
      return [
        {
          type: 'PlanApproved',
          data: {
            planId: state.planId,
            submission: state.submission,
            contentSha256: state.contentSha256 ?? '',
            version: state.version + 1,
            effectiveDate,
            ...(command.data.comments?.length ? { comments: command.data.comments } : {}),
          },
        },
      ];
    }
    case 'SubmitPlanAmendment': {
      if (state.status !== 'approved') {
        forbidden(
          state,
          'submit an amendment',
          state.status === 'amendment_under_review' ? 'one amendment is under review' : 'only an approved plan is amended',
        );
      }
      const { amendmentId, content, reason, contentSha256 } = command.data;
      requireText('amendmentId', amendmentId);
      const why = requireText('reason', reason, 'say why the approved plan changes');
      checkLinks(content, command.data);
      checkComplete(content);
      return [{ type: 'PlanAmendmentSubmitted', data: { planId: state.planId, amendmentId, content, reason: why, contentSha256 } }];
    }
    case 'ApprovePlanAmendment': {
      if (state.status !== 'amendment_under_review') forbidden(state, 'approve an amendment', 'no amendment is under review');
      if (command.data.amendmentId !== state.amendmentId)
        throw new ValidationError('amendmentId', `the amendment under review is ${state.amendmentId}`);
      const effectiveDate = requireDate('effectiveDate', command.data.effectiveDate, periodOrSane(command.data.period));
      return [
        {
          type: 'PlanAmendmentApproved',
          data: {
            planId: state.planId,
            amendmentId: state.amendmentId,
            version: state.version + 1,
            effectiveDate,
            ...(command.data.comments?.length ? { comments: command.data.comments } : {}),
          },
        },
      ];
    }
    case 'ReturnPlanAmendment': {
      if (state.status !== 'amendment_under_review') forbidden(state, 'return an amendment', 'no amendment is under review');
      if (command.data.amendmentId !== state.amendmentId)
        throw new ValidationError('amendmentId', `the amendment under review is ${state.amendmentId}`);
      const comments = checkComments('comments', command.data.comments);
      return [{ type: 'PlanAmendmentReturned', data: { planId: state.planId, amendmentId: state.amendmentId, comments } }];
    }
    default:
      return assertNever(command);
  }
}

// ── evolve ──────────────────────────────────────────────────────────────────

function facts(state: Exclude<PlanState, { status: 'none' }>): PlanFacts {
  const { planId, campaignId, unitId, content, submission, contentSha256, version, approvedContent } = state;
  return {
    planId,
    campaignId,
    unitId,
    content,
    submission,
    version,
    ...(contentSha256 ? { contentSha256 } : {}),
    ...(approvedContent ? { approvedContent } : {}),
  };
}

export function evolvePlan(state: PlanState, event: PlanEvent): PlanState {
  if (event.type === 'PlanDrafted') {
    const d = event.data;
    return { status: 'draft', planId: d.planId, campaignId: d.campaignId, unitId: d.unitId, content: d.content, submission: 0, version: 0 };
  }
  if (state.status === 'none') return state;
  const f = facts(state);
  switch (event.type) {
    case 'PlanDraftRevised':
      return { ...f, status: state.status === 'draft' ? 'draft' : 'revised', content: event.data.content };
    case 'PlanSubmitted':
      return { ...f, status: 'submitted', submission: event.data.submission, contentSha256: event.data.contentSha256 };
    case 'PlanReturned':
      return { ...f, status: 'returned', comments: event.data.comments };
    case 'PlanApproved':
      return { ...f, status: 'approved', version: event.data.version, approvedContent: f.content };
    case 'PlanAmendmentSubmitted':
      return { ...f, status: 'amendment_under_review', amendmentId: event.data.amendmentId, amendment: event.data.content };
    case 'PlanAmendmentApproved':
      return {
        ...f,
        status: 'approved',
        version: event.data.version,
        content: state.status === 'amendment_under_review' ? state.amendment : f.content,
        approvedContent: state.status === 'amendment_under_review' ? state.amendment : f.approvedContent,
      } as PlanState;
    case 'PlanAmendmentReturned':
      return { ...f, status: 'approved' };
    default:
      return assertNever(event);
  }
}

export const planDecider: Decider<PlanCommand, PlanEvent, PlanState> = {
  decide: decidePlan,
  evolve: evolvePlan,
  initialState: () => ({ status: 'none' }),
};
