// Queries over the read models, with the same unit scoping as the commands: a unit
// user reads only its own units — and an unannounced inspection only once the team
// has arrived there; city-wide roles and auditors read everything. What a caller may
// not see looks exactly like what does not exist (DESIGN §5): the same NOT_FOUND,
// after the same reads, and no field, count or list of an answer depends on it — an
// inspection shows a unit its own units, their totals and findings only. A 双随机 draw
// is the office's, the inspectors', the supervisors' and the auditors' to read and
// re-run at any time; anyone else with a Wenming role may re-run it once the visits
// it chose are over, never before: the units it names must not learn of the visit.
// A token with no Wenming role reads nothing (PERMISSION_DENIED before any read).
// Due / overdue are computed against the caller's `asOf` day, because the domain
// has no clock.
import type { EventStore, RecordedEvent } from '@wenming/eventstore';
import type { Filter, ReadStore } from '@wenming/readstore';
import {
  canAccessUnit,
  checkId,
  type Json,
  loadState,
  NotFoundError,
  type Principal,
  page,
  ROLES,
  type Role,
  requireRole,
  requireUnitAccess,
  ValidationError,
} from '@wenming/service-kit';
import { isDate } from '../domain/shared.js';
import { drawDecider, verifyDraw } from '../domain/spot-check-draw.js';
import { C, type Doc } from '../projections/collections.js';
import { streams } from './streams.js';

const strip = ({ _id, _position, stage: _s, open: _o, ...rest }: Doc) => rest;
/** The read-model fields of an inspection that are no part of its Inspection message. */
const inspectionMessage = ({
  _id,
  _position,
  cycle: _c,
  vetoes: _v,
  summary: _s,
  report: _r,
  cancelReason: _x,
  findingCounts: _f,
  ...rest
}: Doc) => rest;
/** Those who read and re-run every draw, before and after its visits. */
const DRAW_READERS: readonly Role[] = ['office', 'inspector', 'supervisor', 'auditor'];
/** Every role but `unit` reads every inspection whole. */
const seesEveryUnit = (principal: Principal) => principal.roles.some((r) => r !== 'unit');
const SEVERITY_RANK: Record<string, number> = { SEVERITY_MINOR: 1, SEVERITY_GENERAL: 2, SEVERITY_SERIOUS: 3 };

function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

function dateParam(field: string, value: unknown): string {
  if (!isDate(value)) throw new ValidationError(field, 'must be a calendar day YYYY-MM-DD');
  return value;
}

export function createQueries(readStore: ReadStore, eventStore: EventStore) {
  const col = (name: string) => readStore.collection<Doc>(name);

  /** The inspection's units the caller sees: a unit its own, of an unannounced visit those the team has reached. */
  function visibleUnits(principal: Principal, doc: Doc): string[] {
    return (doc.unitIds as string[]).filter(
      (u) => canAccessUnit(principal, u, 'read') && (doc.announced || seesEveryUnit(principal) || doc.startedUnitIds.includes(u)),
    );
  }

  function inspectionVisible(principal: Principal, doc: Doc): boolean {
    return visibleUnits(principal, doc).length > 0;
  }

  /**
   * The Inspection message as the caller may see it: whole for city-wide roles and
   * auditors; for a unit, only its visible units, their totals and finding count,
   * and no stream revision (which counts every unit's events).
   */
  function inspectionView(principal: Principal, doc: Doc): Doc {
    if (seesEveryUnit(principal)) return inspectionMessage(doc);
    const units = visibleUnits(principal, doc);
    const { revision: _rev, ...view } = inspectionMessage(doc);
    return {
      ...view,
      unitIds: units,
      startedUnitIds: (doc.startedUnitIds as string[]).filter((u) => units.includes(u)),
      totals: (doc.totals as Doc[]).filter((t) => units.includes(t.unitId)),
      findingCount: units.reduce((n, u) => n + (doc.findingCounts?.[u] ?? 0), 0),
    };
  }

  /** An inspection event as the caller may see it (null: not at all); see inspectionView. */
  function eventView(principal: Principal, doc: Doc, e: RecordedEvent): RecordedEvent | null {
    if (seesEveryUnit(principal)) return e;
    const units = visibleUnits(principal, doc);
    if (e.metadata.unitId) return units.includes(e.metadata.unitId) ? e : null;
    const data = e.data as Doc;
    if (e.type === 'InspectionScheduled') return { ...e, data: { ...data, unitIds: units } };
    if (e.type === 'InspectionCompleted')
      return { ...e, data: { ...data, totals: (data.totals as Doc[]).filter((t) => units.includes(t.unitId)) } };
    return e;
  }

  /**
   * Whether the visits a draw chose are over: an inspection was scheduled from it and
   * every one not cancelled has been completed or has reached all its units. Read
   * from the inspections alone, so a hidden draw and a missing one cost the same.
   */
  async function drawVisited(drawId: string): Promise<boolean> {
    const from = (await col(C.inspections).find({ drawId })).filter((i) => i.status !== 'INSPECTION_STATUS_CANCELLED');
    return (
      from.length > 0 &&
      from.every((i) => i.status === 'INSPECTION_STATUS_COMPLETED' || (i.unitIds as string[]).every((u) => i.startedUnitIds.includes(u)))
    );
  }

  async function visibleDraw(principal: Principal, drawId: unknown) {
    const id = checkId('drawId', drawId);
    if (!principal.roles.some((r) => DRAW_READERS.includes(r)) && !(await drawVisited(id))) throw new NotFoundError('draw', String(drawId));
    return recordedDraw(id);
  }

  async function inspectionDoc(principal: Principal, inspectionId: string): Promise<Doc> {
    const doc = await col(C.inspections).get(checkId('inspectionId', inspectionId));
    // Hidden and absent look the same: an unannounced visit is not even confirmed.
    if (!doc || !inspectionVisible(principal, doc)) throw new NotFoundError('inspection', inspectionId);
    return doc;
  }

  async function rectificationDoc(principal: Principal, rectificationId: string): Promise<Doc> {
    const doc = await col(C.rectifications).get(checkId('rectificationId', rectificationId));
    // Another unit's rectification looks exactly like a missing one.
    if (!doc || !canAccessUnit(principal, doc.unitId, 'read')) throw new NotFoundError('rectification', rectificationId);
    return doc;
  }

  async function history(streamId: string, fromRevision: number): Promise<RecordedEvent[]> {
    const out: RecordedEvent[] = [];
    for await (const e of eventStore.readStream(streamId, { fromRevision })) out.push(e);
    return out;
  }

  async function recordedDraw(drawId: unknown) {
    const { state } = await loadState(eventStore, streams.draw(checkId('drawId', drawId)), drawDecider);
    if (state.status === 'none') throw new NotFoundError('draw', String(drawId));
    return state.draw;
  }

  async function listRectifications(principal: Principal, req: Json) {
    const filter: Filter = {};
    if (req.campaignId) filter.campaignId = req.campaignId;
    if (req.unitId) {
      requireUnitAccess(principal, req.unitId, 'read');
      filter.unitId = req.unitId;
    }
    if (req.criterionId) filter.criterionId = req.criterionId;
    if (req.severity && req.severity !== 'SEVERITY_UNSPECIFIED') filter.severity = req.severity;
    if (req.statuses?.length) filter.status = { $in: req.statuses };
    if (req.openOnly) filter.open = true;
    if (req.publicConcernOnly) filter.publicConcern = true;
    const range: { $lte?: string; $gte?: string; $lt?: string } = {};
    if (req.dueOnOrBeforeDate) range.$lte = dateParam('dueOnOrBeforeDate', req.dueOnOrBeforeDate);
    if (req.dueOnOrAfterDate) range.$gte = dateParam('dueOnOrAfterDate', req.dueOnOrAfterDate);
    if (req.overdueAsOfDate) {
      range.$lt = dateParam('overdueAsOfDate', req.overdueAsOfDate);
      filter.open = true;
    }
    if (Object.keys(range).length) filter.deadlineDate = range;
    const docs = (await col(C.rectifications).find(filter, { sort: { deadlineDate: 1 } })).filter((d) =>
      canAccessUnit(principal, d.unitId, 'read'),
    );
    const { items, page: info } = page(docs.map(strip), req);
    return { rectifications: items, page: info };
  }

  return readers({
    async GetInspection(principal: Principal, req: Json) {
      return { inspection: inspectionView(principal, await inspectionDoc(principal, req.inspectionId)) };
    },
    async ListInspections(principal: Principal, req: Json) {
      const filter: Filter = {};
      if (req.campaignId) filter.campaignId = req.campaignId;
      if (req.kind && req.kind !== 'INSPECTION_KIND_UNSPECIFIED') filter.kind = req.kind;
      if (req.status && req.status !== 'INSPECTION_STATUS_UNSPECIFIED') filter.status = req.status;
      if (req.unitId) requireUnitAccess(principal, req.unitId, 'read');
      // Filtered on each inspection as the caller sees it, before paging, so neither
      // the page nor its token counts what is hidden.
      let docs = (await col(C.inspections).find(filter, { sort: { 'plannedDates.startDate': 1 } }))
        .filter((d) => inspectionVisible(principal, d))
        .map((d) => inspectionView(principal, d));
      if (req.unitId) docs = docs.filter((d) => d.unitIds.includes(req.unitId));
      if (req.dates?.startDate) docs = docs.filter((d) => d.plannedDates.endDate >= req.dates.startDate);
      if (req.dates?.endDate) docs = docs.filter((d) => d.plannedDates.startDate <= req.dates.endDate);
      const { items, page: info } = page(docs, req);
      return { inspections: items, page: info };
    },
    /** The inspection's report (HTTP): what was found, scored and concluded, unit by unit. */
    async GetInspectionReport(principal: Principal, req: Json) {
      const doc = await inspectionDoc(principal, req.inspectionId);
      const units = visibleUnits(principal, doc);
      const findings = (await col(C.findings).find({ inspectionId: doc.inspectionId }, { sort: { recordedAt: 1 } })).filter(
        (f) => units.includes(f.unitId) && !f.withdrawn,
      );
      const scores = (await col(C.scores).find({ inspectionId: doc.inspectionId }, { sort: { criterionId: 1 } })).filter((s) =>
        units.includes(s.unitId),
      );
      return {
        inspectionId: doc.inspectionId,
        title: doc.title,
        kind: doc.kind,
        status: doc.status,
        summary: doc.summary ?? '',
        report: doc.report ?? [],
        completedAt: doc.completedAt ?? '',
        units: units.map((unitId) => ({
          unitId,
          findings: findings.filter((f) => f.unitId === unitId).map(strip),
          scores: scores.filter((s) => s.unitId === unitId).map((s) => s.score),
          total: doc.totals.find((t: Doc) => t.unitId === unitId) ?? null,
          vetoes: doc.vetoes.filter((v: Doc) => v.unitId === unitId),
        })),
      };
    },
    async GetDraw(principal: Principal, req: Json) {
      return { draw: await visibleDraw(principal, req.drawId) };
    },
    async VerifyDraw(principal: Principal, req: Json) {
      const v = verifyDraw(await visibleDraw(principal, req.drawId));
      return {
        matches: v.matches,
        recomputedUnitIds: v.recomputed.drawnUnitIds,
        recomputedAssignments: v.recomputed.assignments,
        difference: v.difference,
      };
    },
    async ListFindings(principal: Principal, req: Json) {
      const filter: Filter = {};
      if (req.campaignId) filter.campaignId = req.campaignId;
      if (req.inspectionId) filter.inspectionId = req.inspectionId;
      if (req.unitId) {
        requireUnitAccess(principal, req.unitId, 'read');
        filter.unitId = req.unitId;
      }
      if (req.criterionId) filter.criterionId = req.criterionId;
      if (req.publicConcernOnly) filter.publicConcern = true;
      if (!req.includeWithdrawn) filter.withdrawn = false;
      const min = SEVERITY_RANK[req.minSeverity] ?? 0;
      const visible = new Map<string, string[]>();
      const out: Doc[] = [];
      for (const f of await col(C.findings).find(filter, { sort: { recordedAt: 1 } })) {
        if ((SEVERITY_RANK[f.severity] ?? 0) < min || !canAccessUnit(principal, f.unitId, 'read')) continue;
        if (!visible.has(f.inspectionId)) {
          const doc = await col(C.inspections).get(f.inspectionId);
          visible.set(f.inspectionId, doc ? visibleUnits(principal, doc) : []);
        }
        if (visible.get(f.inspectionId)?.includes(f.unitId)) out.push(strip(f));
      }
      const { items, page: info } = page(out, req);
      return { findings: items, page: info };
    },
    async GetRectification(principal: Principal, req: Json) {
      return { rectification: strip(await rectificationDoc(principal, req.rectificationId)) };
    },
    ListRectifications: listRectifications,
    /** Open rectifications due within `days` of `asOf` (HTTP). */
    async ListDueRectifications(principal: Principal, req: Json) {
      const asOf = dateParam('asOf', req.asOf);
      const days = Number(req.days ?? 7);
      if (!Number.isInteger(days) || days < 0 || days > 366) throw new ValidationError('days', 'is 0 to 366');
      return listRectifications(principal, { ...req, openOnly: true, dueOnOrAfterDate: asOf, dueOnOrBeforeDate: addDays(asOf, days) });
    },
    /** Open rectifications whose deadline in force is before `asOf` (HTTP). */
    async ListOverdueRectifications(principal: Principal, req: Json) {
      return listRectifications(principal, { ...req, overdueAsOfDate: dateParam('asOf', req.asOf) });
    },
    /** Counts by severity or criterion, open and closed apart, not rectifiable apart (HTTP). */
    async CountRectifications(principal: Principal, req: Json) {
      const by = req.by === 'criterion' ? 'criterionId' : 'severity';
      const { rectifications } = await listRectifications(principal, { ...req, page: { pageSize: 1000 } });
      const groups: Record<string, { key: string; open: number; solved: number; notRectifiable: number; verified: number }> = {};
      for (const r of rectifications) {
        const key = String(r[by]);
        groups[key] ??= { key, open: 0, solved: 0, notRectifiable: 0, verified: 0 };
        const g = groups[key];
        if (r.status === 'RECTIFICATION_STATUS_CLOSED') g.solved++;
        else if (r.status === 'RECTIFICATION_STATUS_CLOSED_NOT_RECTIFIABLE') g.notRectifiable++;
        else if (r.status === 'RECTIFICATION_STATUS_VERIFIED') g.verified++;
        else g.open++;
      }
      return { by, groups: Object.values(groups).sort((a, b) => (a.key < b.key ? -1 : 1)) };
    },
    /** A rectification's full step list, with who and when (HTTP; gRPC streams them). */
    async ListRectificationSteps(principal: Principal, req: Json) {
      const doc = await rectificationDoc(principal, req.rectificationId);
      const steps = await col(C.steps).find({ rectificationId: doc.rectificationId }, { sort: { revision: 1 } });
      return { steps: steps.map(strip) };
    },
    async GetUnitScores(principal: Principal, req: Json) {
      const unitId = checkId('unitId', req.unitId);
      requireUnitAccess(principal, unitId, 'read');
      const filter: Filter = { unitId };
      if (req.campaignId) filter.campaignId = req.campaignId;
      if (req.inspectionId) filter.inspectionId = req.inspectionId;
      if (req.cycle) filter.cycle = String(req.cycle);
      // The latest score of each criterion (by when it was scored) unless one inspection is named.
      const latest = new Map<string, Doc>();
      for (const s of await col(C.scores).find(filter, { sort: { scoredAt: 1 } })) latest.set(s.criterionId, s);
      const scores = [...latest.values()].sort((a, b) => (a.criterionId < b.criterionId ? -1 : 1)).map((s) => s.score);
      const sum = (f: (s: Doc) => number) => scores.reduce((n, s) => n + f(s), 0);
      return {
        scores,
        total: { hundredths: sum((s) => s.points?.hundredths ?? 0) },
        maxTotal: { hundredths: sum((s) => s.maxPoints?.hundredths ?? 0) },
      };
    },
    async rectificationHistory(principal: Principal, rectificationId: string, fromRevision: number) {
      // One read of the whole stream: its RectificationOrdered names the unit whose access is checked.
      const events = await history(streams.rectification(checkId('rectificationId', rectificationId)), 0);
      const unitId = (events.find((e) => e.type === 'RectificationOrdered')?.data as Doc | undefined)?.unitId;
      // Another unit's rectification looks exactly like a missing one.
      if (!unitId || !canAccessUnit(principal, unitId, 'read')) throw new NotFoundError('rectification', rectificationId);
      return events.filter((e) => e.revision >= fromRevision);
    },
    async inspectionHistory(principal: Principal, inspectionId: string, fromRevision: number) {
      const doc = await inspectionDoc(principal, inspectionId);
      const events = await history(streams.inspection(inspectionId), fromRevision);
      // A unit sees only what concerns the units it may see there.
      return events.map((e) => eventView(principal, doc, e)).filter((e): e is RecordedEvent => e !== null);
    },
  });
}

/** Every query refuses a caller with no Wenming role before it reads anything. */
function readers<Q extends Record<string, (principal: Principal, ...rest: never[]) => unknown>>(queries: Q): Q {
  const guarded: Record<string, unknown> = {};
  for (const [name, query] of Object.entries(queries)) {
    guarded[name] = async (principal: Principal, ...rest: never[]) => {
      requireRole(principal, ...ROLES);
      return query(principal, ...rest);
    };
  }
  return guarded as Q;
}

export type Queries = ReturnType<typeof createQueries>;
