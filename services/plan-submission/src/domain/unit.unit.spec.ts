// The unit hierarchy city → district/county → department → office/window (DESIGN §2),
// with the first responsible person 第一责任人 and the campaign office.
import { describe, it } from 'node:test';
import { ForbiddenTransitionError, ValidationError } from '@wenming/service-kit';
import { DeciderSpecification } from '@wenming/service-kit/testing';
import { type UnitEvent, unitDecider } from './unit.js';

const spec = DeciderSpecification.for(unitDecider);
const registered: UnitEvent = {
  type: 'UnitRegistered',
  data: {
    unitId: 'tax',
    name: '市税务局',
    kind: 'UNIT_KIND_DEPARTMENT',
    parentUnitId: 'city',
    unifiedSocialCreditCode: '11130200000000000X',
  },
};

describe('Unit: registration in the hierarchy', () => {
  it('a department registers under the city', () =>
    spec
      .given([])
      .when({ type: 'RegisterUnit', data: { ...registered.data, parentKind: 'UNIT_KIND_CITY' } })
      .then(registered));

  it('the city has no parent; a window sits in a department, never directly under the city', () => {
    spec
      .given([])
      .when({ type: 'RegisterUnit', data: { unitId: 'city', name: '唐山市', kind: 'UNIT_KIND_CITY' } })
      .then({
        type: 'UnitRegistered',
        data: { unitId: 'city', name: '唐山市', kind: 'UNIT_KIND_CITY' },
      });
    spec
      .given([])
      .when({
        type: 'RegisterUnit',
        data: { unitId: 'w1', name: '窗口', kind: 'UNIT_KIND_WINDOW', parentUnitId: 'city', parentKind: 'UNIT_KIND_CITY' },
      })
      .thenThrows(ValidationError, (e) => e.field === 'parentUnitId');
  });

  it('a malformed unified social credit code is refused; registering twice is forbidden', () => {
    spec
      .given([])
      .when({ type: 'RegisterUnit', data: { ...registered.data, unifiedSocialCreditCode: '123', parentKind: 'UNIT_KIND_CITY' } })
      .thenThrows(ValidationError, (e) => e.field === 'unifiedSocialCreditCode');
    spec
      .given([registered])
      .when({ type: 'RegisterUnit', data: { ...registered.data, parentKind: 'UNIT_KIND_CITY' } })
      .thenThrows(ForbiddenTransitionError, (e) => e.currentState === 'active');
  });
});

describe('Unit: people and changes', () => {
  it('names its first responsible person, keeping who was replaced', () =>
    spec
      .given([registered, { type: 'FirstResponsiblePersonNamed', data: { unitId: 'tax', person: { name: '甲' } } }])
      .when({ type: 'NameFirstResponsiblePerson', data: { person: { name: '乙', position: '党组书记' } } })
      .then({
        type: 'FirstResponsiblePersonNamed',
        data: { unitId: 'tax', person: { name: '乙', position: '党组书记' }, previous: { name: '甲' } },
      }));

  it('designates its campaign office and contact', () => {
    spec
      .given([registered])
      .when({ type: 'DesignateUnitCampaignOffice', data: { officeName: '机关党委', contact: { name: '丙', contact: '0315-1234567' } } })
      .then({
        type: 'UnitCampaignOfficeDesignated',
        data: { unitId: 'tax', officeName: '机关党委', contact: { name: '丙', contact: '0315-1234567' } },
      });
    spec
      .given([registered])
      .when({ type: 'DesignateUnitCampaignOffice', data: { officeName: '机关党委', contact: {} } })
      .thenThrows(ValidationError, (e) => e.field === 'contact.name');
  });

  it('moves under another parent with a reason, never under itself', () => {
    spec
      .given([registered])
      .when({
        type: 'MoveUnit',
        data: { toParentUnitId: 'district-1', reason: '管理体制调整', parentKind: 'UNIT_KIND_DISTRICT_OR_COUNTY' },
      })
      .then({ type: 'UnitMoved', data: { unitId: 'tax', fromParentUnitId: 'city', toParentUnitId: 'district-1', reason: '管理体制调整' } });
    spec
      .given([registered])
      .when({ type: 'MoveUnit', data: { toParentUnitId: 'tax', reason: 'x' } })
      .thenThrows(ValidationError, (e) => e.field === 'toParentUnitId');
  });

  it('changes details; a dissolved unit keeps its history and takes no change', () => {
    spec
      .given([registered])
      .when({ type: 'ChangeUnitDetails', data: { name: '国家税务总局唐山市税务局', kind: 'UNIT_KIND_DEPARTMENT', reason: '机构改革' } })
      .then({
        type: 'UnitDetailsChanged',
        data: { unitId: 'tax', name: '国家税务总局唐山市税务局', kind: 'UNIT_KIND_DEPARTMENT', reason: '机构改革' },
      });
    spec
      .given([registered])
      .when({ type: 'DissolveUnit', data: {} })
      .thenThrows(ValidationError, (e) => e.field === 'reason');
    const dissolved: UnitEvent = { type: 'UnitDissolved', data: { unitId: 'tax', reason: '合并' } };
    spec
      .given([registered])
      .when({ type: 'DissolveUnit', data: { reason: '合并' } })
      .then(dissolved);
    spec
      .given([registered, dissolved])
      .when({ type: 'NameFirstResponsiblePerson', data: { person: { name: '丁' } } })
      .thenThrows(ForbiddenTransitionError, (e) => e.currentState === 'dissolved');
  });
});
