// Rules established or revised 建章立制 (stream rule-<id>): "修订完善各项规章制度，把解决突出问题与建章立制结合起来".
// A rule is repealed by an event; its record stays.
import type { Decider, DomainEvent } from '@wenming/service-kit';
import { assertNever, type EvidenceRef, ForbiddenTransitionError, requireDate, requireText, ValidationError } from './shared.js';

export type RuleChange = 'RULE_CHANGE_ESTABLISHED' | 'RULE_CHANGE_REVISED';

export type RuleEstablished = DomainEvent<
  'RuleEstablished',
  {
    ruleId: string;
    unitId: string;
    planId?: string;
    campaignId?: string;
    title: string;
    change: RuleChange;
    effectiveDate: string;
    summary?: string;
    documents?: EvidenceRef[];
    supersedesRuleId?: string;
    relatedFindingIds?: string[];
    relatedRectificationIds?: string[];
  }
>;
export type RuleRepealed = DomainEvent<'RuleRepealed', { ruleId: string; reason: string; effectiveDate: string }>;
export type RuleEvent = RuleEstablished | RuleRepealed;
export const RULE_EVENT_TYPES: readonly RuleEvent['type'][] = ['RuleEstablished', 'RuleRepealed'];

export type EstablishRule = DomainEvent<'EstablishRule', RuleEstablished['data']>;
export type RepealRule = DomainEvent<'RepealRule', { reason?: string; effectiveDate: string }>;
export type RuleCommand = EstablishRule | RepealRule;

export type RuleState =
  | { status: 'none' }
  | { status: 'in_force'; ruleId: string; effectiveDate: string }
  | { status: 'repealed'; ruleId: string; effectiveDate: string };

export function decideRule(command: RuleCommand, state: RuleState): RuleEvent[] {
  switch (command.type) {
    case 'EstablishRule': {
      if (state.status !== 'none') throw new ForbiddenTransitionError(state.status.replace('_', ' '), 'establish the rule', 'it exists');
      const d = command.data;
      requireText('ruleId', d.ruleId);
      requireText('unitId', d.unitId);
      requireText('title', d.title);
      if (d.change !== 'RULE_CHANGE_ESTABLISHED' && d.change !== 'RULE_CHANGE_REVISED')
        throw new ValidationError('change', 'established or revised');
      requireDate('effectiveDate', d.effectiveDate);
      if (d.supersedesRuleId === d.ruleId) throw new ValidationError('supersedesRuleId', 'a rule cannot supersede itself');
      return [{ type: 'RuleEstablished', data: d }];
    }
    case 'RepealRule': {
      if (state.status !== 'in_force')
        throw new ForbiddenTransitionError(state.status === 'none' ? 'not established' : 'repealed', 'repeal the rule');
      const reason = requireText('reason', command.data.reason, 'say why the rule is repealed');
      const effectiveDate = requireDate('effectiveDate', command.data.effectiveDate);
      if (effectiveDate < state.effectiveDate) throw new ValidationError('effectiveDate', `the rule took effect on ${state.effectiveDate}`);
      return [{ type: 'RuleRepealed', data: { ruleId: state.ruleId, reason, effectiveDate } }];
    }
    default:
      return assertNever(command);
  }
}

export function evolveRule(state: RuleState, event: RuleEvent): RuleState {
  switch (event.type) {
    case 'RuleEstablished':
      return { status: 'in_force', ruleId: event.data.ruleId, effectiveDate: event.data.effectiveDate };
    case 'RuleRepealed':
      return state.status === 'none' ? state : { ...state, status: 'repealed', effectiveDate: event.data.effectiveDate };
    default:
      return assertNever(event);
  }
}

export const ruleDecider: Decider<RuleCommand, RuleEvent, RuleState> = {
  decide: decideRule,
  evolve: evolveRule,
  initialState: () => ({ status: 'none' }),
};
