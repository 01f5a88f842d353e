// Per-unit criterion scores per cycle: one document per (unit, inspection, criterion),
// the score in force (a correction replaces it; the history keeps both). The cycle is
// the year of the inspection's planned start, carried from its scheduling.
import type { Projection } from '@wenming/readstore';
import { C, type Doc } from '../collections.js';

const CYCLES = 'inspection.score_cycles';

export const unitScoresProjection: Projection = {
  name: 'inspection.unit-scores',
  collections: [C.scores, CYCLES],
  handles: ['InspectionScheduled', 'CriterionScored', 'CriterionScoreCorrected'],
  indexes: { [C.scores]: [['unitId'], ['unitId', 'campaignId'], ['unitId', 'cycle']] },
  async apply(event, store) {
    const d = event.data as Doc;
    if (event.type === 'InspectionScheduled') {
      await store
        .collection<Doc>(CYCLES)
        .apply(d.inspectionId, event.position, () => ({ campaignId: d.campaignId, cycle: d.plannedDates.startDate.slice(0, 4) }));
      return;
    }
    const inspection = await store.collection<Doc>(CYCLES).get(d.inspectionId);
    const id = `${d.unitId}|${d.inspectionId}|${d.score.criterionId}`;
    await store.collection<Doc>(C.scores).apply(id, event.position, (cur) => ({
      unitId: d.unitId,
      inspectionId: d.inspectionId,
      campaignId: cur?.campaignId ?? d.campaignId ?? inspection?.campaignId ?? '',
      cycle: inspection?.cycle ?? '',
      criterionId: d.score.criterionId,
      score: d.score,
      scoredAt: event.occurredAt,
      corrections: (cur?.corrections ?? 0) + (event.type === 'CriterionScoreCorrected' ? 1 : 0),
    }));
  },
};
