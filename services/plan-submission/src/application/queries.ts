// Queries over the read models, with the same unit scoping as the commands: a
// `unit` user reads its own units' plans and reports; city-wide roles and
// auditors read everything; a token with no Wenming role reads nothing. The caller
// is checked before anything is read (DESIGN §5), a unit's listings are filtered in
// the query itself (so counts and pages are of what it may see), and another unit's
// plan, report or history is answered exactly as one that does not exist. Overdue
// answers are computed against `asOf` (a day passed in by the caller) because the
// domain has no clock.
import type { EventStore, RecordedEvent } from '@wenming/eventstore';
import type { Filter, ReadStore } from '@wenming/readstore';
import {
  canAccessUnit,
  checkId,
  type Json,
  NotFoundError,
  type Principal,
  page,
  ROLES,
  type Role,
  requireRole,
  requireUnitAccess,
} from '@wenming/service-kit';
import { DEFAULT_MONTHLY_REPORT_DUE_DAY } from '../domain/campaign.js';
import { monthlyReportDueDate, monthOf, monthsBetween, nextMonth, requireDate } from '../domain/shared.js';
import { C, type Doc } from '../projections/collections.js';
import { streams } from './streams.js';

const strip = ({ _id, _position, ...rest }: Doc) => rest;

/** The review queue is the office's work list; auditors read everything (DESIGN §1, §5). */
const QUEUE_READERS: Role[] = ['office', 'auditor'];

/** Any Wenming role reads the city-wide documents (campaigns, the unit tree); a token with none reads nothing. */
function requireReader(principal: Principal): void {
  requireRole(principal, ...ROLES);
}

/**
 * The unit scope of a listing, as a filter: nothing for a caller who reads every unit,
 * the caller's own units otherwise (intersected with the unit the request asks for).
 */
function unitScope(principal: Principal, requested: unknown): Filter {
  requireReader(principal);
  if (readsEveryUnit(principal)) return requested ? { unitId: requested as string } : {};
  const own = requested ? principal.units.filter((u) => u === requested) : [...principal.units];
  return { unitId: { $in: own } };
}

/** City-wide roles and auditors read every unit; a `unit` user only its own. */
function readsEveryUnit(principal: Principal): boolean {
  return principal.roles.some((r) => r !== 'unit');
}

export function createQueries(readStore: ReadStore, eventStore: EventStore) {
  const col = (name: string) => readStore.collection<Doc>(name);
  const visible = (principal: Principal, docs: Doc[]) => docs.filter((d) => canAccessUnit(principal, d.unitId, 'read'));

  async function plansFor(principal: Principal, filter: Filter) {
    return visible(principal, await col(C.plans).find(filter, { sort: { planId: 1 } })).map(strip);
  }

  /** A document of a unit the caller reads, or NotFound exactly as for one that does not exist. */
  function readable(principal: Principal, doc: Doc | null | undefined, what: string, id: string): Doc {
    if (!doc || !canAccessUnit(principal, doc.unitId, 'read')) throw new NotFoundError(what, id);
    return doc;
  }

  async function reportsDue(principal: Principal, req: Json, asOf: string) {
    const filter: Filter = unitScope(principal, req.unitId);
    if (req.campaignId) filter.campaignId = req.campaignId;
    const plans = visible(principal, await col(C.taskPlans).find({ ...filter, approved: true }, { sort: { planId: 1 } }));
    const out: Doc[] = [];
    for (const plan of plans) {
      const campaign = await col(C.campaigns).get(plan.campaignId);
      if (!campaign || !plan.approvedOn) continue;
      const dueDay = campaign.monthlyReportDueDay || DEFAULT_MONTHLY_REPORT_DUE_DAY;
      const lastMonth = [monthOf(asOf), campaign.period?.endDate ? monthOf(campaign.period.endDate) : monthOf(asOf)].sort()[0]!;
      for (const month of monthsBetween(monthOf(plan.approvedOn), lastMonth)) {
        const dueDate = monthlyReportDueDate(month, dueDay);
        if (nextMonth(month) > monthOf(asOf)) continue;
        const report = await col(C.monthlyReports).get(`${plan.planId}-${month}`);
        const submittedBy = report && report.submittedOn <= asOf;
        if (!submittedBy && dueDate >= asOf) continue;
        out.push({
          planId: plan.planId,
          unitId: plan.unitId,
          campaignId: plan.campaignId,
          month,
          dueDate,
          submitted: Boolean(submittedBy),
          late: submittedBy ? Boolean(report!.late) : dueDate < asOf,
          reportId: submittedBy ? report!.reportId : '',
        });
      }
    }
    return out;
  }

  async function taskStatuses(principal: Principal, req: Json, asOf: string) {
    const filter: Filter = unitScope(principal, req.unitId);
    if (req.campaignId) filter.campaignId = req.campaignId;
    const tasks = visible(principal, await col(C.tasks).find(filter, { sort: { planId: 1, taskId: 1 } }));
    return tasks.map((t) => ({
      ...strip(t),
      overdue: t.deadlineDate !== '' && t.deadlineDate < asOf && t.completion !== 'TASK_COMPLETION_COMPLETED',
    }));
  }

  /** A day in the sane window: the overdue queries walk months up to it. */
  function asOfOf(req: Json): string {
    return requireDate('asOf', req.asOf);
  }

  /**
   * May the caller read this plan's history? Decided before any of the history is
   * read and before a `follow` waits: the plan's first event names its unit, and
   * another unit's plan fails at once with the NOT_FOUND a plan that does not exist
   * gets, so neither the answer nor its timing depends on that plan.
   */
  async function authorizePlanHistory(principal: Principal, request: { planId?: string }): Promise<void> {
    requireReader(principal);
    const planId = checkId('planId', request.planId);
    let first: RecordedEvent | undefined;
    for await (const e of eventStore.readStream(streams.plan(planId), { maxCount: 1 })) first = e;
    const unitId = first?.metadata.unitId;
    if (!unitId || !canAccessUnit(principal, unitId, 'read')) throw new NotFoundError('plan', planId);
  }

  return {
    async GetCampaign(principal: Principal, req: Json) {
      requireReader(principal);
      const doc = await col(C.campaigns).get(checkId('campaignId', req.campaignId));
      if (!doc) throw new NotFoundError('campaign', req.campaignId);
      return { campaign: strip(doc) };
    },
    async ListCampaigns(principal: Principal, req: Json) {
      requireReader(principal);
      const filter: Filter = req.status && req.status !== 'CAMPAIGN_STATUS_UNSPECIFIED' ? { status: req.status } : {};
      const { items, page: p } = page((await col(C.campaigns).find(filter, { sort: { campaignId: 1 } })).map(strip), req);
      return { campaigns: items, page: p };
    },
    async GetStandardsCatalog(principal: Principal, req: Json) {
      requireReader(principal);
      const doc = await col(C.campaigns).get(checkId('campaignId', req.campaignId));
      if (!doc) throw new NotFoundError('campaign', req.campaignId);
      const version = Number(req.version || 0);
      const catalog = version ? (doc.catalogs as Doc[]).find((c) => c.version === version) : doc.catalog;
      if (!catalog) throw new NotFoundError('catalog version', String(version || 'latest'));
      return { catalog };
    },
    async GetUnit(principal: Principal, req: Json) {
      requireReader(principal);
      const doc = await col(C.units).get(checkId('unitId', req.unitId));
      if (!doc) throw new NotFoundError('unit', req.unitId);
      return { unit: strip(doc) };
    },
    async ListUnits(principal: Principal, req: Json) {
      requireReader(principal);
      let units: Doc[];
      if (req.parentUnitId) {
        units = [];
        let frontier = [String(req.parentUnitId)];
        while (frontier.length > 0) {
          const children = await col(C.units).find({ parentUnitId: { $in: frontier } }, { sort: { unitId: 1 } });
          units.push(...children);
          frontier = req.recursive ? children.map((c) => c.unitId) : [];
        }
      } else {
        units = await col(C.units).find({}, { sort: { unitId: 1 } });
      }
      units = units.filter(
        (u) =>
          (req.includeDissolved || !u.dissolved) &&
          (!req.kind || req.kind === 'UNIT_KIND_UNSPECIFIED' || u.kind === req.kind) &&
          (!req.campaignId || (u.campaignIds as string[]).includes(req.campaignId)),
      );
      const { items, page: p } = page(units.map(strip), req);
      return { units: items, page: p };
    },
    async GetPlan(principal: Principal, req: Json) {
      requireReader(principal);
      const planId = checkId('planId', req.planId);
      return { plan: strip(readable(principal, await col(C.plans).get(planId), 'plan', planId)) };
    },
    async ListPlans(principal: Principal, req: Json) {
      const filter: Filter = unitScope(principal, req.unitId);
      if (req.campaignId) filter.campaignId = req.campaignId;
      if (req.status && req.status !== 'PLAN_STATUS_UNSPECIFIED') filter.status = req.status;
      const { items, page: p } = page(await plansFor(principal, filter), req);
      return { plans: items, page: p };
    },
    async GetMonthlyTaskReport(principal: Principal, req: Json) {
      requireReader(principal);
      const reportId = checkId('reportId', req.reportId);
      return { report: strip(readable(principal, await col(C.monthlyReports).get(reportId), 'monthly task report', reportId)) };
    },
    async ListMonthlyTaskReports(principal: Principal, req: Json) {
      const filter: Filter = unitScope(principal, req.unitId);
      for (const f of ['planId', 'campaignId'] as const) if (req[f]) filter[f] = req[f];
      if (req.fromMonth || req.toMonth)
        filter.month = { ...(req.fromMonth ? { $gte: req.fromMonth } : {}), ...(req.toMonth ? { $lte: req.toMonth } : {}) };
      if (req.lateOnly) filter.late = true;
      const docs = visible(principal, await col(C.monthlyReports).find(filter, { sort: { reportId: 1 } })).map(strip);
      const { items, page: p } = page(docs, req);
      return { reports: items, page: p };
    },
    async ListSummaries(principal: Principal, req: Json) {
      const filter: Filter = unitScope(principal, req.unitId);
      if (req.planId) filter.planId = req.planId;
      if (req.kind && req.kind !== 'SUMMARY_KIND_UNSPECIFIED') filter.kind = req.kind;
      if (req.year) filter.year = Number(req.year);
      const { items, page: p } = page(visible(principal, await col(C.summaries).find(filter, { sort: { summaryId: 1 } })).map(strip), req);
      return { summaries: items, page: p };
    },
    async ListRules(principal: Principal, req: Json) {
      const filter: Filter = unitScope(principal, req.unitId);
      if (req.planId) filter.planId = req.planId;
      if (!req.includeRepealed) filter.repealed = false;
      const { items, page: p } = page(visible(principal, await col(C.rules).find(filter, { sort: { ruleId: 1 } })).map(strip), req);
      return { rules: items, page: p };
    },
    async ListReviewQueue(principal: Principal, req: Json) {
      requireRole(principal, ...QUEUE_READERS);
      const filter: Filter = req.campaignId ? { campaignId: req.campaignId } : {};
      const { items, page: p } = page((await col(C.reviewQueue).find(filter, { sort: { submittedAt: 1, planId: 1 } })).map(strip), req);
      return { items, page: p };
    },
    async GetUnitStatus(principal: Principal, req: Json) {
      const unitId = checkId('unitId', req.unitId);
      // Decided from the request's unit id alone, before anything is read.
      requireUnitAccess(principal, unitId, 'read');
      const asOf = asOfOf(req);
      const scoped = { unitId, ...(req.campaignId ? { campaignId: req.campaignId } : {}) };
      return {
        plans: await plansFor(principal, scoped),
        tasks: await taskStatuses(principal, scoped, asOf),
        reportsDue: (await reportsDue(principal, scoped, asOf)).filter((r) => !r.submitted || r.late),
      };
    },
    async ListOverdueTasks(principal: Principal, req: Json) {
      return { tasks: (await taskStatuses(principal, req, asOfOf(req))).filter((t) => t.overdue) };
    },
    async ListOverdueMonthlyReports(principal: Principal, req: Json) {
      const due = (await reportsDue(principal, req, asOfOf(req))).filter((r) => !r.submitted || r.late);
      return { reports: [...due.filter((r) => !r.submitted), ...due.filter((r) => r.submitted)] };
    },
    authorizePlanHistory,
    /**
     * Every event of a plan from a revision on. The history stream calls
     * authorizePlanHistory once, before its first read or wait: the plan's unit never
     * changes, so a follow's later reads need no second look.
     */
    async planHistory(planId: string, fromRevision: number) {
      const events = [];
      for await (const e of eventStore.readStream(streams.plan(planId), { fromRevision })) events.push(e);
      return events;
    },
  };
}

export type Queries = ReturnType<typeof createQueries>;
