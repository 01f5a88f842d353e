// Half-year and annual summaries.
import type { Projection } from '@wenming/readstore';
import { SUMMARY_EVENT_TYPES } from '../../domain/summary.js';
import { C, type Doc } from '../collections.js';

export const summariesProjection: Projection = {
  name: 'plansubmission.summaries',
  collections: [C.summaries],
  handles: SUMMARY_EVENT_TYPES,
  indexes: { [C.summaries]: [['planId'], ['unitId']] },
  async apply(event, store) {
    const d = event.data as Doc;
    await store
      .collection<Doc>(C.summaries)
      .apply(d.summaryId, event.position, () => ({ ...d, half: d.half ?? 0, submittedAt: event.occurredAt }));
  },
};
