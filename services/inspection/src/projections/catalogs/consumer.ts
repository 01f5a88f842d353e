// The campaign catalogs read model, fed from plan-submission's events on the bus
// (wenming.plansubmission.events.v1) — services meet only through events. Each
// campaign's document carries the position of the last event applied to it, so a
// redelivered or republished event changes nothing (the store's own guard).
//
// Rebuilding it from zero cannot replay inspection's event store (the events are
// plan-submission's), so it replays the topic instead, which keeps every message
// (retention -1): the feed's consumer group is named in the read store beside the
// documents, and a rebuild (or a read store that lost it) takes a fresh group that
// starts at the beginning of the topic. A group kept outside the read store would
// resume at the end after the documents were dropped, and never refill them.
//
// Shapes are plan-submission's proto3 JSON (events.proto): CampaignDefined,
// StandardsCatalogPublished {campaignId, catalog{version, dimensions[].criteria[],
// vetoConditions[]}}, CampaignUnitsEnrolled / CampaignUnitsWithdrawn {campaignId, unitIds}.
import { randomUUID } from 'node:crypto';
import type { RecordedEvent } from '@wenming/eventstore';
import { eventsTopic, type MessageBus, type RunningConsumer, startEventConsumer } from '@wenming/messaging';
import type { ReadStore } from '@wenming/readstore';
import type { CatalogCriterion, CatalogView, EvidenceRule } from '../../domain/catalog.js';
import { C, type Doc } from '../collections.js';

/** The feed's dead-letter name and the stem of its consumer groups (inspection.catalogs.<generation>). */
export const CATALOG_CONSUMER_GROUP = 'inspection.catalogs';
/** Where the feed keeps the name of its current consumer group. */
const FEED = 'inspection.catalogs_feed';

/** The catalogs read model as `wenming projections` shows it: fed from a topic, not the event store. */
export const CATALOG_FEED = {
  name: 'inspection.catalogs',
  collections: [C.catalogs, FEED],
  topics: [eventsTopic('plansubmission')],
} as const;

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

export interface CatalogFeed {
  /** The consumer group it reads with now. */
  readonly groupId: () => string;
  /** Resolves once every message published before the call has been applied. */
  caughtUp(timeoutMs?: number): Promise<void>;
  /** Drops the catalogs and replays the whole topic into them under a fresh group; resolves when caught up. */
  rebuild(): Promise<void>;
  stop(): Promise<void>;
}

/** The consumer group the feed reads with now, if it has started on this read store. */
export async function catalogFeedGroup(readStore: ReadStore): Promise<string | undefined> {
  return (await readStore.collection<{ groupId: string }>(FEED).get('consumer'))?.groupId;
}

/** The group this feed reads with, created (as the next generation) when absent or when `fresh`. */
async function feedGroup(readStore: ReadStore, fresh: boolean): Promise<string> {
  const feed = readStore.collection<{ groupId: string }>(FEED);
  const current = await feed.get('consumer');
  if (current && !fresh) return current.groupId;
  // Replicas starting together race here: the position guard lets one name win.
  const generation = (current?._position ?? 0) + 1;
  await feed.apply('consumer', generation, () => ({ groupId: `${CATALOG_CONSUMER_GROUP}.${randomUUID().slice(0, 8)}` }));
  const stored = await feed.get('consumer');
  if (!stored) throw new Error(`the catalog feed's consumer group was not stored in ${FEED}`);
  return stored.groupId;
}

function consume(bus: MessageBus, readStore: ReadStore, groupId: string): Promise<RunningConsumer> {
  const catalogs = readStore.collection<CatalogDoc>(C.catalogs);
  // Every plan-submission event type is read (so none is dead-lettered as unknown);
  // only the campaign's catalog and enrolments change this read model.
  const accepts = new Proxy({} as Record<string, number>, {
    get: (_t, type) => (typeof type === 'string' && USED.has(type) ? 1 : Number.MAX_SAFE_INTEGER),
  });
  return startEventConsumer({
    bus,
    groupId,
    deadLetterName: CATALOG_CONSUMER_GROUP,
    topics: [...CATALOG_FEED.topics],
    accepts,
    handle: async (event) => {
      if (!USED.has(event.type)) return;
      const campaignId = (event.data as Doc).campaignId;
      if (typeof campaignId !== 'string' || !campaignId) return;
      await catalogs.apply(campaignId, event.position, (cur) => applyCatalogEvent(cur, event));
    },
  });
}

export async function startCatalogFeed(bus: MessageBus, readStore: ReadStore): Promise<CatalogFeed> {
  let groupId = await feedGroup(readStore, false);
  let consumer = await consume(bus, readStore, groupId);
  let failure: { error: unknown } | undefined;
  const watch = (c: RunningConsumer) => c.done.catch((error) => (failure ??= { error }));
  watch(consumer);
  const caughtUp = async (timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (failure) throw failure.error;
      const lag = await bus.lag(groupId, [...CATALOG_FEED.topics]);
      if (lag === 0) return;
      if (Date.now() > deadline) throw new Error(`the catalog feed is still ${lag} message(s) behind after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  return {
    groupId: () => groupId,
    caughtUp,
    async rebuild() {
      await consumer.stop();
      await readStore.drop([C.catalogs]);
      groupId = await feedGroup(readStore, true);
      failure = undefined;
      consumer = await consume(bus, readStore, groupId);
      watch(consumer);
      await caughtUp();
    },
    stop: () => consumer.stop(),
  };
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
