import type { Projection } from '@wenming/readstore';
import { campaignsProjection } from './campaigns/projection.js';
import { monthlyReportsProjection } from './monthly-reports/projection.js';
import { plansProjection } from './plans/projection.js';
import { reviewQueueProjection } from './review-queue/projection.js';
import { rulesProjection } from './rules/projection.js';
import { summariesProjection } from './summaries/projection.js';
import { taskStatusProjection } from './task-status/projection.js';
import { unitsProjection } from './units/projection.js';

/**
 * The id each event type's data must carry. Another writer may use the same type
 * name with other data (the platform's own relay test appends `PlanSubmitted {n}`);
 * such an event is not ours and is skipped, instead of stopping the projection.
 */
const ID_FIELDS = ['campaignId', 'unitId', 'planId', 'reportId', 'summaryId', 'ruleId'] as const;

function ours(projection: Projection): Projection {
  return {
    ...projection,
    apply: async (event, store) => {
      const data = event.data as Record<string, unknown> | null;
      if (!data || !ID_FIELDS.some((f) => typeof data[f] === 'string' && data[f] !== '')) return;
      await projection.apply(event, store);
    },
  };
}

export const PROJECTIONS: Projection[] = [
  campaignsProjection,
  unitsProjection,
  plansProjection,
  reviewQueueProjection,
  taskStatusProjection,
  monthlyReportsProjection,
  summariesProjection,
  rulesProjection,
].map(ours);
