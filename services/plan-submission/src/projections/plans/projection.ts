// Plans with their status, content, the amendment under review and a history summary.
import type { Projection } from '@wenming/readstore';
import { PLAN_EVENT_TYPES } from '../../domain/plan.js';
import { C, type Doc } from '../collections.js';

export const plansProjection: Projection = {
  name: 'plansubmission.plans',
  collections: [C.plans],
  handles: PLAN_EVENT_TYPES,
  indexes: { [C.plans]: [['campaignId'], ['unitId'], ['status']] },
  async apply(event, store) {
    const d = event.data as Doc;
    const entry = {
      eventType: event.type,
      occurredAt: event.occurredAt,
      actorId: event.metadata.actor?.id ?? '',
      submission: d.submission ?? 0,
      note: d.changeNote ?? d.reason ?? (d.comments ?? []).map((c: Doc) => c.comment).join('；'),
    };
    await store.collection<Doc>(C.plans).apply(d.planId, event.position, (cur) => {
      if (event.type === 'PlanDrafted') {
        return {
          planId: d.planId,
          campaignId: d.campaignId,
          unitId: d.unitId,
          status: 'PLAN_STATUS_DRAFT',
          content: d.content,
          version: 0,
          submission: 0,
          reviewComments: [],
          submittedLate: false,
          revision: event.revision,
          history: [entry],
        };
      }
      if (!cur) return null;
      const next: Doc = { ...cur, revision: event.revision, history: [...cur.history, entry] };
      switch (event.type) {
        case 'PlanDraftRevised':
          next.content = d.content;
          next.status = cur.status === 'PLAN_STATUS_DRAFT' ? 'PLAN_STATUS_DRAFT' : 'PLAN_STATUS_REVISED';
          break;
        case 'PlanSubmitted':
          Object.assign(next, {
            status: 'PLAN_STATUS_SUBMITTED',
            submission: d.submission,
            submittedAt: event.occurredAt,
            submittedOn: d.submittedOn,
            submittedLate: d.late,
          });
          break;
        case 'PlanReturned':
          Object.assign(next, { status: 'PLAN_STATUS_RETURNED', reviewComments: d.comments });
          break;
        case 'PlanApproved':
          Object.assign(next, {
            status: 'PLAN_STATUS_APPROVED',
            version: d.version,
            approvedAt: event.occurredAt,
            approvedOn: d.effectiveDate,
            reviewComments: d.comments ?? [],
          });
          break;
        case 'PlanAmendmentSubmitted':
          Object.assign(next, {
            status: 'PLAN_STATUS_AMENDMENT_UNDER_REVIEW',
            pendingAmendmentId: d.amendmentId,
            pendingAmendment: d.content,
          });
          break;
        case 'PlanAmendmentApproved':
          Object.assign(next, {
            status: 'PLAN_STATUS_APPROVED',
            version: d.version,
            content: cur.pendingAmendment,
            reviewComments: d.comments ?? [],
          });
          delete next.pendingAmendment;
          delete next.pendingAmendmentId;
          break;
        case 'PlanAmendmentReturned':
          Object.assign(next, { status: 'PLAN_STATUS_APPROVED', reviewComments: d.comments });
          delete next.pendingAmendment;
          delete next.pendingAmendmentId;
          break;
      }
      return next;
    });
  },
};
