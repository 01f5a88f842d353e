// The campaign as seed 000 runs it: defined with its period and phases, a standards
// catalog from the seeds' templates, phases in order, a catalog change after the
// start only as a new version with a reason.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ForbiddenTransitionError, ValidationError } from '@wenming/service-kit';
import { DeciderSpecification } from '@wenming/service-kit/testing';
import { type CampaignDefined, type CampaignEvent, campaignDecider } from './campaign.js';
import { catalogTemplate } from './templates/index.js';

const spec = DeciderSpecification.for(campaignDecider);
const campaignId = 'c1';
const phases = [
  { phase: 'CAMPAIGN_PHASE_MOBILIZATION' as const, dates: { startDate: '2025-01-01', endDate: '2025-03-31' } },
  { phase: 'CAMPAIGN_PHASE_RECTIFICATION_AND_IMPROVEMENT' as const, dates: { startDate: '2025-04-01', endDate: '2025-10-31' } },
  { phase: 'CAMPAIGN_PHASE_BUILDING_RULES' as const, dates: { startDate: '2025-08-01', endDate: '2025-10-31' } },
  { phase: 'CAMPAIGN_PHASE_CONSOLIDATION' as const, dates: { startDate: '2025-11-01', endDate: '2025-12-31' } },
];
const definedData: CampaignDefined['data'] = {
  campaignId,
  title: '创建现代文明机关，优化政务环境',
  period: { startDate: '2025-01-01', endDate: '2027-12-31' },
  phases,
  planSubmissionDeadline: '2025-02-28',
  monthlyReportDueDay: 5,
};
const defined: CampaignEvent = { type: 'CampaignDefined', data: definedData };
const sixTypes = catalogTemplate('six-types').catalog;
const published: CampaignEvent = { type: 'StandardsCatalogPublished', data: { campaignId, catalog: sixTypes } };
const started = (phase: (typeof phases)[number]['phase']): CampaignEvent => ({ type: 'CampaignPhaseStarted', data: { campaignId, phase } });
const completed = (phase: (typeof phases)[number]['phase']): CampaignEvent => ({
  type: 'CampaignPhaseCompleted',
  data: { campaignId, phase },
});

describe('Campaign: definition', () => {
  it('a campaign defined from the six-types template publishes the template catalog as version 1', () =>
    spec
      .given([])
      .when({ type: 'DefineCampaign', data: { ...definedData, template: 'six-types' } })
      .then([{ type: 'CampaignDefined', data: { ...definedData, template: 'six-types' } }, published]));

  it('a custom campaign is defined without a catalog; the monthly report is due on the 5th unless told', () =>
    spec
      .given([])
      .when({ type: 'DefineCampaign', data: { ...definedData, monthlyReportDueDay: 0 } })
      .then([defined]));

  it('an unknown template, a phase outside the period, a due day past the 28th are refused naming the field', () => {
    spec
      .given([])
      .when({ type: 'DefineCampaign', data: { ...definedData, template: 'seven-types' } })
      .thenThrows(ValidationError, (e) => e.field === 'template');
    spec
      .given([])
      .when({
        type: 'DefineCampaign',
        data: {
          ...definedData,
          phases: [{ phase: 'CAMPAIGN_PHASE_MOBILIZATION', dates: { startDate: '2024-12-01', endDate: '2025-01-31' } }],
        },
      })
      .thenThrows(ValidationError, (e) => e.field === 'phases[0].dates');
    spec
      .given([])
      .when({ type: 'DefineCampaign', data: { ...definedData, monthlyReportDueDay: 31 } })
      .thenThrows(ValidationError, (e) => e.field === 'monthlyReportDueDay');
  });

  it('the period lies within the years 2000-2100 and the plan deadline inside the period', () => {
    const cases: [Partial<CampaignDefined['data']>, string][] = [
      [{ period: { startDate: '0001-01-01', endDate: '2027-12-31' } }, 'period.startDate'],
      [{ period: { startDate: '2025-01-01', endDate: '9999-12-31' } }, 'period.endDate'],
      [{ planSubmissionDeadline: '9999-12-31' }, 'planSubmissionDeadline'],
      [{ planSubmissionDeadline: '2024-12-31' }, 'planSubmissionDeadline'],
      [{ planSubmissionDeadline: '2028-01-01' }, 'planSubmissionDeadline'],
    ];
    for (const [change, field] of cases)
      spec
        .given([])
        .when({ type: 'DefineCampaign', data: { ...definedData, phases: [], ...change } })
        .thenThrows(ValidationError, (e) => e.field === field);
  });

  it('a step of 整改提高 cannot be scheduled without its phase', () =>
    spec
      .given([])
      .when({ type: 'DefineCampaign', data: { ...definedData, phases: [phases[2]!] } })
      .thenThrows(ValidationError, (e) => e.field === 'phases[0].phase'));

  it('defining twice is a forbidden transition', () =>
    spec
      .given([defined])
      .when({ type: 'DefineCampaign', data: definedData })
      .thenThrows(ForbiddenTransitionError, (e) => e.currentState === 'active'));
});

describe('Campaign: enrolment of units', () => {
  it('enrols new units, skipping those already in', () =>
    spec
      .given([defined, { type: 'CampaignUnitsEnrolled', data: { campaignId, unitIds: ['u1'] } }])
      .when({ type: 'EnrollCampaignUnits', data: { unitIds: ['u1', 'u2', 'u2'] } })
      .then({ type: 'CampaignUnitsEnrolled', data: { campaignId, unitIds: ['u2'] } }));

  it('enrolling only units already in changes nothing', () =>
    spec
      .given([defined, { type: 'CampaignUnitsEnrolled', data: { campaignId, unitIds: ['u1'] } }])
      .when({ type: 'EnrollCampaignUnits', data: { unitIds: ['u1'] } })
      .thenNothingHappened());

  it('withdrawal needs a reason and enrolled units', () => {
    const given = [defined, { type: 'CampaignUnitsEnrolled', data: { campaignId, unitIds: ['u1'] } } as CampaignEvent];
    spec
      .given(given)
      .when({ type: 'WithdrawCampaignUnits', data: { unitIds: ['u1'] } })
      .thenThrows(ValidationError, (e) => e.field === 'reason');
    spec
      .given(given)
      .when({ type: 'WithdrawCampaignUnits', data: { unitIds: ['u9'], reason: '撤并' } })
      .thenThrows(ValidationError, (e) => e.field === 'unitIds[0]');
    spec
      .given(given)
      .when({ type: 'WithdrawCampaignUnits', data: { unitIds: ['u1'], reason: '机构撤并' } })
      .then({ type: 'CampaignUnitsWithdrawn', data: { campaignId, unitIds: ['u1'], reason: '机构撤并' } });
  });

  it('nothing happens to a campaign that was never defined', () =>
    spec
      .given([])
      .when({ type: 'EnrollCampaignUnits', data: { unitIds: ['u1'] } })
      .thenThrows(ForbiddenTransitionError, (e) => e.currentState === 'not defined'));
});

describe('Campaign: phases 动员部署 → 整改提高 (查找问题, 集中整改, 建章立制) → 巩固成果', () => {
  it('the first phase starts', () =>
    spec
      .given([defined])
      .when({ type: 'StartCampaignPhase', data: { phase: 'CAMPAIGN_PHASE_MOBILIZATION' } })
      .then(started('CAMPAIGN_PHASE_MOBILIZATION')));

  it('a later phase cannot start before the earlier one completes', () =>
    spec
      .given([defined])
      .when({ type: 'StartCampaignPhase', data: { phase: 'CAMPAIGN_PHASE_CONSOLIDATION' } })
      .thenThrows(ForbiddenTransitionError, (e) => e.currentState === 'CAMPAIGN_PHASE_MOBILIZATION not completed'));

  it('two phases do not run at once', () =>
    spec
      .given([defined, started('CAMPAIGN_PHASE_MOBILIZATION')])
      .when({ type: 'StartCampaignPhase', data: { phase: 'CAMPAIGN_PHASE_RECTIFICATION_AND_IMPROVEMENT' } })
      .thenThrows(ForbiddenTransitionError, (e) => e.message.includes('under way')));

  it('建章立制 runs inside 整改提高, which completes only after its steps', () => {
    const history = [defined, started('CAMPAIGN_PHASE_MOBILIZATION'), completed('CAMPAIGN_PHASE_MOBILIZATION')];
    spec
      .given(history)
      .when({ type: 'StartCampaignPhase', data: { phase: 'CAMPAIGN_PHASE_BUILDING_RULES' } })
      .thenThrows(ForbiddenTransitionError, (e) => e.currentState.includes('not under way'));
    const inRectification = [...history, started('CAMPAIGN_PHASE_RECTIFICATION_AND_IMPROVEMENT'), started('CAMPAIGN_PHASE_BUILDING_RULES')];
    spec
      .given(inRectification)
      .when({ type: 'CompleteCampaignPhase', data: { phase: 'CAMPAIGN_PHASE_RECTIFICATION_AND_IMPROVEMENT' } })
      .thenThrows(ForbiddenTransitionError, (e) => e.currentState === 'CAMPAIGN_PHASE_BUILDING_RULES under way');
    spec
      .given([...inRectification, completed('CAMPAIGN_PHASE_BUILDING_RULES')])
      .when({ type: 'CompleteCampaignPhase', data: { phase: 'CAMPAIGN_PHASE_RECTIFICATION_AND_IMPROVEMENT' } })
      .then(completed('CAMPAIGN_PHASE_RECTIFICATION_AND_IMPROVEMENT'));
  });

  it('a phase not started cannot complete; a phase not scheduled cannot start', () => {
    spec
      .given([defined])
      .when({ type: 'CompleteCampaignPhase', data: { phase: 'CAMPAIGN_PHASE_MOBILIZATION' } })
      .thenThrows(ForbiddenTransitionError, (e) => e.currentState === 'CAMPAIGN_PHASE_MOBILIZATION not started');
    spec
      .given([defined])
      .when({ type: 'StartCampaignPhase', data: { phase: 'CAMPAIGN_PHASE_LOOKBACK' } })
      .thenThrows(ValidationError, (e) => e.field === 'phase');
  });

  it('rescheduling needs a reason and keeps started phases', () => {
    spec
      .given([defined])
      .when({ type: 'RescheduleCampaignPhases', data: { phases } })
      .thenThrows(ValidationError, (e) => e.field === 'reason');
    spec
      .given([defined, started('CAMPAIGN_PHASE_MOBILIZATION')])
      .when({ type: 'RescheduleCampaignPhases', data: { phases: phases.slice(1), reason: '推迟' } })
      .thenThrows(ValidationError, (e) => e.field === 'phases');
    spec
      .given([defined])
      .when({ type: 'RescheduleCampaignPhases', data: { phases: phases.slice(0, 2), reason: '市委要求' } })
      .then({ type: 'CampaignPhasesRescheduled', data: { campaignId, phases: phases.slice(0, 2), reason: '市委要求' } });
  });
});

describe('Campaign: the standards catalog changes by versions, never in place', () => {
  const v2 = { ...sixTypes, version: 2 };
  it('before the campaign starts, version 2 needs no reason', () =>
    spec
      .given([defined, published])
      .when({ type: 'PublishStandardsCatalog', data: { catalog: v2 } })
      .then({ type: 'StandardsCatalogPublished', data: { campaignId, catalog: v2 } }));

  it('after the campaign started, a catalog change without a reason is refused', () =>
    spec
      .given([defined, published, started('CAMPAIGN_PHASE_MOBILIZATION')])
      .when({ type: 'PublishStandardsCatalog', data: { catalog: v2 } })
      .thenThrows(ValidationError, (e) => e.field === 'reason' && /never an edit in place/.test(e.message)));

  it('after the start, with a reason, it is a new version event', () =>
    spec
      .given([defined, published, started('CAMPAIGN_PHASE_MOBILIZATION')])
      .when({ type: 'PublishStandardsCatalog', data: { catalog: v2, reason: '市考核标准下发' } })
      .then({ type: 'StandardsCatalogPublished', data: { campaignId, catalog: v2, reason: '市考核标准下发' } }));

  it('the version must follow the latest, and criteria carry points', () => {
    spec
      .given([defined, published])
      .when({ type: 'PublishStandardsCatalog', data: { catalog: sixTypes } })
      .thenThrows(ValidationError, (e) => e.field === 'catalog.version');
    const noPoints = {
      version: 1,
      dimensions: [{ dimensionId: 'd', kind: 'DIMENSION_KIND_CUSTOM' as const, name: 'D', criteria: [{ criterionId: 'c', title: 'C' }] }],
    };
    spec
      .given([defined])
      .when({ type: 'PublishStandardsCatalog', data: { catalog: noPoints } })
      .thenThrows(ValidationError, (e) => e.field === 'catalog.dimensions[0].criteria[0].maxPoints');
  });

  it('award rules: titles with thresholds and a yearly target share (第一年力争50%)', () => {
    const rules = {
      version: 1,
      titleRules: [
        { title: 'TITLE_KIND_STANDARD_MET_UNIT' as const, cycle: 'APPRAISAL_CYCLE_KIND_ANNUAL' as const, minScore: { hundredths: 8000 } },
      ],
      targets: [{ year: 2025, shareMeetingStandard: { basisPoints: 5000 } }],
    };
    spec
      .given([defined])
      .when({ type: 'DefineAwardRules', data: { rules } })
      .then({ type: 'AwardRulesDefined', data: { campaignId, rules } });
    spec
      .given([defined])
      .when({
        type: 'DefineAwardRules',
        data: { rules: { ...rules, targets: [{ year: 2025, shareMeetingStandard: { basisPoints: 12000 } }] } },
      })
      .thenThrows(ValidationError, (e) => e.field === 'rules.targets[0].shareMeetingStandard');
    spec
      .given([defined, started('CAMPAIGN_PHASE_MOBILIZATION')])
      .when({ type: 'DefineAwardRules', data: { rules } })
      .thenThrows(ValidationError, (e) => e.field === 'reason');
  });
});

describe('Campaign: closing', () => {
  it('closes, and a closed campaign takes nothing more', () => {
    spec
      .given([defined])
      .when({ type: 'CloseCampaign', data: { summary: '三年创建结束' } })
      .then({ type: 'CampaignClosed', data: { campaignId, summary: '三年创建结束' } });
    spec
      .given([defined, { type: 'CampaignClosed', data: { campaignId } }])
      .when({ type: 'EnrollCampaignUnits', data: { unitIds: ['u1'] } })
      .thenThrows(ForbiddenTransitionError, (e) => e.currentState === 'closed');
  });

  it('the templates hold the seeds’ dimensions with their Chinese names, 100 points each', () => {
    assert.deepEqual(
      catalogTemplate('four-types').catalog.dimensions?.map((d) => d.name),
      ['学习型机关', '法制型机关', '务实型机关', '廉政型机关'],
    );
    assert.deepEqual(
      catalogTemplate('six-types').catalog.dimensions?.map((d) => d.name),
      ['学习型机关', '服务型机关', '效率型机关', '节约型机关', '廉洁型机关', '和谐型机关'],
    );
    for (const id of ['four-types', 'six-types', 'standardized-window'] as const) {
      const total = (catalogTemplate(id).catalog.dimensions ?? [])
        .flatMap((d) => d.criteria ?? [])
        .reduce((s, c) => s + (c.maxPoints?.hundredths ?? 0), 0);
      assert.equal(total, 10000, id);
    }
    assert.equal(catalogTemplate('four-types').catalog.workStandards?.length, 4);
  });
});
