// Campaign 创建活动 (stream campaign-<id>): period, phases 动员部署 → 整改提高 → 巩固成果,
// the standards catalog and award rules as versions, the plan submission deadline,
// the monthly report due day, and the units enrolled. Pure decider.
import type { Decider, DomainEvent } from '@wenming/service-kit';
import { type AwardRules, type CatalogIndex, checkCatalog, indexCatalog, type StandardsCatalog } from './catalog.js';
import {
  assertNever,
  checkDateRange,
  type DateRange,
  type EvidenceRef,
  ForbiddenTransitionError,
  periodOrSane,
  requireDate,
  requireText,
  ValidationError,
} from './shared.js';
import { catalogTemplate, isTemplateId, TEMPLATE_IDS } from './templates/index.js';

export type CampaignPhase =
  | 'CAMPAIGN_PHASE_MOBILIZATION'
  | 'CAMPAIGN_PHASE_RECTIFICATION_AND_IMPROVEMENT'
  | 'CAMPAIGN_PHASE_FINDING_PROBLEMS'
  | 'CAMPAIGN_PHASE_CONCENTRATED_RECTIFICATION'
  | 'CAMPAIGN_PHASE_BUILDING_RULES'
  | 'CAMPAIGN_PHASE_CONSOLIDATION'
  | 'CAMPAIGN_PHASE_LOOKBACK';

/** The three steps of 整改提高 and the look-back of 巩固成果 run inside their phase. */
const PARENT_PHASE: Partial<Record<CampaignPhase, CampaignPhase>> = {
  CAMPAIGN_PHASE_FINDING_PROBLEMS: 'CAMPAIGN_PHASE_RECTIFICATION_AND_IMPROVEMENT',
  CAMPAIGN_PHASE_CONCENTRATED_RECTIFICATION: 'CAMPAIGN_PHASE_RECTIFICATION_AND_IMPROVEMENT',
  CAMPAIGN_PHASE_BUILDING_RULES: 'CAMPAIGN_PHASE_RECTIFICATION_AND_IMPROVEMENT',
  CAMPAIGN_PHASE_LOOKBACK: 'CAMPAIGN_PHASE_CONSOLIDATION',
};

export interface PhaseSchedule {
  phase?: CampaignPhase;
  dates?: DateRange;
  description?: string;
}

export const DEFAULT_MONTHLY_REPORT_DUE_DAY = 5;

// ── Events ──────────────────────────────────────────────────────────────────

export type CampaignDefined = DomainEvent<
  'CampaignDefined',
  {
    campaignId: string;
    title: string;
    description?: string;
    period: DateRange;
    phases: PhaseSchedule[];
    organizerUnitId?: string;
    documents?: EvidenceRef[];
    planSubmissionDeadline?: string;
    monthlyReportDueDay: number;
    template?: string;
  }
>;
export type CampaignUnitsEnrolled = DomainEvent<'CampaignUnitsEnrolled', { campaignId: string; unitIds: string[] }>;
export type CampaignUnitsWithdrawn = DomainEvent<'CampaignUnitsWithdrawn', { campaignId: string; unitIds: string[]; reason: string }>;
export type CampaignPhasesRescheduled = DomainEvent<
  'CampaignPhasesRescheduled',
  { campaignId: string; phases: PhaseSchedule[]; reason: string }
>;
export type CampaignPhaseStarted = DomainEvent<'CampaignPhaseStarted', { campaignId: string; phase: CampaignPhase }>;
export type CampaignPhaseCompleted = DomainEvent<'CampaignPhaseCompleted', { campaignId: string; phase: CampaignPhase; summary?: string }>;
export type StandardsCatalogPublished = DomainEvent<
  'StandardsCatalogPublished',
  { campaignId: string; catalog: StandardsCatalog; reason?: string }
>;
export type AwardRulesDefined = DomainEvent<'AwardRulesDefined', { campaignId: string; rules: AwardRules; reason?: string }>;
export type CampaignClosed = DomainEvent<'CampaignClosed', { campaignId: string; summary?: string }>;

export type CampaignEvent =
  | CampaignDefined
  | CampaignUnitsEnrolled
  | CampaignUnitsWithdrawn
  | CampaignPhasesRescheduled
  | CampaignPhaseStarted
  | CampaignPhaseCompleted
  | StandardsCatalogPublished
  | AwardRulesDefined
  | CampaignClosed;

export const CAMPAIGN_EVENT_TYPES: readonly CampaignEvent['type'][] = [
  'CampaignDefined',
  'CampaignUnitsEnrolled',
  'CampaignUnitsWithdrawn',
  'CampaignPhasesRescheduled',
  'CampaignPhaseStarted',
  'CampaignPhaseCompleted',
  'StandardsCatalogPublished',
  'AwardRulesDefined',
  'CampaignClosed',
];

// ── Commands ────────────────────────────────────────────────────────────────

export type DefineCampaign = DomainEvent<
  'DefineCampaign',
  CampaignDefined['data'] & {
    /** The template's catalog is published as version 1 with the definition. */
    template?: string;
  }
>;
export type EnrollCampaignUnits = DomainEvent<'EnrollCampaignUnits', { unitIds: string[] }>;
export type WithdrawCampaignUnits = DomainEvent<'WithdrawCampaignUnits', { unitIds: string[]; reason?: string }>;
export type RescheduleCampaignPhases = DomainEvent<'RescheduleCampaignPhases', { phases: PhaseSchedule[]; reason?: string }>;
export type StartCampaignPhase = DomainEvent<'StartCampaignPhase', { phase: CampaignPhase }>;
export type CompleteCampaignPhase = DomainEvent<'CompleteCampaignPhase', { phase: CampaignPhase; summary?: string }>;
export type PublishStandardsCatalog = DomainEvent<'PublishStandardsCatalog', { catalog: StandardsCatalog; reason?: string }>;
export type DefineAwardRules = DomainEvent<'DefineAwardRules', { rules: AwardRules; reason?: string }>;
export type CloseCampaign = DomainEvent<'CloseCampaign', { summary?: string }>;

export type CampaignCommand =
  | DefineCampaign
  | EnrollCampaignUnits
  | WithdrawCampaignUnits
  | RescheduleCampaignPhases
  | StartCampaignPhase
  | CompleteCampaignPhase
  | PublishStandardsCatalog
  | DefineAwardRules
  | CloseCampaign;

// ── State ───────────────────────────────────────────────────────────────────

interface CampaignFacts {
  campaignId: string;
  title: string;
  period: DateRange;
  phases: PhaseSchedule[];
  planSubmissionDeadline?: string;
  monthlyReportDueDay: number;
  unitIds: string[];
  started: CampaignPhase[];
  completed: CampaignPhase[];
  catalog?: StandardsCatalog;
  catalogIndex: CatalogIndex;
  awardRulesVersion: number;
}

export type CampaignState = { status: 'none' } | ({ status: 'active' } & CampaignFacts) | ({ status: 'closed' } & CampaignFacts);

function inProgress(state: CampaignFacts): CampaignPhase[] {
  return state.started.filter((p) => !state.completed.includes(p));
}

/** A phase has begun: catalog and award-rule changes from now on need a reason. */
export function campaignUnderWay(state: CampaignState): boolean {
  return state.status !== 'none' && state.started.length > 0;
}

// ── decide ──────────────────────────────────────────────────────────────────

function checkPhases(field: string, phases: readonly PhaseSchedule[], period: DateRange): void {
  const seen = new Set<string>();
  phases.forEach((p, i) => {
    if (!p.phase) throw new ValidationError(`${field}[${i}].phase`, 'is required');
    if (seen.has(p.phase)) throw new ValidationError(`${field}[${i}].phase`, `${p.phase} is scheduled twice`);
    seen.add(p.phase);
    checkDateRange(`${field}[${i}].dates`, p.dates);
    if ((period.startDate && p.dates!.startDate! < period.startDate) || (period.endDate && p.dates!.endDate! > period.endDate)) {
      throw new ValidationError(`${field}[${i}].dates`, `${p.phase} falls outside the campaign period`);
    }
    const parent = PARENT_PHASE[p.phase];
    if (parent && !phases.some((q) => q.phase === parent)) {
      throw new ValidationError(`${field}[${i}].phase`, `${p.phase} is a step of ${parent}, which is not scheduled`);
    }
  });
}

function checkUnitIds(field: string, unitIds: readonly string[]): void {
  if (unitIds.length === 0) throw new ValidationError(field, 'name at least one unit');
  unitIds.forEach((id, i) => {
    requireText(`${field}[${i}]`, id);
  });
}

function decideDefine(command: DefineCampaign['data']): CampaignEvent[] {
  requireText('campaignId', command.campaignId);
  requireText('title', command.title);
  checkDateRange('period', command.period);
  checkPhases('phases', command.phases, command.period);
  if (command.planSubmissionDeadline) requireDate('planSubmissionDeadline', command.planSubmissionDeadline, periodOrSane(command.period));
  const dueDay = command.monthlyReportDueDay || DEFAULT_MONTHLY_REPORT_DUE_DAY;
  if (!Number.isInteger(dueDay) || dueDay < 1 || dueDay > 28) {
    throw new ValidationError('monthlyReportDueDay', 'is a day of the next month, 1 to 28');
  }
  const { template, ...rest } = command;
  const defined: CampaignDefined = {
    type: 'CampaignDefined',
    data: { ...rest, monthlyReportDueDay: dueDay, ...(template ? { template } : {}) },
  };
  if (!template) return [defined];
  if (!isTemplateId(template)) throw new ValidationError('template', `unknown template ${template}; one of ${TEMPLATE_IDS.join(', ')}`);
  return [
    defined,
    { type: 'StandardsCatalogPublished', data: { campaignId: command.campaignId, catalog: catalogTemplate(template).catalog } },
  ];
}

function decideStart(state: CampaignFacts, phase: CampaignPhase): CampaignEvent[] {
  if (!state.phases.some((p) => p.phase === phase)) throw new ValidationError('phase', `${phase} is not in the campaign's schedule`);
  if (state.started.includes(phase)) {
    throw new ForbiddenTransitionError(state.completed.includes(phase) ? `${phase} completed` : `${phase} under way`, `start ${phase}`);
  }
  const parent = PARENT_PHASE[phase];
  if (parent) {
    if (!inProgress(state).includes(parent)) {
      throw new ForbiddenTransitionError(`${parent} not under way`, `start ${phase}`, `it is a step of ${parent}`);
    }
  } else {
    const running = inProgress(state).filter((p) => !PARENT_PHASE[p]);
    if (running.length > 0) throw new ForbiddenTransitionError(`${running[0]} under way`, `start ${phase}`, 'complete it first');
    const main = state.phases.map((p) => p.phase!).filter((p) => !PARENT_PHASE[p]);
    const earlier = main.slice(0, main.indexOf(phase)).filter((p) => !state.completed.includes(p));
    if (earlier.length > 0) throw new ForbiddenTransitionError(`${earlier[0]} not completed`, `start ${phase}`, 'phases run in order');
  }
  return [{ type: 'CampaignPhaseStarted', data: { campaignId: state.campaignId, phase } }];
}

function decideComplete(state: CampaignFacts, phase: CampaignPhase, summary?: string): CampaignEvent[] {
  if (!inProgress(state).includes(phase)) {
    throw new ForbiddenTransitionError(
      state.completed.includes(phase) ? `${phase} completed` : `${phase} not started`,
      `complete ${phase}`,
    );
  }
  const openSteps = inProgress(state).filter((p) => PARENT_PHASE[p] === phase);
  if (openSteps.length > 0)
    throw new ForbiddenTransitionError(`${openSteps[0]} under way`, `complete ${phase}`, 'complete its steps first');
  return [{ type: 'CampaignPhaseCompleted', data: { campaignId: state.campaignId, phase, ...(summary ? { summary } : {}) } }];
}

export function decideCampaign(command: CampaignCommand, state: CampaignState): CampaignEvent[] {
  if (command.type === 'DefineCampaign') {
    if (state.status !== 'none') throw new ForbiddenTransitionError(state.status, 'define the campaign', 'it is already defined');
    return decideDefine(command.data);
  }
  if (state.status === 'none') throw new ForbiddenTransitionError('not defined', describe(command));
  if (state.status === 'closed') throw new ForbiddenTransitionError('closed', describe(command));
  const campaignId = state.campaignId;
  switch (command.type) {
    case 'EnrollCampaignUnits': {
      checkUnitIds('unitIds', command.data.unitIds);
      const fresh = [...new Set(command.data.unitIds)].filter((id) => !state.unitIds.includes(id));
      return fresh.length === 0 ? [] : [{ type: 'CampaignUnitsEnrolled', data: { campaignId, unitIds: fresh } }];
    }
    case 'WithdrawCampaignUnits': {
      checkUnitIds('unitIds', command.data.unitIds);
      const reason = requireText('reason', command.data.reason, 'say why the units leave the campaign');
      command.data.unitIds.forEach((id, i) => {
        if (!state.unitIds.includes(id)) throw new ValidationError(`unitIds[${i}]`, `${id} is not enrolled`);
      });
      return [{ type: 'CampaignUnitsWithdrawn', data: { campaignId, unitIds: [...new Set(command.data.unitIds)], reason } }];
    }
    case 'RescheduleCampaignPhases': {
      const reason = requireText('reason', command.data.reason, 'say why the schedule changes');
      checkPhases('phases', command.data.phases, state.period);
      const dropped = state.started.filter((p) => !command.data.phases.some((s) => s.phase === p));
      if (dropped.length > 0) throw new ValidationError('phases', `${dropped[0]} has started and cannot leave the schedule`);
      return [{ type: 'CampaignPhasesRescheduled', data: { campaignId, phases: command.data.phases, reason } }];
    }
    case 'StartCampaignPhase':
      return decideStart(state, command.data.phase);
    case 'CompleteCampaignPhase':
      return decideComplete(state, command.data.phase, command.data.summary);
    case 'PublishStandardsCatalog': {
      const { catalog, reason } = command.data;
      const expected = (state.catalog?.version ?? 0) + 1;
      if (catalog.version !== expected) throw new ValidationError('catalog.version', `must be ${expected} (the latest is ${expected - 1})`);
      checkCatalog('catalog', catalog);
      if (campaignUnderWay(state)) {
        requireText('reason', reason, 'the campaign has started: a catalog change is a new version with a reason, never an edit in place');
      }
      return [{ type: 'StandardsCatalogPublished', data: { campaignId, catalog, ...(reason ? { reason } : {}) } }];
    }
    case 'DefineAwardRules': {
      const { rules, reason } = command.data;
      const expected = state.awardRulesVersion + 1;
      if (rules.version !== expected) throw new ValidationError('rules.version', `must be ${expected}`);
      if ((rules.titleRules ?? []).length === 0) throw new ValidationError('rules.titleRules', 'name at least one title and its threshold');
      (rules.targets ?? []).forEach((t, i) => {
        const bp = t.shareMeetingStandard?.basisPoints ?? 0;
        if (bp <= 0 || bp > 10000)
          throw new ValidationError(`rules.targets[${i}].shareMeetingStandard`, 'is a share above 0 and at most 100 %');
      });
      if (campaignUnderWay(state)) requireText('reason', reason, 'the campaign has started: a change of the award rules needs a reason');
      return [{ type: 'AwardRulesDefined', data: { campaignId, rules, ...(reason ? { reason } : {}) } }];
    }
    case 'CloseCampaign':
      return [{ type: 'CampaignClosed', data: { campaignId, ...(command.data.summary ? { summary: command.data.summary } : {}) } }];
    default:
      return assertNever(command);
  }
}

function describe(command: CampaignCommand): string {
  return command.type.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

// ── evolve ──────────────────────────────────────────────────────────────────

export function evolveCampaign(state: CampaignState, event: CampaignEvent): CampaignState {
  if (event.type === 'CampaignDefined') {
    const d = event.data;
    return {
      status: 'active',
      campaignId: d.campaignId,
      title: d.title,
      period: d.period,
      phases: d.phases,
      ...(d.planSubmissionDeadline ? { planSubmissionDeadline: d.planSubmissionDeadline } : {}),
      monthlyReportDueDay: d.monthlyReportDueDay,
      unitIds: [],
      started: [],
      completed: [],
      catalogIndex: { dimensionIds: [], criterionIds: [] },
      awardRulesVersion: 0,
    };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'CampaignUnitsEnrolled':
      return { ...state, unitIds: [...state.unitIds, ...event.data.unitIds.filter((id) => !state.unitIds.includes(id))] };
    case 'CampaignUnitsWithdrawn':
      return { ...state, unitIds: state.unitIds.filter((id) => !event.data.unitIds.includes(id)) };
    case 'CampaignPhasesRescheduled':
      return { ...state, phases: event.data.phases };
    case 'CampaignPhaseStarted':
      return { ...state, started: [...state.started, event.data.phase] };
    case 'CampaignPhaseCompleted':
      return { ...state, completed: [...state.completed, event.data.phase] };
    case 'StandardsCatalogPublished':
      return { ...state, catalog: event.data.catalog, catalogIndex: indexCatalog(event.data.catalog) };
    case 'AwardRulesDefined':
      return { ...state, awardRulesVersion: event.data.rules.version ?? state.awardRulesVersion + 1 };
    case 'CampaignClosed':
      return { ...state, status: 'closed' };
    default:
      return assertNever(event);
  }
}

export const campaignDecider: Decider<CampaignCommand, CampaignEvent, CampaignState> = {
  decide: decideCampaign,
  evolve: evolveCampaign,
  initialState: () => ({ status: 'none' }),
};
