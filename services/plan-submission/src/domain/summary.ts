// Half-year and annual summaries 半年/年度总结 (stream summary-<planId>-<year>-<H1|H2|annual>):
// one per period, so the stream id itself refuses a second one.
import type { Decider, DomainEvent } from '@wenming/service-kit';
import {
  assertNever,
  type DateRange,
  type EvidenceRef,
  ForbiddenTransitionError,
  periodOrSane,
  requireText,
  requireYear,
  ValidationError,
} from './shared.js';

export type SummaryKind = 'SUMMARY_KIND_HALF_YEAR' | 'SUMMARY_KIND_ANNUAL';

export type SummarySubmitted = DomainEvent<
  'SummarySubmitted',
  {
    summaryId: string;
    planId: string;
    unitId: string;
    campaignId: string;
    kind: SummaryKind;
    year: number;
    half?: number;
    text: string;
    achievements?: string[];
    problems?: string[];
    nextSteps?: string[];
    documents?: EvidenceRef[];
  }
>;
export type SummaryEvent = SummarySubmitted;
export const SUMMARY_EVENT_TYPES: readonly SummaryEvent['type'][] = ['SummarySubmitted'];

/** `period` is the campaign's: a summary is of one of its years. */
export type SubmitSummary = DomainEvent<
  'SubmitSummary',
  SummarySubmitted['data'] & { planApproved: boolean; planStatus: string; period: DateRange }
>;
export type SummaryCommand = SubmitSummary;
export type SummaryState = { status: 'none' } | { status: 'submitted'; summaryId: string };

export function summaryId(planId: string, kind: SummaryKind, year: number, half?: number): string {
  return `${planId}-${year}-${kind === 'SUMMARY_KIND_ANNUAL' ? 'annual' : `H${half ?? 0}`}`;
}

export function decideSummary(command: SummaryCommand, state: SummaryState): SummaryEvent[] {
  switch (command.type) {
    case 'SubmitSummary': {
      if (state.status !== 'none') throw new ForbiddenTransitionError('submitted', 'submit the summary again', 'one summary per period');
      const { planApproved, planStatus, period, ...d } = command.data;
      if (!planApproved) throw new ForbiddenTransitionError(`plan ${planStatus}`, 'summarize the plan', 'the plan is not approved');
      if (d.kind === 'SUMMARY_KIND_HALF_YEAR' && d.half !== 1 && d.half !== 2)
        throw new ValidationError('half', 'is 1 or 2 for a half-year summary');
      if (d.kind === 'SUMMARY_KIND_ANNUAL' && d.half) throw new ValidationError('half', 'an annual summary has no half');
      if (d.kind !== 'SUMMARY_KIND_HALF_YEAR' && d.kind !== 'SUMMARY_KIND_ANNUAL') throw new ValidationError('kind', 'half-year or annual');
      requireYear('year', d.year, periodOrSane(period));
      requireText('text', d.text);
      return [{ type: 'SummarySubmitted', data: d }];
    }
    default:
      return assertNever(command.type);
  }
}

export const summaryDecider: Decider<SummaryCommand, SummaryEvent, SummaryState> = {
  decide: decideSummary,
  evolve: (_state, event) => ({ status: 'submitted', summaryId: event.data.summaryId }),
  initialState: () => ({ status: 'none' }),
};
