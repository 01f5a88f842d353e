// Look-back review 回头看 (stream lookback-review-<id>). The campaign office opens a
// review of a campaign or of units; reviewers record the three checks of the seeds
// (认真进行回头看：看学习教育是否扎实有效；看存在的突出问题特别是群众关心的热点、难点问题
// 是否得到有效解决；看规章制度是否健全完善和得到落实) for each unit; a problem once
// rectified and found back is a recurrence, which the inspection context must record
// as a regression of the rectification. The review records whether inspection did so
// (or why it could not), so a failed call is visible and can be retried.
import { type Decider, type DomainEvent, ForbiddenTransitionError, ValidationError } from '@wenming/service-kit';

export const CHECKS = [
  'LOOKBACK_CHECK_STUDY_AND_EDUCATION',
  'LOOKBACK_CHECK_PROBLEMS_SOLVED',
  'LOOKBACK_CHECK_RULES_SOUND_AND_APPLIED',
] as const;
export type LookbackCheck = (typeof CHECKS)[number];
export const RESULTS = ['CHECK_RESULT_PASSED', 'CHECK_RESULT_PARTIALLY_PASSED', 'CHECK_RESULT_FAILED'] as const;
export type CheckResult = (typeof RESULTS)[number];

export interface Person {
  personId?: string;
  name?: string;
  position?: string;
  unitId?: string;
}
export interface DateRange {
  startDate?: string;
  endDate?: string;
}
export interface EventRefJson {
  eventId?: string;
  streamId?: string;
  revision?: number;
  position?: number;
  type?: string;
}

// ── Events ──────────────────────────────────────────────────────────────────

export type LookbackReviewOpened = DomainEvent<
  'LookbackReviewOpened',
  {
    reviewId: string;
    campaignId?: string;
    title: string;
    unitIds: string[];
    reviewedPeriod?: DateRange;
    reviewers?: Person[];
    publicConcernFirst: boolean;
  }
>;
export type LookbackCheckRecorded = DomainEvent<
  'LookbackCheckRecorded',
  { reviewId: string; unitId: string; check: LookbackCheck; result: CheckResult; notes?: string; examined?: EventRefJson[] }
>;
export type RecurrenceFound = DomainEvent<
  'RecurrenceFound',
  {
    recurrenceId: string;
    reviewId: string;
    unitId: string;
    rectificationId: string;
    description: string;
    publicConcern: boolean;
    observedAt?: string;
  }
>;
/** Inspection recorded RectificationRegressed: which rectification, and the event that says so. */
export type RectificationRegressionRecorded = DomainEvent<
  'RectificationRegressionRecorded',
  { reviewId: string; recurrenceId: string; rectificationId: string; inspectionStreamId?: string; inspectionEventIds: string[] }
>;
/** The call to inspection failed; the review keeps the reason and the recurrence can be retried. */
export type RectificationRegressionFailed = DomainEvent<
  'RectificationRegressionFailed',
  { reviewId: string; recurrenceId: string; rectificationId: string; attempt: number; code: string; message: string }
>;
export type TitleRevocationRecommended = DomainEvent<
  'TitleRevocationRecommended',
  { reviewId: string; unitId: string; awardId: string; reason: string; recurrenceIds: string[] }
>;
export interface UnitReviewResult {
  unitId: string;
  studyAndEducation: CheckResult | 'CHECK_RESULT_UNSPECIFIED';
  problemsSolved: CheckResult | 'CHECK_RESULT_UNSPECIFIED';
  rulesSoundAndApplied: CheckResult | 'CHECK_RESULT_UNSPECIFIED';
  recurrences: number;
  overall: CheckResult | 'CHECK_RESULT_UNSPECIFIED';
}
export type LookbackReviewConcluded = DomainEvent<
  'LookbackReviewConcluded',
  { reviewId: string; conclusion: string; results: UnitReviewResult[] }
>;

export type ReviewEvent =
  | LookbackReviewOpened
  | LookbackCheckRecorded
  | RecurrenceFound
  | RectificationRegressionRecorded
  | RectificationRegressionFailed
  | TitleRevocationRecommended
  | LookbackReviewConcluded;

// ── Commands ────────────────────────────────────────────────────────────────

export type OpenLookbackReview = DomainEvent<'OpenLookbackReview', LookbackReviewOpened['data']>;
export type RecordLookbackCheck = DomainEvent<
  'RecordLookbackCheck',
  { unitId: string; check: string; result: string; notes?: string; examined?: EventRefJson[] }
>;
/** Whose the rectification is, as inspection answered (read by the application): the decision rests on it. */
export interface RectificationOwner {
  unitId: string;
  campaignId?: string;
}
export type RecordRecurrence = DomainEvent<
  'RecordRecurrence',
  {
    unitId: string;
    rectificationId: string;
    rectification: RectificationOwner;
    description: string;
    publicConcern: boolean;
    observedAt?: string;
  }
>;
export type RecordRegressionOutcome = DomainEvent<
  'RecordRegressionOutcome',
  | { rectificationId: string; ok: true; inspectionStreamId?: string; inspectionEventIds: string[] }
  | { rectificationId: string; ok: false; code: string; message: string }
>;
export type RecommendTitleRevocation = DomainEvent<
  'RecommendTitleRevocation',
  { unitId: string; awardId: string; reason: string; recurrenceIds: string[] }
>;
export type ConcludeLookbackReview = DomainEvent<'ConcludeLookbackReview', { conclusion: string }>;

export type ReviewCommand =
  | OpenLookbackReview
  | RecordLookbackCheck
  | RecordRecurrence
  | RecordRegressionOutcome
  | RecommendTitleRevocation
  | ConcludeLookbackReview;

// ── State ───────────────────────────────────────────────────────────────────

export interface Recurrence {
  recurrenceId: string;
  unitId: string;
  rectificationId: string;
  description: string;
  publicConcern: boolean;
  observedAt?: string;
  regression: 'pending' | 'recorded' | 'failed';
  attempts: number;
  lastError?: { code: string; message: string };
  inspectionEventIds: string[];
}

interface OpenReview {
  reviewId: string;
  campaignId?: string;
  title: string;
  unitIds: string[];
  reviewedPeriod?: DateRange;
  reviewers: Person[];
  publicConcernFirst: boolean;
  checks: LookbackCheckRecorded['data'][];
  /** Keyed by rectification id: one recurrence per rectification and review. */
  recurrences: Record<string, Recurrence>;
  revocations: TitleRevocationRecommended['data'][];
}

export type ReviewState =
  | { status: 'none' }
  | ({ status: 'open' } & OpenReview)
  | ({ status: 'concluded'; conclusion: string; results: UnitReviewResult[] } & OpenReview);

/** Deterministic, so a repeated RecordRecurrence (a retry) names the same recurrence and the same inspection command. */
export function recurrenceIdFor(reviewId: string, rectificationId: string): string {
  return `${reviewId}.${rectificationId}`;
}

/** The idempotency key of the RegressRectification call: the same review and rectification regress once. */
export function regressionIdempotencyKey(reviewId: string, rectificationId: string): string {
  return `lookback-regress:${reviewId}:${rectificationId}`;
}

// ── Decide ──────────────────────────────────────────────────────────────────

function decide(command: ReviewCommand, state: ReviewState): ReviewEvent[] {
  const c = command;
  switch (c.type) {
    case 'OpenLookbackReview': {
      if (state.status !== 'none') {
        // The same review opened again with the same content is a repeat, not an error.
        if (state.title === c.data.title) return [];
        throw new ForbiddenTransitionError(state.status, 'open the review', `review ${state.reviewId} already exists`);
      }
      if (!c.data.title?.trim()) throw new ValidationError('title', 'is required');
      if (c.data.unitIds.length === 0 && !c.data.campaignId)
        throw new ValidationError('unitIds', 'name the units or the campaign under review');
      const unitIds = [...new Set(c.data.unitIds)];
      return [{ type: 'LookbackReviewOpened', data: { ...c.data, unitIds } }];
    }
    case 'RecordLookbackCheck': {
      const open = requireOpen(state, 'record a check');
      requireInScope(open, c.data.unitId);
      if (!(CHECKS as readonly string[]).includes(c.data.check)) throw new ValidationError('check', `must be one of ${CHECKS.join(', ')}`);
      if (!(RESULTS as readonly string[]).includes(c.data.result))
        throw new ValidationError('result', `must be one of ${RESULTS.join(', ')}`);
      if (c.data.result !== 'CHECK_RESULT_PASSED' && !c.data.notes?.trim()) {
        throw new ValidationError('notes', 'a check that did not pass needs findings (notes)');
      }
      return [
        {
          type: 'LookbackCheckRecorded',
          data: {
            reviewId: open.reviewId,
            unitId: c.data.unitId,
            check: c.data.check as LookbackCheck,
            result: c.data.result as CheckResult,
            ...(c.data.notes ? { notes: c.data.notes } : {}),
            ...(c.data.examined?.length ? { examined: c.data.examined } : {}),
          },
        },
      ];
    }
    case 'RecordRecurrence': {
      const open = requireOpen(state, 'record a recurrence');
      requireInScope(open, c.data.unitId);
      if (!c.data.rectificationId) throw new ValidationError('rectificationId', 'is required');
      // A review regresses only its own units' rectifications: look-back acts for the
      // caller in inspection, and must not be the way to reach another unit's record.
      if (c.data.rectification.unitId !== c.data.unitId)
        throw new ValidationError('rectificationId', `${c.data.rectificationId} is not a rectification of unit ${c.data.unitId}`);
      if (open.campaignId && c.data.rectification.campaignId && c.data.rectification.campaignId !== open.campaignId)
        throw new ValidationError('rectificationId', `${c.data.rectificationId} is not of campaign ${open.campaignId}, under review`);
      if (!c.data.description?.trim()) throw new ValidationError('description', 'say what was found back');
      // Found once per review: asking again is how a failed regression call is retried.
      if (open.recurrences[c.data.rectificationId]) return [];
      return [
        {
          type: 'RecurrenceFound',
          data: {
            recurrenceId: recurrenceIdFor(open.reviewId, c.data.rectificationId),
            reviewId: open.reviewId,
            unitId: c.data.unitId,
            rectificationId: c.data.rectificationId,
            description: c.data.description,
            publicConcern: c.data.publicConcern,
            ...(c.data.observedAt ? { observedAt: c.data.observedAt } : {}),
          },
        },
      ];
    }
    case 'RecordRegressionOutcome': {
      if (state.status === 'none') throw new ForbiddenTransitionError('none', 'record a regression outcome');
      const recurrence = state.recurrences[c.data.rectificationId];
      if (!recurrence)
        throw new ForbiddenTransitionError(
          'no recurrence',
          'record a regression outcome',
          `no recurrence of ${c.data.rectificationId} in this review`,
        );
      if (recurrence.regression === 'recorded') return [];
      const base = { reviewId: state.reviewId, recurrenceId: recurrence.recurrenceId, rectificationId: recurrence.rectificationId };
      if (c.data.ok) {
        return [
          {
            type: 'RectificationRegressionRecorded',
            data: {
              ...base,
              ...(c.data.inspectionStreamId ? { inspectionStreamId: c.data.inspectionStreamId } : {}),
              inspectionEventIds: c.data.inspectionEventIds,
            },
          },
        ];
      }
      return [
        {
          type: 'RectificationRegressionFailed',
          data: { ...base, attempt: recurrence.attempts + 1, code: c.data.code, message: c.data.message },
        },
      ];
    }
    case 'RecommendTitleRevocation': {
      const open = requireOpen(state, 'recommend a title revocation');
      requireInScope(open, c.data.unitId);
      if (!c.data.awardId) throw new ValidationError('awardId', 'is required');
      if (!c.data.reason?.trim()) throw new ValidationError('reason', 'is required');
      for (const [i, id] of c.data.recurrenceIds.entries()) {
        if (!Object.values(open.recurrences).some((r) => r.recurrenceId === id)) {
          throw new ValidationError(`recurrenceIds[${i}]`, `${id} is not a recurrence of this review`);
        }
      }
      return [{ type: 'TitleRevocationRecommended', data: { reviewId: open.reviewId, ...c.data } }];
    }
    case 'ConcludeLookbackReview': {
      const open = requireOpen(state, 'conclude the review');
      if (!c.data.conclusion?.trim()) throw new ValidationError('conclusion', 'is required');
      return [
        { type: 'LookbackReviewConcluded', data: { reviewId: open.reviewId, conclusion: c.data.conclusion, results: resultsOf(open) } },
      ];
    }
    default:
      return assertNever(c);
  }
}

function requireOpen(state: ReviewState, attempted: string): { status: 'open' } & OpenReview {
  if (state.status !== 'open') throw new ForbiddenTransitionError(state.status, attempted);
  return state;
}

/** A unit review covers its units; a campaign review (no unit list) covers every unit of the campaign. */
function requireInScope(review: OpenReview, unitId: string): void {
  if (!unitId) throw new ValidationError('unitId', 'is required');
  if (review.unitIds.length > 0 && !review.unitIds.includes(unitId)) {
    throw new ValidationError('unitId', `${unitId} is not under review ${review.reviewId}`);
  }
}

const SEVERITY: Record<string, number> = { CHECK_RESULT_PASSED: 1, CHECK_RESULT_PARTIALLY_PASSED: 2, CHECK_RESULT_FAILED: 3 };

/** Per unit: the last result of each check; a recurrence means the problems did not stay solved. */
export function resultsOf(review: OpenReview): UnitReviewResult[] {
  const units = new Set([
    ...review.unitIds,
    ...review.checks.map((c) => c.unitId),
    ...Object.values(review.recurrences).map((r) => r.unitId),
  ]);
  return [...units].map((unitId) => {
    const last = (check: LookbackCheck) =>
      review.checks.filter((c) => c.unitId === unitId && c.check === check).at(-1)?.result ?? 'CHECK_RESULT_UNSPECIFIED';
    const recurrences = Object.values(review.recurrences).filter((r) => r.unitId === unitId).length;
    let problemsSolved = last('LOOKBACK_CHECK_PROBLEMS_SOLVED');
    if (recurrences > 0 && problemsSolved === 'CHECK_RESULT_PASSED') problemsSolved = 'CHECK_RESULT_PARTIALLY_PASSED';
    const three = [last('LOOKBACK_CHECK_STUDY_AND_EDUCATION'), problemsSolved, last('LOOKBACK_CHECK_RULES_SOUND_AND_APPLIED')];
    const overall = three.includes('CHECK_RESULT_UNSPECIFIED')
      ? 'CHECK_RESULT_UNSPECIFIED'
      : three.reduce((worst, r) => ((SEVERITY[r] ?? 0) > (SEVERITY[worst] ?? 0) ? r : worst), 'CHECK_RESULT_PASSED');
    return {
      unitId,
      studyAndEducation: three[0]!,
      problemsSolved: three[1]!,
      rulesSoundAndApplied: three[2]!,
      recurrences,
      overall,
    } as UnitReviewResult;
  });
}

// ── Evolve ──────────────────────────────────────────────────────────────────

function evolve(state: ReviewState, event: ReviewEvent): ReviewState {
  const e = event;
  switch (e.type) {
    case 'LookbackReviewOpened':
      return {
        status: 'open',
        reviewId: e.data.reviewId,
        ...(e.data.campaignId ? { campaignId: e.data.campaignId } : {}),
        title: e.data.title,
        unitIds: e.data.unitIds,
        ...(e.data.reviewedPeriod ? { reviewedPeriod: e.data.reviewedPeriod } : {}),
        reviewers: e.data.reviewers ?? [],
        publicConcernFirst: e.data.publicConcernFirst,
        checks: [],
        recurrences: {},
        revocations: [],
      };
    case 'LookbackCheckRecorded':
      if (state.status === 'none') return state;
      return { ...state, checks: [...state.checks, e.data] };
    case 'RecurrenceFound':
      if (state.status === 'none') return state;
      return {
        ...state,
        recurrences: {
          ...state.recurrences,
          [e.data.rectificationId]: {
            recurrenceId: e.data.recurrenceId,
            unitId: e.data.unitId,
            rectificationId: e.data.rectificationId,
            description: e.data.description,
            publicConcern: e.data.publicConcern,
            ...(e.data.observedAt ? { observedAt: e.data.observedAt } : {}),
            regression: 'pending',
            attempts: 0,
            inspectionEventIds: [],
          },
        },
      };
    case 'RectificationRegressionRecorded':
    case 'RectificationRegressionFailed': {
      if (state.status === 'none') return state;
      const r = state.recurrences[e.data.rectificationId];
      if (!r) return state;
      const next: Recurrence =
        e.type === 'RectificationRegressionRecorded'
          ? // Confirmed: the error of an earlier attempt no longer stands.
            { ...withoutLastError(r), regression: 'recorded', attempts: r.attempts + 1, inspectionEventIds: e.data.inspectionEventIds }
          : { ...r, regression: 'failed', attempts: e.data.attempt, lastError: { code: e.data.code, message: e.data.message } };
      return { ...state, recurrences: { ...state.recurrences, [r.rectificationId]: next } };
    }
    case 'TitleRevocationRecommended':
      if (state.status === 'none') return state;
      return { ...state, revocations: [...state.revocations, e.data] };
    case 'LookbackReviewConcluded':
      if (state.status !== 'open') return state;
      return { ...state, status: 'concluded', conclusion: e.data.conclusion, results: e.data.results };
    default:
      return assertNever(e);
  }
}

function assertNever(value: never): never {
  throw new Error(`unexpected ${JSON.stringify(value)}`);
}

export const reviewDecider: Decider<ReviewCommand, ReviewEvent, ReviewState> = {
  decide,
  evolve,
  initialState: () => ({ status: 'none' }),
};

function withoutLastError(r: Recurrence): Recurrence {
  const { lastError: _, ...rest } = r;
  return rest;
}
