// A rectification's full step list: one document per step (event), with who and when,
// so the list survives every reopening — nothing is ever overwritten.
import type { Projection } from '@wenming/readstore';
import { RECTIFICATION_EVENT_TYPES } from '../../domain/rectification.js';
import { C, type Doc } from '../collections.js';

export const rectificationStepsProjection: Projection = {
  name: 'inspection.rectification-steps',
  collections: [C.steps],
  handles: RECTIFICATION_EVENT_TYPES,
  indexes: { [C.steps]: [['rectificationId', 'revision']] },
  async apply(event, store) {
    const d = event.data as Doc;
    await store.collection<Doc>(C.steps).apply(event.id, event.position, () => ({
      rectificationId: d.rectificationId,
      revision: event.revision,
      type: event.type,
      occurredAt: event.occurredAt,
      recordedAt: event.recordedAt,
      actor: { id: event.metadata.actor?.id ?? '', role: event.metadata.actor?.role ?? '' },
      data: d,
    }));
  },
};
