// Unit 单位 (stream unit-<id>): the hierarchy city → district/county → department →
// office/window, its first responsible person 第一责任人 and the body running its
// campaign work with a contact. The parent's kind comes in the command (the
// handler reads it), so the decider checks the level rules without I/O.
import type { Decider, DomainEvent } from '@wenming/service-kit';
import { assertNever, ForbiddenTransitionError, type Person, requireText, ValidationError } from './shared.js';

export type UnitKind =
  | 'UNIT_KIND_CITY'
  | 'UNIT_KIND_DISTRICT_OR_COUNTY'
  | 'UNIT_KIND_DEPARTMENT'
  | 'UNIT_KIND_OFFICE'
  | 'UNIT_KIND_WINDOW'
  | 'UNIT_KIND_SUBORDINATE_INSTITUTION';

/** Which kinds may sit under which: the city at the top; windows and offices inside a department (or a district's service centre). */
const ALLOWED_PARENTS: Record<UnitKind, readonly (UnitKind | 'none')[]> = {
  UNIT_KIND_CITY: ['none'],
  UNIT_KIND_DISTRICT_OR_COUNTY: ['UNIT_KIND_CITY'],
  UNIT_KIND_DEPARTMENT: ['UNIT_KIND_CITY', 'UNIT_KIND_DISTRICT_OR_COUNTY'],
  UNIT_KIND_OFFICE: ['UNIT_KIND_DEPARTMENT', 'UNIT_KIND_DISTRICT_OR_COUNTY'],
  UNIT_KIND_WINDOW: ['UNIT_KIND_DEPARTMENT', 'UNIT_KIND_DISTRICT_OR_COUNTY'],
  UNIT_KIND_SUBORDINATE_INSTITUTION: ['UNIT_KIND_DEPARTMENT'],
};

/** 统一社会信用代码: 18 characters of the GB 32100 alphabet. */
const USCC = /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/;

export type UnitRegistered = DomainEvent<
  'UnitRegistered',
  { unitId: string; name: string; kind: UnitKind; parentUnitId?: string; unifiedSocialCreditCode?: string; code?: string }
>;
export type UnitDetailsChanged = DomainEvent<
  'UnitDetailsChanged',
  { unitId: string; name: string; kind: UnitKind; unifiedSocialCreditCode?: string; code?: string; reason?: string }
>;
export type UnitMoved = DomainEvent<'UnitMoved', { unitId: string; fromParentUnitId?: string; toParentUnitId: string; reason: string }>;
export type FirstResponsiblePersonNamed = DomainEvent<'FirstResponsiblePersonNamed', { unitId: string; person: Person; previous?: Person }>;
export type UnitCampaignOfficeDesignated = DomainEvent<
  'UnitCampaignOfficeDesignated',
  { unitId: string; officeName: string; contact: Person }
>;
export type UnitDissolved = DomainEvent<'UnitDissolved', { unitId: string; successorUnitId?: string; reason: string }>;

export type UnitEvent =
  | UnitRegistered
  | UnitDetailsChanged
  | UnitMoved
  | FirstResponsiblePersonNamed
  | UnitCampaignOfficeDesignated
  | UnitDissolved;

export const UNIT_EVENT_TYPES: readonly UnitEvent['type'][] = [
  'UnitRegistered',
  'UnitDetailsChanged',
  'UnitMoved',
  'FirstResponsiblePersonNamed',
  'UnitCampaignOfficeDesignated',
  'UnitDissolved',
];

/** The parent as the handler found it: its kind, or absent when the unit has no parent. */
export interface ParentInfo {
  parentKind?: UnitKind;
  parentDissolved?: boolean;
}

export type RegisterUnit = DomainEvent<'RegisterUnit', UnitRegistered['data'] & ParentInfo>;
export type ChangeUnitDetails = DomainEvent<'ChangeUnitDetails', Omit<UnitDetailsChanged['data'], 'unitId'> & ParentInfo>;
export type MoveUnit = DomainEvent<'MoveUnit', { toParentUnitId: string; reason?: string; isDescendant?: boolean } & ParentInfo>;
export type NameFirstResponsiblePerson = DomainEvent<'NameFirstResponsiblePerson', { person: Person }>;
export type DesignateUnitCampaignOffice = DomainEvent<'DesignateUnitCampaignOffice', { officeName: string; contact: Person }>;
export type DissolveUnit = DomainEvent<'DissolveUnit', { successorUnitId?: string; reason?: string }>;

export type UnitCommand =
  | RegisterUnit
  | ChangeUnitDetails
  | MoveUnit
  | NameFirstResponsiblePerson
  | DesignateUnitCampaignOffice
  | DissolveUnit;

interface UnitFacts {
  unitId: string;
  name: string;
  kind: UnitKind;
  parentUnitId?: string;
  firstResponsiblePerson?: Person;
}

export type UnitState = { status: 'none' } | ({ status: 'active' } & UnitFacts) | ({ status: 'dissolved' } & UnitFacts);

function checkPlacement(kind: UnitKind, parent: ParentInfo, parentUnitId: string | undefined, field: string): void {
  const allowed = ALLOWED_PARENTS[kind];
  if (!allowed) throw new ValidationError('kind', `unknown unit kind ${kind}`);
  if (!parentUnitId) {
    if (!allowed.includes('none')) throw new ValidationError(field, `a ${kind} sits under a ${allowed.join(' or ')}`);
    return;
  }
  if (parent.parentDissolved) throw new ValidationError(field, `${parentUnitId} is dissolved`);
  if (!parent.parentKind || !allowed.includes(parent.parentKind)) {
    throw new ValidationError(
      field,
      `a ${kind} cannot sit under a ${parent.parentKind ?? 'missing unit'} (allowed: ${allowed.join(', ')})`,
    );
  }
}

function checkUscc(code: string | undefined): void {
  if (code && !USCC.test(code))
    throw new ValidationError('unifiedSocialCreditCode', 'is 18 characters (GB 32100), e.g. 11130200000000000X');
}

function checkPerson(field: string, person: Person | undefined): Person {
  requireText(`${field}.name`, person?.name);
  return person!;
}

export function decideUnit(command: UnitCommand, state: UnitState): UnitEvent[] {
  if (command.type === 'RegisterUnit') {
    if (state.status !== 'none') throw new ForbiddenTransitionError(state.status, 'register the unit', 'it is already registered');
    const { parentKind, parentDissolved, ...d } = command.data;
    requireText('unitId', d.unitId);
    requireText('name', d.name);
    if (!d.kind) throw new ValidationError('kind', 'is required');
    checkPlacement(d.kind, { parentKind, parentDissolved }, d.parentUnitId, 'parentUnitId');
    checkUscc(d.unifiedSocialCreditCode);
    return [{ type: 'UnitRegistered', data: d }];
  }
  if (state.status === 'none') throw new ForbiddenTransitionError('not registered', command.type);
  if (state.status === 'dissolved') throw new ForbiddenTransitionError('dissolved', command.type, 'its history stays, it takes no changes');
  const unitId = state.unitId;
  switch (command.type) {
    case 'ChangeUnitDetails': {
      const { parentKind, parentDissolved, ...d } = command.data;
      requireText('name', d.name);
      if (!d.kind) throw new ValidationError('kind', 'is required');
      if (d.kind !== state.kind) checkPlacement(d.kind, { parentKind, parentDissolved }, state.parentUnitId, 'kind');
      checkUscc(d.unifiedSocialCreditCode);
      return [{ type: 'UnitDetailsChanged', data: { unitId, ...d } }];
    }
    case 'MoveUnit': {
      const { toParentUnitId, reason, isDescendant, parentKind, parentDissolved } = command.data;
      requireText('toParentUnitId', toParentUnitId);
      const why = requireText('reason', reason, 'say why the unit moves');
      if (toParentUnitId === unitId || isDescendant)
        throw new ValidationError('toParentUnitId', 'a unit cannot move under itself or its own sub-units');
      if (toParentUnitId === state.parentUnitId) return [];
      checkPlacement(state.kind, { parentKind, parentDissolved }, toParentUnitId, 'toParentUnitId');
      return [
        {
          type: 'UnitMoved',
          data: { unitId, ...(state.parentUnitId ? { fromParentUnitId: state.parentUnitId } : {}), toParentUnitId, reason: why },
        },
      ];
    }
    case 'NameFirstResponsiblePerson': {
      const person = checkPerson('person', command.data.person);
      return [
        {
          type: 'FirstResponsiblePersonNamed',
          data: { unitId, person, ...(state.firstResponsiblePerson ? { previous: state.firstResponsiblePerson } : {}) },
        },
      ];
    }
    case 'DesignateUnitCampaignOffice': {
      const officeName = requireText('officeName', command.data.officeName);
      const contact = checkPerson('contact', command.data.contact);
      return [{ type: 'UnitCampaignOfficeDesignated', data: { unitId, officeName, contact } }];
    }
    case 'DissolveUnit': {
      const reason = requireText('reason', command.data.reason, 'say why the unit is dissolved');
      if (command.data.successorUnitId === unitId) throw new ValidationError('successorUnitId', 'a unit cannot succeed itself');
      return [
        {
          type: 'UnitDissolved',
          data: { unitId, reason, ...(command.data.successorUnitId ? { successorUnitId: command.data.successorUnitId } : {}) },
        },
      ];
    }
    default:
      return assertNever(command);
  }
}

export function evolveUnit(state: UnitState, event: UnitEvent): UnitState {
  if (event.type === 'UnitRegistered') {
    const d = event.data;
    return { status: 'active', unitId: d.unitId, name: d.name, kind: d.kind, ...(d.parentUnitId ? { parentUnitId: d.parentUnitId } : {}) };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'UnitDetailsChanged':
      return { ...state, name: event.data.name, kind: event.data.kind };
    case 'UnitMoved':
      return { ...state, parentUnitId: event.data.toParentUnitId };
    case 'FirstResponsiblePersonNamed':
      return { ...state, firstResponsiblePerson: event.data.person };
    case 'UnitCampaignOfficeDesignated':
      return state;
    case 'UnitDissolved':
      return { ...state, status: 'dissolved' };
    default:
      return assertNever(event);
  }
}

export const unitDecider: Decider<UnitCommand, UnitEvent, UnitState> = {
  decide: decideUnit,
  evolve: evolveUnit,
  initialState: () => ({ status: 'none' }),
};
