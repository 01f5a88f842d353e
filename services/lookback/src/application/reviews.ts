// Look-back reviews 回头看: the office opens them, reviewers (office, inspectors)
// record the three checks and recurrences. A recurrence is sent to inspection as
// RegressRectification over gRPC, with an idempotency key derived from the review
// and the rectification, and the outcome is recorded in the review: which
// inspection events record the regression, or why the call failed. Asking for the
// same recurrence again retries a call that failed; a call that succeeded is not sent again.
//
// Look-back is a deputy here, and must not be a confused one (issue 12): it calls
// inspection with the caller's own credentials (its bearer token, forwarded), never
// with a privilege of its own, so inspection checks the caller and records the caller
// as the actor, with the review and recurrence that asked in the event's data. Only
// the roles inspection lets regress may file a recurrence, and the rectification must
// be of the unit the recurrence names, under review: inspection's own answer says whose it is.
import type { EventStore } from '@wenming/eventstore';
import {
  commandReply,
  handleCommand,
  type Json,
  loadState,
  NotFoundError,
  type Principal,
  type Role,
  requireRole,
  ValidationError,
} from '@wenming/service-kit';
import {
  type EventRefJson,
  type Person,
  type Recurrence,
  type ReviewCommand,
  type ReviewState,
  recurrenceIdFor,
  regressionIdempotencyKey,
  reviewDecider,
} from '../domain/review.js';
import { actorOf, requireIdempotencyKey } from './commands.js';
import { checkId, checkUnitId } from './history.js';
import { type Caller, type InspectionPort, RegressCallError } from './inspection-client.js';

export const REVIEW_CATEGORY = 'lookback-review';
export const reviewStream = (reviewId: string) => `${REVIEW_CATEGORY}-${reviewId}`;

/**
 * Who may issue each command. A recurrence regresses a rectification in inspection,
 * whose RegressRectification allows the office and the admin (inspection's
 * REGRESSORS): an inspector records checks, and asks the office to file recurrences.
 */
export const REVIEW_ROLES = {
  OpenLookbackReview: ['office', 'admin'],
  RecordLookbackCheck: ['office', 'inspector', 'admin'],
  RecordRecurrence: ['office', 'admin'],
  RecommendTitleRevocation: ['office', 'inspector', 'admin'],
  ConcludeLookbackReview: ['office', 'admin'],
  GetLookbackReview: ['auditor', 'office', 'inspector', 'admin'],
} as const satisfies Record<string, readonly Role[]>;

export interface ReviewsDeps {
  store: EventStore;
  inspection: InspectionPort;
  now?: () => Date;
  /** Ids of reviews opened without one. */
  newId?: () => string;
}

export function createReviews(deps: ReviewsDeps) {
  const now = deps.now ?? (() => new Date());
  const run = (
    principal: Principal,
    reviewId: string,
    command: ReviewCommand,
    idempotencyKey: unknown,
    meta: { unitId?: string; campaignId?: string; expectedRevision?: number },
  ) => {
    requireIdempotencyKey(idempotencyKey);
    return handleCommand({
      store: deps.store,
      streamId: reviewStream(reviewId),
      decider: reviewDecider,
      command,
      idempotencyKey,
      ...(meta.expectedRevision !== undefined ? { expectedRevision: meta.expectedRevision } : {}),
      metadata: {
        actor: actorOf(principal),
        ...(meta.unitId ? { unitId: meta.unitId } : {}),
        ...(meta.campaignId ? { campaignId: meta.campaignId } : {}),
      },
      ...(meta.unitId ? {} : { unitless: true }),
      now,
    });
  };

  const load = (reviewId: string) => loadState(deps.store, reviewStream(reviewId), reviewDecider);

  /** The revision the caller saw, when it sent one: a conflict then fails instead of being retried. */
  const expected = (r: Json): { expectedRevision?: number } =>
    r.expectedRevision === undefined || r.expectedRevision === null ? {} : { expectedRevision: Number(r.expectedRevision) };

  /**
   * Sends the regression for a recurrence not yet confirmed, and records the outcome in
   * the review: `recorded` is that append (absent when the regression was confirmed before).
   */
  async function regress(principal: Principal, caller: Caller, reviewId: string, recurrence: Recurrence, campaignId?: string) {
    if (recurrence.regression === 'recorded')
      return { regression: { status: 'recorded' as const, inspectionEventIds: recurrence.inspectionEventIds } };
    const key = regressionIdempotencyKey(reviewId, recurrence.rectificationId);
    let outcome: ReviewCommand;
    try {
      const result = await deps.inspection.regressRectification(
        {
          idempotencyKey: key,
          rectificationId: recurrence.rectificationId,
          lookbackReviewId: reviewId,
          recurrenceId: recurrence.recurrenceId,
          description: recurrence.description,
          ...(recurrence.observedAt ? { observedAt: recurrence.observedAt } : {}),
        },
        caller,
      );
      outcome = {
        type: 'RecordRegressionOutcome',
        data: {
          rectificationId: recurrence.rectificationId,
          ok: true,
          inspectionStreamId: result.streamId,
          inspectionEventIds: result.eventIds,
        },
      };
    } catch (err) {
      const code = err instanceof RegressCallError ? err.code : 'INTERNAL';
      outcome = {
        type: 'RecordRegressionOutcome',
        data: { rectificationId: recurrence.rectificationId, ok: false, code, message: (err as Error).message },
      };
    }
    // One outcome per attempt: the key names the attempt, so a retry records its own.
    const attempt = recurrence.attempts + 1;
    const recorded = await run(principal, reviewId, outcome, `${key}:outcome:${attempt}`, {
      unitId: recurrence.unitId,
      ...(campaignId ? { campaignId } : {}),
    });
    const after = recorded.state.status !== 'none' ? recorded.state.recurrences[recurrence.rectificationId] : undefined;
    const regression =
      after?.regression === 'recorded'
        ? { status: 'recorded' as const, inspectionEventIds: after.inspectionEventIds }
        : { status: 'failed' as const, attempts: after?.attempts ?? attempt, error: after?.lastError };
    return { regression, recorded };
  }

  return {
    async OpenLookbackReview(principal: Principal, r: Json) {
      requireRole(principal, ...REVIEW_ROLES.OpenLookbackReview);
      const reviewId = r.reviewId ? checkId('reviewId', r.reviewId) : (deps.newId ?? (() => crypto.randomUUID()))();
      const unitIds: string[] = Array.isArray(r.unitIds) ? r.unitIds.map((u: unknown, i: number) => checkId(`unitIds[${i}]`, u)) : [];
      const result = await run(
        principal,
        reviewId,
        {
          type: 'OpenLookbackReview',
          data: {
            reviewId,
            ...(r.campaignId ? { campaignId: checkId('campaignId', r.campaignId) } : {}),
            title: String(r.title ?? ''),
            unitIds,
            ...(r.reviewedPeriod ? { reviewedPeriod: r.reviewedPeriod } : {}),
            ...(Array.isArray(r.reviewers) ? { reviewers: r.reviewers as Person[] } : {}),
            publicConcernFirst: r.publicConcernFirst !== false,
          },
        },
        r.idempotencyKey,
        { ...(unitIds.length === 1 ? { unitId: unitIds[0] } : {}), ...(r.campaignId ? { campaignId: r.campaignId } : {}) },
      );
      return commandReply(result, { reviewId });
    },

    async RecordLookbackCheck(principal: Principal, r: Json) {
      requireRole(principal, ...REVIEW_ROLES.RecordLookbackCheck);
      const reviewId = checkId('reviewId', r.reviewId);
      checkUnitId(r.unitId);
      const result = await run(
        principal,
        reviewId,
        {
          type: 'RecordLookbackCheck',
          data: {
            unitId: r.unitId,
            check: String(r.check ?? ''),
            result: String(r.result ?? ''),
            ...(r.notes ? { notes: String(r.notes) } : {}),
            ...(Array.isArray(r.examined) ? { examined: r.examined as EventRefJson[] } : {}),
          },
        },
        r.idempotencyKey,
        { unitId: r.unitId, ...expected(r) },
      );
      return commandReply(result);
    },

    /**
     * Records the recurrence (once per review and rectification) and sends, or re-sends,
     * the regression to inspection, on the caller's behalf (`caller`: its credentials).
     */
    async RecordRecurrence(principal: Principal, r: Json, caller?: Caller) {
      requireRole(principal, ...REVIEW_ROLES.RecordRecurrence);
      const reviewId = checkId('reviewId', r.reviewId);
      checkUnitId(r.unitId);
      const rectificationId = checkId('rectificationId', r.rectificationId);
      if (!caller?.bearer) throw new ValidationError('authorization', "a recurrence is sent to inspection with the caller's bearer token");
      // Whose rectification it is, as inspection answers the caller (NOT_FOUND when the caller may not see it).
      const rectification = await deps.inspection.getRectification(rectificationId, caller);
      const result = await run(
        principal,
        reviewId,
        {
          type: 'RecordRecurrence',
          data: {
            unitId: r.unitId,
            rectificationId,
            rectification,
            description: String(r.description ?? ''),
            publicConcern: r.publicConcern === true,
            ...(r.observedAt ? { observedAt: String(r.observedAt) } : {}),
          },
        },
        r.idempotencyKey,
        { unitId: r.unitId, ...expected(r) },
      );
      const state = result.state;
      if (state.status === 'none') throw new NotFoundError('look-back review', reviewId);
      const recurrence = state.recurrences[rectificationId]!;
      const { regression, recorded } = await regress(principal, caller, reviewId, recurrence, state.campaignId);
      // The reply covers every event this request appended to the review: the recurrence
      // (none when it was filed before) and the outcome of this attempt.
      const both = recorded
        ? {
            ...recorded,
            events: [...result.events, ...recorded.events],
            eventIds: [...result.eventIds, ...recorded.eventIds],
            replayed: result.replayed && recorded.replayed,
          }
        : result;
      return commandReply(both, { recurrenceId: recurrenceIdFor(reviewId, rectificationId), regression });
    },

    async RecommendTitleRevocation(principal: Principal, r: Json) {
      requireRole(principal, ...REVIEW_ROLES.RecommendTitleRevocation);
      const reviewId = checkId('reviewId', r.reviewId);
      checkUnitId(r.unitId);
      const result = await run(
        principal,
        reviewId,
        {
          type: 'RecommendTitleRevocation',
          data: {
            unitId: r.unitId,
            awardId: String(r.awardId ?? ''),
            reason: String(r.reason ?? ''),
            recurrenceIds: Array.isArray(r.recurrenceIds) ? r.recurrenceIds.map(String) : [],
          },
        },
        r.idempotencyKey,
        { unitId: r.unitId, ...expected(r) },
      );
      return commandReply(result);
    },

    async ConcludeLookbackReview(principal: Principal, r: Json) {
      requireRole(principal, ...REVIEW_ROLES.ConcludeLookbackReview);
      const reviewId = checkId('reviewId', r.reviewId);
      const { state } = await load(reviewId);
      if (state.status === 'none') throw new NotFoundError('look-back review', reviewId);
      const result = await run(
        principal,
        reviewId,
        { type: 'ConcludeLookbackReview', data: { conclusion: String(r.conclusion ?? '') } },
        r.idempotencyKey,
        {
          ...(state.unitIds.length === 1 ? { unitId: state.unitIds[0] } : {}),
          ...expected(r),
        },
      );
      const after = result.state;
      return commandReply(result, { results: after.status === 'concluded' ? after.results : [] });
    },

    async GetLookbackReview(principal: Principal, r: Json) {
      requireRole(principal, ...REVIEW_ROLES.GetLookbackReview);
      const reviewId = checkId('reviewId', r.reviewId);
      const { state, revision } = await load(reviewId);
      if (state.status === 'none') throw new NotFoundError('look-back review', reviewId);
      return { review: reviewView(state, revision) };
    },

    /**
     * Reviews in the order they were opened, filtered by campaign, unit and status;
     * the page token is the count of matching reviews already returned. Reviews are
     * found by a pass over the log (the store has no category index), so this costs a
     * read of the whole log: fine for the office's list, not for a hot path.
     */
    async ListLookbackReviews(principal: Principal, r: Json) {
      requireRole(principal, ...REVIEW_ROLES.GetLookbackReview);
      const size = Math.min(Math.max(Number(r.page?.pageSize) || 50, 1), 500);
      const skip = r.page?.pageToken ? Number(r.page.pageToken) : 0;
      if (!Number.isSafeInteger(skip) || skip < 0) throw new ValidationError('page.pageToken', 'is not a token this server gave');
      const status = r.status === 'REVIEW_STATUS_OPEN' ? 'open' : r.status === 'REVIEW_STATUS_CONCLUDED' ? 'concluded' : undefined;
      const ids: string[] = [];
      for await (const e of deps.store.readAll())
        if (e.type === 'LookbackReviewOpened' && e.streamId.startsWith(`${REVIEW_CATEGORY}-`))
          ids.push(e.streamId.slice(REVIEW_CATEGORY.length + 1));
      const matching: Array<ReturnType<typeof reviewView>> = [];
      for (const id of ids) {
        const { state, revision } = await load(id);
        if (state.status === 'none') continue;
        if (r.campaignId && state.campaignId !== r.campaignId) continue;
        if (r.unitId && !state.unitIds.includes(r.unitId)) continue;
        if (status && state.status !== status) continue;
        matching.push(reviewView(state, revision));
        if (matching.length > skip + size) break;
      }
      const reviews = matching.slice(skip, skip + size);
      return { reviews, nextPageToken: matching.length > skip + size ? String(skip + size) : '' };
    },
  };
}

function reviewView(state: Exclude<ReviewState, { status: 'none' }>, revision: number | undefined) {
  return { ...state, recurrences: Object.values(state.recurrences), revision };
}

export type Reviews = ReturnType<typeof createReviews>;
