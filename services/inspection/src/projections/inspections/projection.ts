// Inspections and their report: status, units visited, finding count, totals at completion.
import type { Projection } from '@wenming/readstore';
import { INSPECTION_EVENT_TYPES } from '../../domain/inspection.js';
import { C, type Doc } from '../collections.js';

const STATUS = {
  scheduled: 'INSPECTION_STATUS_SCHEDULED',
  inProgress: 'INSPECTION_STATUS_IN_PROGRESS',
  completed: 'INSPECTION_STATUS_COMPLETED',
  cancelled: 'INSPECTION_STATUS_CANCELLED',
};

function countFinding(doc: Doc, unitId: string | undefined, by: number): Record<string, number> {
  const counts: Record<string, number> = { ...(doc.findingCounts ?? {}) };
  if (unitId) counts[unitId] = Math.max(0, (counts[unitId] ?? 0) + by);
  return counts;
}

export const inspectionsProjection: Projection = {
  name: 'inspection.inspections',
  // 2: findingCounts per unit (a unit sees only its own units' count); older documents lack it.
  version: 2,
  collections: [C.inspections],
  handles: INSPECTION_EVENT_TYPES,
  indexes: { [C.inspections]: [['campaignId'], ['status']] },
  async apply(event, store) {
    const d = event.data as Doc;
    await store.collection<Doc>(C.inspections).apply(d.inspectionId ?? '', event.position, (cur) => {
      if (event.type === 'InspectionScheduled') {
        return {
          ...d,
          status: STATUS.scheduled,
          startedUnitIds: [],
          findingCount: 0,
          // Per unit as well, so a unit is told the count of its own findings only.
          findingCounts: {},
          totals: [],
          vetoes: [],
          revision: event.revision,
          cycle: d.plannedDates.startDate.slice(0, 4),
        };
      }
      if (!cur) return null;
      const next: Doc = { ...cur, revision: event.revision };
      switch (event.type) {
        case 'InspectionRescheduled':
          if (d.plannedDates) next.plannedDates = d.plannedDates;
          if (d.inspectors?.length) next.inspectors = d.inspectors;
          return next;
        case 'InspectionCancelled':
          return { ...next, status: STATUS.cancelled, cancelReason: d.reason };
        case 'InspectionStarted':
          return { ...next, status: STATUS.inProgress, startedUnitIds: [...cur.startedUnitIds, d.unitId] };
        case 'FindingRecorded':
          return { ...next, findingCount: cur.findingCount + 1, findingCounts: countFinding(cur, d.unitId, 1) };
        case 'FindingWithdrawn':
          return {
            ...next,
            findingCount: Math.max(0, cur.findingCount - 1),
            findingCounts: countFinding(cur, event.metadata.unitId, -1),
          };
        case 'VetoConditionFound':
          return { ...next, vetoes: [...cur.vetoes, { unitId: d.unitId, vetoConditionId: d.vetoConditionId, description: d.description }] };
        case 'InspectionCompleted':
          return {
            ...next,
            status: STATUS.completed,
            summary: d.summary,
            report: d.report ?? [],
            totals: d.totals,
            completedAt: event.occurredAt,
          };
        default:
          return next;
      }
    });
  },
};
