// The unit hierarchy, with the campaigns each unit is enrolled in.
import type { Projection } from '@wenming/readstore';
import { UNIT_EVENT_TYPES } from '../../domain/unit.js';
import { C, type Doc } from '../collections.js';

export const unitsProjection: Projection = {
  name: 'plansubmission.units',
  collections: [C.units],
  handles: [...UNIT_EVENT_TYPES, 'CampaignUnitsEnrolled', 'CampaignUnitsWithdrawn'],
  indexes: { [C.units]: [['parentUnitId'], ['kind']] },
  async apply(event, store) {
    const d = event.data as Doc;
    const units = store.collection<Doc>(C.units);
    if (event.type === 'CampaignUnitsEnrolled' || event.type === 'CampaignUnitsWithdrawn') {
      for (const unitId of d.unitIds as string[]) {
        await units.apply(unitId, event.position, (cur) => {
          if (!cur) return null;
          const others = (cur.campaignIds as string[]).filter((id) => id !== d.campaignId);
          return { ...cur, campaignIds: event.type === 'CampaignUnitsEnrolled' ? [...others, d.campaignId] : others };
        });
      }
      return;
    }
    await units.apply(d.unitId, event.position, (cur) => {
      if (event.type === 'UnitRegistered') {
        return {
          unitId: d.unitId,
          name: d.name,
          kind: d.kind,
          parentUnitId: d.parentUnitId ?? '',
          unifiedSocialCreditCode: d.unifiedSocialCreditCode ?? '',
          code: d.code ?? '',
          dissolved: false,
          successorUnitId: '',
          campaignIds: [],
          revision: event.revision,
        };
      }
      if (!cur) return null;
      const next: Doc = { ...cur, revision: event.revision };
      switch (event.type) {
        case 'UnitDetailsChanged':
          Object.assign(next, { name: d.name, kind: d.kind, unifiedSocialCreditCode: d.unifiedSocialCreditCode ?? '', code: d.code ?? '' });
          break;
        case 'UnitMoved':
          next.parentUnitId = d.toParentUnitId;
          break;
        case 'FirstResponsiblePersonNamed':
          next.firstResponsiblePerson = d.person;
          break;
        case 'UnitCampaignOfficeDesignated':
          next.campaignOfficeName = d.officeName;
          next.campaignOfficeContact = d.contact;
          break;
        case 'UnitDissolved':
          next.dissolved = true;
          next.successorUnitId = d.successorUnitId ?? '';
          break;
      }
      return next;
    });
  },
};
