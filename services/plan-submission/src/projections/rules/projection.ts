// Rules established or revised 建章立制, and repealed.
import type { Projection } from '@wenming/readstore';
import { RULE_EVENT_TYPES } from '../../domain/rule.js';
import { C, type Doc } from '../collections.js';

export const rulesProjection: Projection = {
  name: 'plansubmission.rules',
  collections: [C.rules],
  handles: RULE_EVENT_TYPES,
  indexes: { [C.rules]: [['unitId'], ['planId']] },
  async apply(event, store) {
    const d = event.data as Doc;
    await store.collection<Doc>(C.rules).apply(d.ruleId, event.position, (cur) => {
      if (event.type === 'RuleEstablished') return { ...d, planId: d.planId ?? '', repealed: false };
      return cur ? { ...cur, repealed: true, repealedOn: d.effectiveDate, repealReason: d.reason } : null;
    });
  },
};
