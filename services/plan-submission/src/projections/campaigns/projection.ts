// Campaigns with their catalogs (every version kept), award rules, phases and units.
import type { Projection } from '@wenming/readstore';
import { CAMPAIGN_EVENT_TYPES } from '../../domain/campaign.js';
import { C, type Doc } from '../collections.js';

export const campaignsProjection: Projection = {
  name: 'plansubmission.campaigns',
  collections: [C.campaigns],
  handles: CAMPAIGN_EVENT_TYPES,
  indexes: { [C.campaigns]: [['status']] },
  async apply(event, store) {
    const d = event.data as Doc;
    await store.collection<Doc>(C.campaigns).apply(d.campaignId, event.position, (cur) => {
      if (event.type === 'CampaignDefined') {
        return {
          campaignId: d.campaignId,
          title: d.title,
          description: d.description ?? '',
          period: d.period,
          phases: d.phases ?? [],
          currentPhase: 'CAMPAIGN_PHASE_UNSPECIFIED',
          status: 'CAMPAIGN_STATUS_ACTIVE',
          organizerUnitId: d.organizerUnitId ?? '',
          unitIds: [],
          planSubmissionDeadline: d.planSubmissionDeadline ?? '',
          monthlyReportDueDay: d.monthlyReportDueDay,
          template: d.template ?? '',
          revision: event.revision,
          catalogs: [],
          catalogChanges: [],
          startedPhases: [],
          completedPhases: [],
        };
      }
      if (!cur) return null;
      const next: Doc = { ...cur, revision: event.revision };
      switch (event.type) {
        case 'CampaignUnitsEnrolled':
          next.unitIds = [...cur.unitIds, ...d.unitIds.filter((id: string) => !cur.unitIds.includes(id))];
          break;
        case 'CampaignUnitsWithdrawn':
          next.unitIds = cur.unitIds.filter((id: string) => !d.unitIds.includes(id));
          break;
        case 'CampaignPhasesRescheduled':
          next.phases = d.phases;
          break;
        case 'CampaignPhaseStarted':
          next.startedPhases = [...cur.startedPhases, d.phase];
          next.currentPhase = d.phase;
          break;
        case 'CampaignPhaseCompleted':
          next.completedPhases = [...cur.completedPhases, d.phase];
          break;
        case 'StandardsCatalogPublished':
          next.catalog = d.catalog;
          next.catalogs = [...cur.catalogs, d.catalog];
          next.catalogChanges = [
            ...cur.catalogChanges,
            { version: d.catalog.version, reason: d.reason ?? '', recordedAt: event.recordedAt },
          ];
          break;
        case 'AwardRulesDefined':
          next.awardRules = d.rules;
          break;
        case 'CampaignClosed':
          next.status = 'CAMPAIGN_STATUS_CLOSED';
          break;
      }
      return next;
    });
  },
};
