// Monthly task report 每月完成工作任务考核表 (stream task-report-<planId>-<YYYY-MM>):
// per task of the approved plan, completed or not, the measures, the effect, the
// reason for non-completion and next steps. Due on the campaign's day of the next
// month; a later submission is recorded as late. The plan's status, its task ids
// and the due date come in the command (the handler reads the plan and campaign).
import type { Decider, DomainEvent } from '@wenming/service-kit';
import {
  assertNever,
  type DateRange,
  type EvidenceRef,
  ForbiddenTransitionError,
  monthOf,
  periodOrSane,
  requireDate,
  requireMonth,
  requireText,
  ValidationError,
} from './shared.js';

export type TaskCompletion = 'TASK_COMPLETION_COMPLETED' | 'TASK_COMPLETION_IN_PROGRESS' | 'TASK_COMPLETION_NOT_COMPLETED';
export type ReportVerdict = 'REPORT_VERDICT_ACCEPTED' | 'REPORT_VERDICT_NEEDS_CORRECTION';

export interface TaskReportItem {
  taskId?: string;
  completion?: TaskCompletion;
  measuresTaken?: string;
  effect?: string;
  reasonNotCompleted?: string;
  nextSteps?: string;
  evidence?: EvidenceRef[];
}

export type MonthlyTaskReportSubmitted = DomainEvent<
  'MonthlyTaskReportSubmitted',
  {
    reportId: string;
    planId: string;
    unitId: string;
    campaignId: string;
    month: string;
    dueDate: string;
    items: TaskReportItem[];
    submittedOn: string;
    late: boolean;
  }
>;
export type MonthlyTaskReportCorrected = DomainEvent<
  'MonthlyTaskReportCorrected',
  { reportId: string; items: TaskReportItem[]; reason: string }
>;
export type MonthlyTaskReportReviewed = DomainEvent<
  'MonthlyTaskReportReviewed',
  { reportId: string; verdict: ReportVerdict; comment?: string }
>;

export type TaskReportEvent = MonthlyTaskReportSubmitted | MonthlyTaskReportCorrected | MonthlyTaskReportReviewed;
export const TASK_REPORT_EVENT_TYPES: readonly TaskReportEvent['type'][] = [
  'MonthlyTaskReportSubmitted',
  'MonthlyTaskReportCorrected',
  'MonthlyTaskReportReviewed',
];

/** The plan as the handler found it, and its campaign's period (a report's month falls in it). */
interface PlanContext {
  planStatus: string;
  planApproved: boolean;
  taskIds: string[];
  period: DateRange;
}

export type SubmitMonthlyTaskReport = DomainEvent<
  'SubmitMonthlyTaskReport',
  Omit<MonthlyTaskReportSubmitted['data'], 'late'> & PlanContext
>;
export type CorrectMonthlyTaskReport = DomainEvent<
  'CorrectMonthlyTaskReport',
  { items: TaskReportItem[]; reason?: string; taskIds: string[] }
>;
export type ReviewMonthlyTaskReport = DomainEvent<'ReviewMonthlyTaskReport', { verdict: ReportVerdict; comment?: string }>;
export type TaskReportCommand = SubmitMonthlyTaskReport | CorrectMonthlyTaskReport | ReviewMonthlyTaskReport;

interface ReportFacts {
  reportId: string;
  month: string;
}
export type TaskReportState =
  | { status: 'none' }
  | ({ status: 'submitted' } & ReportFacts)
  | ({ status: 'needs_correction' } & ReportFacts)
  | ({ status: 'accepted' } & ReportFacts);

const NAMES: Record<TaskReportState['status'], string> = {
  none: 'not submitted',
  submitted: 'submitted',
  needs_correction: 'needs correction',
  accepted: 'accepted',
};

function checkItems(items: readonly TaskReportItem[], taskIds: readonly string[]): void {
  if (items.length === 0) throw new ValidationError('items', 'report on the tasks of the plan');
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const at = `items[${i}]`;
    const taskId = requireText(`${at}.taskId`, item.taskId);
    if (!taskIds.includes(taskId)) throw new ValidationError(`${at}.taskId`, `${taskId} is not a task of the approved plan`);
    if (seen.has(taskId)) throw new ValidationError(`${at}.taskId`, `${taskId} is reported twice`);
    seen.add(taskId);
    switch (item.completion) {
      case 'TASK_COMPLETION_COMPLETED':
        requireText(`${at}.measuresTaken`, item.measuresTaken, 'say what measures were taken 措施');
        requireText(`${at}.effect`, item.effect, 'say what the effect was 效果');
        break;
      case 'TASK_COMPLETION_NOT_COMPLETED':
        requireText(`${at}.reasonNotCompleted`, item.reasonNotCompleted, 'a task not completed needs the reason 不完成原因');
        requireText(`${at}.nextSteps`, item.nextSteps, 'say what comes next 今后打算');
        break;
      case 'TASK_COMPLETION_IN_PROGRESS':
        requireText(`${at}.measuresTaken`, item.measuresTaken, 'say what measures were taken 措施');
        break;
      case undefined:
        throw new ValidationError(`${at}.completion`, 'say whether the task was completed');
      default:
        assertNever(item.completion);
    }
  });
}

export function decideTaskReport(command: TaskReportCommand, state: TaskReportState): TaskReportEvent[] {
  switch (command.type) {
    case 'SubmitMonthlyTaskReport': {
      if (state.status !== 'none') throw new ForbiddenTransitionError(NAMES[state.status], 'submit the report again', 'correct it instead');
      const { planStatus, planApproved, taskIds, period, ...d } = command.data;
      if (!planApproved) {
        throw new ForbiddenTransitionError(`plan ${planStatus}`, 'report against the plan', 'nothing counts before the plan is approved');
      }
      requireMonth('month', d.month, periodOrSane(period));
      requireDate('submittedOn', d.submittedOn);
      requireDate('dueDate', d.dueDate);
      if (d.month > monthOf(d.submittedOn)) throw new ValidationError('month', `${d.month} has not begun on ${d.submittedOn}`);
      checkItems(d.items, taskIds);
      return [{ type: 'MonthlyTaskReportSubmitted', data: { ...d, late: d.submittedOn > d.dueDate } }];
    }
    case 'CorrectMonthlyTaskReport': {
      if (state.status !== 'submitted' && state.status !== 'needs_correction') {
        throw new ForbiddenTransitionError(NAMES[state.status], 'correct the report');
      }
      const reason = requireText('reason', command.data.reason, 'say what the correction changes');
      checkItems(command.data.items, command.data.taskIds);
      return [{ type: 'MonthlyTaskReportCorrected', data: { reportId: state.reportId, items: command.data.items, reason } }];
    }
    case 'ReviewMonthlyTaskReport': {
      if (state.status !== 'submitted') throw new ForbiddenTransitionError(NAMES[state.status], 'review the report');
      const { verdict, comment } = command.data;
      if (verdict !== 'REPORT_VERDICT_ACCEPTED' && verdict !== 'REPORT_VERDICT_NEEDS_CORRECTION') {
        throw new ValidationError('verdict', 'accept the report or ask for a correction');
      }
      if (verdict === 'REPORT_VERDICT_NEEDS_CORRECTION') requireText('comment', comment, 'say what to correct');
      return [{ type: 'MonthlyTaskReportReviewed', data: { reportId: state.reportId, verdict, ...(comment ? { comment } : {}) } }];
    }
    default:
      return assertNever(command);
  }
}

export function evolveTaskReport(state: TaskReportState, event: TaskReportEvent): TaskReportState {
  switch (event.type) {
    case 'MonthlyTaskReportSubmitted':
      return { status: 'submitted', reportId: event.data.reportId, month: event.data.month };
    case 'MonthlyTaskReportCorrected':
      return state.status === 'none' ? state : { ...state, status: 'submitted' };
    case 'MonthlyTaskReportReviewed':
      if (state.status === 'none') return state;
      return { ...state, status: event.data.verdict === 'REPORT_VERDICT_ACCEPTED' ? 'accepted' : 'needs_correction' };
    default:
      return assertNever(event);
  }
}

export const taskReportDecider: Decider<TaskReportCommand, TaskReportEvent, TaskReportState> = {
  decide: decideTaskReport,
  evolve: evolveTaskReport,
  initialState: () => ({ status: 'none' }),
};
