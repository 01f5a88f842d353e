// The campaign catalogs read model, fed from plan-submission's events on the bus
// (wenming.plansubmission.events.v1) — services meet only through events. Each
// campaign's document carries the position of the last event applied to it, so a
// redelivered or republished event changes nothing (the store's own guard).
//
// Shapes are plan-submission's proto3 JSON (events.proto): CampaignDefined,
// StandardsCatalogPublished {campaignId, catalog{version, dimensions[].criteria[],
// vetoConditions[]}}, CampaignUnitsEnrolled / CampaignUnitsWithdrawn {campaignId, unitIds}.
import type { RecordedEvent } from '@wenming/eventstore';
import { eventsTopic, type MessageBus, type RunningConsumer, startEventConsumer } from '@wenming/messaging';
import type { ReadStore } from '@wenming/readstore';
import type { CatalogCriterion, CatalogView, EvidenceRule } from '../../domain/catalog.js';
import { C, type Doc } from '../collections.js';

export const CATALOG_CONSUMER_GROUP = 'inspection.catalogs';

const USED = new Set(['CampaignDefined', 'StandardsCatalogPublished', 'CampaignUnitsEnrolled', 'CampaignUnitsWithdrawn']);

export interface CatalogDoc {
  campaignId: string;
  title?: string;
  version: number;
  criteria: CatalogCriterion[];
  vetoConditionIds: string[];
  unitIds: string[];
}

export function applyCatalogEvent(current: CatalogDoc | undefined, event: RecordedEvent): CatalogDoc {
  const d = event.data as Doc;
  const doc: CatalogDoc = current ?? { campaignId: d.campaignId, version: 0, criteria: [], vetoConditionIds: [], unitIds: [] };
  switch (event.type) {
    case 'CampaignDefined':
      return { ...doc, title: d.title ?? doc.title };
    case 'StandardsCatalogPublished': {
      const catalog = d.catalog ?? {};
      const criteria: CatalogCriterion[] = (catalog.dimensions ?? []).flatMap((dim: Doc) =>
        (dim.criteria ?? []).map((c: Doc) => ({
          criterionId: String(c.criterionId),
          title: c.title ?? '',
          maxPoints: Number(c.maxPoints?.hundredths ?? 0),
          evidenceRules: (c.evidenceRules ?? []) as EvidenceRule[],
        })),
      );
      return {
        ...doc,
        version: Number(catalog.version ?? doc.version + 1),
        criteria,
        vetoConditionIds: (catalog.vetoConditions ?? []).map((v: Doc) => String(v.vetoConditionId ?? '')).filter(Boolean),
      };
    }
    case 'CampaignUnitsEnrolled':
      return { ...doc, unitIds: [...new Set([...doc.unitIds, ...(d.unitIds ?? [])])] };
    case 'CampaignUnitsWithdrawn':
      return { ...doc, unitIds: doc.unitIds.filter((u) => !(d.unitIds ?? []).includes(u)) };
    default:
      return doc;
  }
}

export async function startCatalogConsumer(bus: MessageBus, readStore: ReadStore): Promise<RunningConsumer> {
  const catalogs = readStore.collection<CatalogDoc>(C.catalogs);
  // Every plan-submission event type is read (so none is dead-lettered as unknown);
  // only the campaign's catalog and enrolments change this read model.
  const accepts = new Proxy({} as Record<string, number>, {
    get: (_t, type) => (typeof type === 'string' && USED.has(type) ? 1 : Number.MAX_SAFE_INTEGER),
  });
  return startEventConsumer({
    bus,
    groupId: CATALOG_CONSUMER_GROUP,
    topics: [eventsTopic('plansubmission')],
    accepts,
    handle: async (event) => {
      if (!USED.has(event.type)) return;
      const campaignId = (event.data as Doc).campaignId;
      if (typeof campaignId !== 'string' || !campaignId) return;
      await catalogs.apply(campaignId, event.position, (cur) => applyCatalogEvent(cur, event));
    },
  });
}

export function catalogView(doc: CatalogDoc | undefined): CatalogView | undefined {
  if (!doc || doc.criteria.length === 0) return undefined;
  return {
    campaignId: doc.campaignId,
    version: doc.version,
    criteria: Object.fromEntries(doc.criteria.map((c) => [c.criterionId, c])),
    vetoConditionIds: doc.vetoConditionIds,
  };
}
