// The campaign office's review queue: plans and amendments submitted and not yet reviewed.
import type { Projection } from '@wenming/readstore';
import { PLAN_EVENT_TYPES } from '../../domain/plan.js';
import { C, type Doc } from '../collections.js';

export const reviewQueueProjection: Projection = {
  name: 'plansubmission.review-queue',
  collections: [C.reviewQueue, C.reviewQueuePlans],
  handles: PLAN_EVENT_TYPES,
  indexes: { [C.reviewQueue]: [['campaignId'], ['submittedAt']] },
  async apply(event, store) {
    const d = event.data as Doc;
    const plans = store.collection<Doc>(C.reviewQueuePlans);
    const queue = store.collection<Doc>(C.reviewQueue);
    switch (event.type) {
      case 'PlanDrafted':
        await plans.apply(d.planId, event.position, () => ({ campaignId: d.campaignId, unitId: d.unitId, title: d.content?.title ?? '' }));
        return;
      case 'PlanDraftRevised':
        await plans.apply(d.planId, event.position, (cur) => (cur ? { ...cur, title: d.content?.title ?? cur.title } : null));
        return;
      case 'PlanSubmitted':
      case 'PlanAmendmentSubmitted': {
        const plan = await plans.get(d.planId);
        const amendment = event.type === 'PlanAmendmentSubmitted';
        await queue.apply(d.planId, event.position, () => ({
          planId: d.planId,
          campaignId: plan?.campaignId ?? '',
          unitId: plan?.unitId ?? '',
          kind: amendment ? 'amendment' : 'plan',
          submission: d.submission ?? 0,
          amendmentId: d.amendmentId ?? '',
          submittedOn: d.submittedOn ?? event.occurredAt.slice(0, 10),
          submittedAt: event.occurredAt,
          late: d.late ?? false,
          title: (amendment ? d.content?.title : plan?.title) ?? '',
        }));
        return;
      }
      default:
        await queue.apply(d.planId, event.position, () => null);
    }
  },
};
