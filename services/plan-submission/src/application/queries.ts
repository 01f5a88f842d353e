// Queries over the read models, with the same unit scoping as the commands: a
// `unit` user reads its own units' plans and reports; city-wide roles and
// auditors read everything. Overdue answers are computed against `asOf` (a day
// passed in by the caller) because the domain has no clock.
import type { EventStore } from '@wenming/eventstore';
import type { Filter, ReadStore } from '@wenming/readstore';
import {
  canAccessUnit,
  checkId,
  type Json,
  NotFoundError,
  type Principal,
  page,
  requireUnitAccess,
  ValidationError,
} from '@wenming/service-kit';
import { DEFAULT_MONTHLY_REPORT_DUE_DAY } from '../domain/campaign.js';
import { isDate, monthlyReportDueDate, monthOf, monthsBetween, nextMonth } from '../domain/shared.js';
import { C, type Doc } from '../projections/collections.js';
import { streams } from './streams.js';

const strip = ({ _id, _position, ...rest }: Doc) => rest;

export function createQueries(readStore: ReadStore, eventStore: EventStore) {
  const col = (name: string) => readStore.collection<Doc>(name);
  const visible = (principal: Principal, docs: Doc[]) => docs.filter((d) => canAccessUnit(principal, d.unitId, 'read'));

  async function plansFor(principal: Principal, filter: Filter) {
    return visible(principal, await col(C.plans).find(filter, { sort: { planId: 1 } })).map(strip);
  }

  async function reportsDue(principal: Principal, req: Json, asOf: string) {
    const filter: Filter = {};
    if (req.campaignId) filter.campaignId = req.campaignId;
    if (req.unitId) filter.unitId = req.unitId;
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
    const filter: Filter = {};
    if (req.campaignId) filter.campaignId = req.campaignId;
    if (req.unitId) filter.unitId = req.unitId;
    const tasks = visible(principal, await col(C.tasks).find(filter, { sort: { planId: 1, taskId: 1 } }));
    return tasks.map((t) => ({
      ...strip(t),
      overdue: t.deadlineDate !== '' && t.deadlineDate < asOf && t.completion !== 'TASK_COMPLETION_COMPLETED',
    }));
  }

  function asOfOf(req: Json): string {
    if (!isDate(req.asOf)) throw new ValidationError('asOf', 'is the day to compute for, YYYY-MM-DD');
    return req.asOf;
  }

  return {
    async GetCampaign(_principal: Principal, req: Json) {
      const doc = await col(C.campaigns).get(checkId('campaignId', req.campaignId));
      if (!doc) throw new NotFoundError('campaign', req.campaignId);
      return { campaign: strip(doc) };
    },
    async ListCampaigns(_principal: Principal, req: Json) {
      const filter: Filter = req.status && req.status !== 'CAMPAIGN_STATUS_UNSPECIFIED' ? { status: req.status } : {};
      const { items, page: p } = page((await col(C.campaigns).find(filter, { sort: { campaignId: 1 } })).map(strip), req);
      return { campaigns: items, page: p };
    },
    async GetStandardsCatalog(_principal: Principal, req: Json) {
      const doc = await col(C.campaigns).get(checkId('campaignId', req.campaignId));
      if (!doc) throw new NotFoundError('campaign', req.campaignId);
      const version = Number(req.version || 0);
      const catalog = version ? (doc.catalogs as Doc[]).find((c) => c.version === version) : doc.catalog;
      if (!catalog) throw new NotFoundError('catalog version', String(version || 'latest'));
      return { catalog };
    },
    async GetUnit(_principal: Principal, req: Json) {
      const doc = await col(C.units).get(checkId('unitId', req.unitId));
      if (!doc) throw new NotFoundError('unit', req.unitId);
      return { unit: strip(doc) };
    },
    async ListUnits(_principal: Principal, req: Json) {
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
      const doc = await col(C.plans).get(checkId('planId', req.planId));
      if (!doc) throw new NotFoundError('plan', req.planId);
      requireUnitAccess(principal, doc.unitId, 'read');
      return { plan: strip(doc) };
    },
    async ListPlans(principal: Principal, req: Json) {
      const filter: Filter = {};
      if (req.campaignId) filter.campaignId = req.campaignId;
      if (req.unitId) filter.unitId = req.unitId;
      if (req.status && req.status !== 'PLAN_STATUS_UNSPECIFIED') filter.status = req.status;
      const { items, page: p } = page(await plansFor(principal, filter), req);
      return { plans: items, page: p };
    },
    async GetMonthlyTaskReport(principal: Principal, req: Json) {
      const doc = await col(C.monthlyReports).get(String(req.reportId ?? ''));
      if (!doc) throw new NotFoundError('monthly task report', req.reportId);
      requireUnitAccess(principal, doc.unitId, 'read');
      return { report: strip(doc) };
    },
    async ListMonthlyTaskReports(principal: Principal, req: Json) {
      const filter: Filter = {};
      for (const f of ['planId', 'unitId', 'campaignId'] as const) if (req[f]) filter[f] = req[f];
      if (req.fromMonth || req.toMonth)
        filter.month = { ...(req.fromMonth ? { $gte: req.fromMonth } : {}), ...(req.toMonth ? { $lte: req.toMonth } : {}) };
      if (req.lateOnly) filter.late = true;
      const docs = visible(principal, await col(C.monthlyReports).find(filter, { sort: { reportId: 1 } })).map(strip);
      const { items, page: p } = page(docs, req);
      return { reports: items, page: p };
    },
    async ListSummaries(principal: Principal, req: Json) {
      const filter: Filter = {};
      for (const f of ['planId', 'unitId'] as const) if (req[f]) filter[f] = req[f];
      if (req.kind && req.kind !== 'SUMMARY_KIND_UNSPECIFIED') filter.kind = req.kind;
      if (req.year) filter.year = Number(req.year);
      const { items, page: p } = page(visible(principal, await col(C.summaries).find(filter, { sort: { summaryId: 1 } })).map(strip), req);
      return { summaries: items, page: p };
    },
    async ListRules(principal: Principal, req: Json) {
      const filter: Filter = {};
      for (const f of ['planId', 'unitId'] as const) if (req[f]) filter[f] = req[f];
      if (!req.includeRepealed) filter.repealed = false;
      const { items, page: p } = page(visible(principal, await col(C.rules).find(filter, { sort: { ruleId: 1 } })).map(strip), req);
      return { rules: items, page: p };
    },
    async ListReviewQueue(_principal: Principal, req: Json) {
      const filter: Filter = req.campaignId ? { campaignId: req.campaignId } : {};
      const { items, page: p } = page((await col(C.reviewQueue).find(filter, { sort: { submittedAt: 1, planId: 1 } })).map(strip), req);
      return { items, page: p };
    },
    async GetUnitStatus(principal: Principal, req: Json) {
      const unitId = checkId('unitId', req.unitId);
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
    /** Every event of a plan from a revision on (a unit reads only its own). */
    async planHistory(principal: Principal, planId: string, fromRevision: number) {
      checkId('planId', planId);
      const events = [];
      for await (const e of eventStore.readStream(streams.plan(planId), { fromRevision })) events.push(e);
      if (events.length === 0 && fromRevision === 0) throw new NotFoundError('plan', planId);
      const unitId = events[0]?.metadata.unitId;
      if (unitId) requireUnitAccess(principal, unitId, 'read');
      return events;
    },
  };
}

export type Queries = ReturnType<typeof createQueries>;
