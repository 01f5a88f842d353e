// Reads of a unit's history, always from the event store (its unit index), never
// from Kafka or a read model: the timeline, the state as of an instant and the
// difference between two instants, and the integrity of every stream the unit's
// events live in.
import { type EventStore, MAX_EVENT_DEPTH, type RecordedEvent, type VerifyResult } from '@wenming/eventstore';
import { checkId, ID_PATTERN, ValidationError } from '@wenming/service-kit';
import { recordedBy } from '../domain/history-event.js';
import { type BoundedContext, contextOf, summarize } from '../domain/summaries.js';
import { createUnitStateFolder, diffUnitStates, entityPathOf, type StateChange, type UnitState } from '../domain/unit-state.js';

export interface TimelineFilter {
  unitId: string;
  /** Recorded-time range: from inclusive, to exclusive (ISO instants). */
  from?: string;
  to?: string;
  /** Only events recorded by this instant (an as-of view of the history). */
  asOf?: string;
  types?: readonly string[];
  streams?: readonly string[];
  /** Only these contexts (plansubmission, inspection, …). */
  contexts?: readonly string[];
  /**
   * Also the events that list the unit among others (default true). False for a unit
   * user: such an event carries the other units' data (an inspection's totals, its
   * unit list), which a unit may not see (issue 12, item 6).
   */
  withListed?: boolean;
}

export interface TimelineEntry {
  position: number;
  id: string;
  type: string;
  streamId: string;
  revision: number;
  recordedAt: string;
  occurredAt: string;
  actor?: { id: string; role: string };
  context: BoundedContext;
  summary: string;
  event: RecordedEvent;
}

export interface TimelinePage {
  entries: TimelineEntry[];
  /** Pass as `after` for the next page; absent when the history is exhausted. */
  nextCursor?: number;
}

// ─── A unit's events ────────────────────────────────────────────────────────
//
// The store's unit index is single-valued (metadata.unitId). An event about several
// units — InspectionScheduled, CampaignUnitsEnrolled/Withdrawn, a multi-unit
// LookbackReviewOpened, an award cycle — is one decision, stored once in its own
// aggregate's stream, and lists its units in data.unitIds; it has no metadata.unitId.
// Choice (issue 13, item 4): keep the event as one event (splitting it per unit would
// make one decision several, and change every stream's history and hash chain) and
// keep the store's index as it is (a multi-valued index would change three adapters
// and the contract suite); look-back, the one reader of a unit's whole history, also
// follows the events that list the unit. It indexes them in process, by one pass over
// the log that each read continues from where the last stopped (multi-unit events are
// few: a handful per campaign and inspection), and merges them into the unit index's
// events in global order. An inspection's events about no one unit (rescheduled,
// cancelled, completed) concern every unit its InspectionScheduled lists, and are
// followed the same way. An unannounced visit (InspectionScheduled with
// announced: false) is not listed under its units: the unit is not told in advance
// (inspection hides it the same way); its InspectionStarted names the unit when the
// team arrives.

/** The units an event lists in data.unitIds, other than metadata.unitId (which the store indexes). */
function listedUnits(event: RecordedEvent): string[] {
  const d = event.data as { unitIds?: unknown; announced?: unknown } | null;
  if (typeof d !== 'object' || d === null || !Array.isArray(d.unitIds)) return [];
  if (event.type === 'InspectionScheduled' && d.announced === false) return [];
  return d.unitIds.filter((u): u is string => typeof u === 'string' && u !== event.metadata.unitId);
}

interface ListedIndex {
  scanned: number;
  byUnit: Map<string, RecordedEvent[]>;
  /** An announced inspection's units, by its stream: its later events about no one unit concern them all. */
  inspectionUnits: Map<string, string[]>;
  pending: Promise<void>;
}

const listedIndexes = new WeakMap<EventStore, ListedIndex>();

/** The units an event concerns that the store's unit index does not find it under. */
function unitsToList(idx: ListedIndex, e: RecordedEvent): string[] {
  const listed = listedUnits(e);
  if (e.type === 'InspectionScheduled' && listed.length > 0) idx.inspectionUnits.set(e.streamId, listed);
  // InspectionRescheduled, InspectionCancelled, InspectionCompleted: about the whole inspection.
  if (listed.length === 0 && !e.metadata.unitId) return idx.inspectionUnits.get(e.streamId) ?? [];
  return listed;
}

/** The events listing the unit, from a position on; the index first catches up with the log. */
async function listedEvents(store: EventStore, unitId: string, fromPosition: number): Promise<RecordedEvent[]> {
  let index = listedIndexes.get(store);
  if (!index) {
    index = { scanned: 0, byUnit: new Map(), inspectionUnits: new Map(), pending: Promise.resolve() };
    listedIndexes.set(store, index);
  }
  const idx = index;
  // One pass at a time; a failed read fails this caller, and the next one continues from where it stopped.
  const pass = idx.pending.then(async () => {
    for await (const e of store.readAll({ fromPosition: idx.scanned + 1 })) {
      for (const u of new Set(unitsToList(idx, e))) {
        const list = idx.byUnit.get(u);
        if (list) list.push(e);
        else idx.byUnit.set(u, [e]);
      }
      idx.scanned = e.position;
    }
  });
  idx.pending = pass.catch(() => undefined);
  await pass;
  return (idx.byUnit.get(unitId) ?? []).filter((e) => e.position >= fromPosition);
}

/**
 * Every event about the unit in global order: those whose metadata.unitId is the unit
 * (the store's unit index) and those that list it in data.unitIds.
 */
export async function* readUnitHistory(
  store: EventStore,
  unitId: string,
  options: { fromPosition?: number; withListed?: boolean } = {},
): AsyncIterable<RecordedEvent> {
  const listed = options.withListed === false ? [] : await listedEvents(store, unitId, options.fromPosition ?? 0);
  let i = 0;
  for await (const e of store.readUnit(unitId, options)) {
    while (i < listed.length && listed[i]!.position < e.position) yield listed[i++]!;
    yield e;
  }
  while (i < listed.length) yield listed[i++]!;
}

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 500;

export function toEntry(event: RecordedEvent): TimelineEntry {
  return {
    position: event.position,
    id: event.id,
    type: event.type,
    streamId: event.streamId,
    revision: event.revision,
    recordedAt: event.recordedAt,
    occurredAt: event.occurredAt,
    ...(event.metadata.actor ? { actor: event.metadata.actor } : {}),
    context: contextOf(event),
    summary: summarize(event),
    event,
  };
}

/** True when `value` nests objects and arrays deeper than `max` (an explicit stack: any depth is measured safely). */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= max) return true;
    for (const item of Array.isArray(v) ? v : Object.values(v)) stack.push([item, depth + 1]);
  }
  return false;
}

/**
 * The event as a reply may carry it. The store refuses data nested deeper than
 * MAX_EVENT_DEPTH, but events written before it did may hold thousands of levels,
 * which JSON.stringify and protobuf's Struct cannot serialise (the whole timeline
 * answered INTERNAL, issue 12): such data is shown as a note instead. The event
 * stays in the store as written, and the integrity check still covers it.
 */
export function readableEvent(event: RecordedEvent): RecordedEvent {
  if (!nestsDeeperThan(event.data, MAX_EVENT_DEPTH)) return event;
  return {
    ...event,
    data: {
      dataNotShown: `the data nests more than ${MAX_EVENT_DEPTH} levels deep; it is kept in the store and covered by the hash chain`,
    },
  };
}

function instant(field: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new ValidationError(field, `${JSON.stringify(value)} is not an ISO-8601 instant`);
  return ms;
}

/** A predicate over recorded events for the filter (checked once, applied per event). */
export function timelinePredicate(filter: TimelineFilter): (event: RecordedEvent) => boolean {
  const from = instant('from', filter.from);
  const to = instant('to', filter.to);
  const asOf = instant('asOf', filter.asOf);
  const types = filter.types?.length ? new Set(filter.types) : undefined;
  const streams = filter.streams?.length ? new Set(filter.streams) : undefined;
  const contexts = filter.contexts?.length ? new Set(filter.contexts) : undefined;
  if (from === undefined && to === undefined && asOf === undefined && !types && !streams && !contexts) return () => true;
  return (e) => {
    if (types && !types.has(e.type)) return false;
    if (streams && !streams.has(e.streamId)) return false;
    if (contexts && !contexts.has(contextOf(e))) return false;
    if (from !== undefined || to !== undefined || asOf !== undefined) {
      const t = Date.parse(e.recordedAt);
      if (from !== undefined && t < from) return false;
      if (to !== undefined && t >= to) return false;
      if (asOf !== undefined && t > asOf) return false;
    }
    return true;
  };
}

/** Every matching event of the unit after `after` (a global position), in global order. */
export async function* timeline(store: EventStore, filter: TimelineFilter, after = 0): AsyncIterable<TimelineEntry> {
  checkUnitId(filter.unitId);
  const keep = timelinePredicate(filter);
  for await (const event of readUnitHistory(store, filter.unitId, { fromPosition: after + 1, withListed: filter.withListed !== false })) {
    if (keep(event)) yield toEntry(event);
  }
}

/** One page of the timeline; the cursor is the global position of the page's last entry. */
export async function timelinePage(store: EventStore, filter: TimelineFilter, after = 0, limit = DEFAULT_PAGE): Promise<TimelinePage> {
  const size = Math.min(Math.max(1, Math.trunc(limit) || DEFAULT_PAGE), MAX_PAGE);
  const entries: TimelineEntry[] = [];
  let more = false;
  for await (const entry of timeline(store, filter, after)) {
    if (entries.length === size) {
      more = true;
      break;
    }
    entries.push(entry);
  }
  return more ? { entries, nextCursor: entries.at(-1)!.position } : { entries };
}

// ─── As of, and diffs ───────────────────────────────────────────────────────

/** The unit's state from what had been recorded by `asOf` (everything when absent). */
export async function stateAsOf(store: EventStore, unitId: string, asOf?: string, withListed = true): Promise<UnitState> {
  checkUnitId(unitId);
  const asOfMs = instant('asOf', asOf) ?? Number.POSITIVE_INFINITY;
  const folder = createUnitStateFolder(unitId, asOf);
  for await (const event of readUnitHistory(store, unitId, { withListed })) {
    if (recordedBy(event, asOfMs)) folder.add(event);
  }
  return folder.state;
}

export interface StateDiff {
  from: UnitState;
  to: UnitState;
  changes: (StateChange & { causedBy: { eventId: string; streamId: string; revision: number; position: number; type: string }[] })[];
  eventsBetween: number;
}

/** What changed between two instants ("between the appraisal and the look-back"), and which events changed it. */
export async function diffAsOf(store: EventStore, unitId: string, fromAt: string, toAt: string, withListed = true): Promise<StateDiff> {
  checkUnitId(unitId);
  const fromMs = instant('from', fromAt);
  const toMs = instant('to', toAt);
  if (fromMs === undefined) throw new ValidationError('from', 'is required');
  if (toMs === undefined) throw new ValidationError('to', 'is required');
  if (toMs < fromMs) throw new ValidationError('to', 'must not be before from');
  // One read: both folds and the events between them come from the same pass.
  const before = createUnitStateFolder(unitId, fromAt);
  const after = createUnitStateFolder(unitId, toAt);
  const between: RecordedEvent[] = [];
  for await (const event of readUnitHistory(store, unitId, { withListed })) {
    const t = Date.parse(event.recordedAt);
    if (t <= fromMs) before.add(event);
    if (t <= toMs) after.add(event);
    if (t > fromMs && t <= toMs) between.push(event);
  }
  const byEntity = new Map<string, RecordedEvent[]>();
  for (const e of between) {
    const path = entityPathOf(e) ?? `other[${e.type}]`;
    const list = byEntity.get(path);
    if (list) list.push(e);
    else byEntity.set(path, [e]);
  }
  const changes = diffUnitStates(before.state, after.state).map((change) => {
    const entity = change.path.startsWith('unit.') ? 'unit' : change.path.replace(/^([a-zA-Z]+\[[^\]]*\]).*$/, '$1');
    const causedBy = (byEntity.get(entity) ?? []).map((e) => ({
      eventId: e.id,
      streamId: e.streamId,
      revision: e.revision,
      position: e.position,
      type: e.type,
    }));
    return { ...change, causedBy };
  });
  return { from: before.state, to: after.state, changes, eventsBetween: between.length };
}

// ─── Integrity ──────────────────────────────────────────────────────────────

export interface StreamIntegrity {
  streamId: string;
  ok: boolean;
  checked: number;
  lastHash?: string;
  firstBroken?: { revision: number; eventId: string; reason: string; expected: string; actual: string };
}

export interface UnitIntegrity {
  unitId: string;
  intact: boolean;
  streamsChecked: number;
  eventsChecked: number;
  /** Global position of the last of the unit's events when the check ran. */
  asOfPosition: number;
  streams: StreamIntegrity[];
  /** The first broken link, in the order the unit's streams first appear in its history. */
  firstBroken?: StreamIntegrity['firstBroken'] & { streamId: string };
}

/** Verifies the hash chain of every stream holding an event about the unit (whole streams, not only the unit's events). */
export async function verifyUnit(store: EventStore, unitId: string): Promise<UnitIntegrity> {
  checkUnitId(unitId);
  const streams: string[] = [];
  const seen = new Set<string>();
  let asOfPosition = 0;
  for await (const event of readUnitHistory(store, unitId)) {
    asOfPosition = event.position;
    if (!seen.has(event.streamId)) {
      seen.add(event.streamId);
      streams.push(event.streamId);
    }
  }
  const results: StreamIntegrity[] = [];
  for (const streamId of streams) results.push(fromVerify(await store.verify(streamId)));
  const broken = results.find((r) => !r.ok);
  return {
    unitId,
    intact: broken === undefined,
    streamsChecked: results.length,
    eventsChecked: results.reduce((n, r) => n + r.checked, 0),
    asOfPosition,
    streams: results,
    ...(broken?.firstBroken ? { firstBroken: { streamId: broken.streamId, ...broken.firstBroken } } : {}),
  };
}

export async function verifyStream(store: EventStore, streamId: string): Promise<StreamIntegrity> {
  return fromVerify(await store.verify(streamId));
}

function fromVerify(result: VerifyResult): StreamIntegrity {
  return result.ok
    ? { streamId: result.streamId, ok: true, checked: result.checked, lastHash: result.lastHash }
    : { streamId: result.streamId, ok: false, checked: result.checked, firstBroken: result.firstBroken };
}

// ─── Ids ────────────────────────────────────────────────────────────────────

const ID = new RegExp(ID_PATTERN);

/** Every look-back id (unit, review, check, export): 1-100 letters, digits, '_', '.', ':' or '-'. */
export function isId(value: unknown): value is string {
  return typeof value === 'string' && ID.test(value);
}

export { checkId };

export function checkUnitId(unitId: string | undefined): asserts unitId is string {
  checkId('unitId', unitId);
}
