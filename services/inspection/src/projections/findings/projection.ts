// Findings across inspections: by unit, criterion, severity; with the rectification each ordered.
import type { Projection } from '@wenming/readstore';
import { C, type Doc } from '../collections.js';

export const findingsProjection: Projection = {
  name: 'inspection.findings',
  collections: [C.findings],
  handles: ['FindingRecorded', 'FindingAmended', 'FindingWithdrawn', 'EvidenceAttached', 'RectificationOrdered'],
  indexes: { [C.findings]: [['inspectionId'], ['unitId'], ['criterionId']] },
  async apply(event, store) {
    const d = event.data as Doc;
    const col = store.collection<Doc>(C.findings);
    switch (event.type) {
      case 'FindingRecorded':
        await col.apply(d.findingId, event.position, () => ({
          ...d,
          evidence: d.evidence ?? [],
          withdrawn: false,
          rectificationId: '',
          recordedAt: event.recordedAt,
        }));
        return;
      case 'FindingAmended':
        await col.apply(d.findingId, event.position, (cur) =>
          cur
            ? {
                ...cur,
                criterionId: d.criterionId,
                severity: d.severity,
                description: d.description,
                publicConcern: d.publicConcern ?? false,
              }
            : null,
        );
        return;
      case 'FindingWithdrawn':
        await col.apply(d.findingId, event.position, (cur) => (cur ? { ...cur, withdrawn: true } : null));
        return;
      case 'EvidenceAttached':
        if (d.findingId)
          await col.apply(d.findingId, event.position, (cur) => (cur ? { ...cur, evidence: [...cur.evidence, d.evidence] } : null));
        return;
      case 'RectificationOrdered':
        await col.apply(d.findingId, event.position, (cur) => (cur ? { ...cur, rectificationId: d.rectificationId } : null));
        return;
    }
  },
};
