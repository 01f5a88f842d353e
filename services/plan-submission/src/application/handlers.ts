// Command handlers: authorise (role and unit scope), read what the decision needs
// from other aggregates, then handleCommand on the aggregate's stream with the
// caller's idempotency key. Requests arrive as proto3 JSON of the gRPC request
// messages (both edges speak it), so HTTP and gRPC run exactly the same code.
import { createHash } from 'node:crypto';
import type { EventStore } from '@wenming/eventstore';
import {
  checkId,
  ForbiddenTransitionError,
  type Json,
  loadState,
  NotFoundError,
  type Principal,
  type Role,
  commandReply as reply,
  requestCommandRunner,
  requireRole,
  requireUnitAccess,
  ValidationError,
} from '@wenming/service-kit';
import { type CampaignPhase, type CampaignState, campaignDecider, type PhaseSchedule } from '../domain/campaign.js';
import type { AwardRules, StandardsCatalog } from '../domain/catalog.js';
import { type PlanCommand, type PlanContent, type PlanState, planDecider, planStateName } from '../domain/plan.js';
import { type RuleChange, ruleDecider } from '../domain/rule.js';
import { type EvidenceRef, monthlyReportDueDate, type Person, type ReviewComment } from '../domain/shared.js';
import { type SummaryKind, summaryDecider, summaryId } from '../domain/summary.js';
import { type ReportVerdict, type TaskReportCommand, type TaskReportItem, taskReportDecider } from '../domain/task-report.js';
import { type UnitKind, type UnitState, unitDecider } from '../domain/unit.js';
import { streams } from './streams.js';

export interface ApplicationOptions {
  store: EventStore;
  /** Business time of commands (submission days, lateness); injected so the demo and tests pin it. */
  now?: () => Date;
  /** New ids when the caller leaves one empty. */
  newId?: () => string;
}

const REVIEWERS: Role[] = ['office'];
const UNIT_ADMINS: Role[] = ['office', 'admin'];

type Plan = Exclude<PlanState, { status: 'none' }>;

function key(req: Json): string {
  return String(req.idempotencyKey ?? '');
}

function sha256(content: unknown): string {
  return createHash('sha256').update(canonical(content)).digest('hex');
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Json)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function createApplication(options: ApplicationOptions) {
  const { store } = options;
  const now = options.now ?? (() => new Date());
  const newId = options.newId ?? (() => crypto.randomUUID());
  const today = () => now().toISOString().slice(0, 10);

  const run = requestCommandRunner(store, now);

  async function campaign(campaignId: string): Promise<Exclude<CampaignState, { status: 'none' }>> {
    const { state } = await loadState(store, streams.campaign(checkId('campaignId', campaignId)), campaignDecider);
    if (state.status === 'none') throw new NotFoundError('campaign', campaignId);
    return state;
  }

  async function unit(unitId: string): Promise<UnitState> {
    return (await loadState(store, streams.unit(checkId('unitId', unitId)), unitDecider)).state;
  }

  async function parentInfo(parentUnitId: string | undefined) {
    if (!parentUnitId) return {};
    const parent = await unit(parentUnitId);
    if (parent.status === 'none') throw new ValidationError('parentUnitId', `unit ${parentUnitId} is not registered`);
    return { parentKind: parent.kind, parentDissolved: parent.status === 'dissolved' };
  }

  async function isDescendant(candidate: string, ancestor: string): Promise<boolean> {
    let current: string | undefined = candidate;
    for (let depth = 0; current && depth < 20; depth++) {
      if (current === ancestor) return true;
      const s = await unit(current);
      current = s.status === 'none' ? undefined : s.parentUnitId;
    }
    return false;
  }

  async function plan(planId: string): Promise<Plan> {
    const { state } = await loadState(store, streams.plan(checkId('planId', planId)), planDecider);
    if (state.status === 'none') throw new NotFoundError('plan', planId);
    return state;
  }

  /** The unit may act for its own plan only; and only role `unit` writes plans. */
  function asUnit(principal: Principal, unitId: string) {
    requireRole(principal, 'unit');
    requireUnitAccess(principal, unitId);
  }

  function taskIdsInForce(p: Plan): string[] {
    return (p.approvedContent?.tasks ?? []).map((t) => t.taskId ?? '').filter(Boolean);
  }

  const unitCmd = async (principal: Principal, req: Json, command: Parameters<typeof unitDecider.decide>[0], roles = UNIT_ADMINS) => {
    const unitId = checkId('unitId', req.unitId);
    requireRole(principal, ...roles);
    if (roles.includes('unit')) requireUnitAccess(principal, unitId);
    const r = await run({ principal, roles, streamId: streams.unit(unitId), decider: unitDecider, command, req, unitId });
    return reply(r);
  };

  /** Runs a command on the plan's stream; its events concern the plan's unit and campaign. */
  const onPlan = (principal: Principal, roles: readonly Role[], p: Plan, req: Json, command: PlanCommand) =>
    run({
      principal,
      roles,
      streamId: streams.plan(p.planId),
      decider: planDecider,
      req,
      unitId: p.unitId,
      campaignId: p.campaignId,
      command,
    });

  /** Runs a command on the plan's monthly report for `month`. */
  const onReport = (principal: Principal, roles: readonly Role[], p: Plan, month: string, req: Json, command: TaskReportCommand) =>
    run({
      principal,
      roles,
      streamId: streams.taskReport(p.planId, month),
      decider: taskReportDecider,
      req,
      unitId: p.unitId,
      campaignId: p.campaignId,
      command,
    });

  const campaignCmd = async (principal: Principal, req: Json, command: Parameters<typeof campaignDecider.decide>[0]) => {
    requireRole(principal, ...REVIEWERS);
    const campaignId = checkId('campaignId', req.campaignId);
    const r = await run({
      principal,
      roles: REVIEWERS,
      streamId: streams.campaign(campaignId),
      decider: campaignDecider,
      command,
      req,
      campaignId,
    });
    return reply(r);
  };

  return {
    // ── Campaigns ──
    async DefineCampaign(principal: Principal, req: Json) {
      requireRole(principal, ...REVIEWERS);
      const campaignId = checkId('campaignId', req.campaignId || newId());
      const r = await run({
        principal,
        roles: REVIEWERS,
        streamId: streams.campaign(campaignId),
        decider: campaignDecider,
        req,
        campaignId,
        command: {
          type: 'DefineCampaign',
          data: {
            campaignId,
            title: req.title ?? '',
            ...(req.description ? { description: req.description } : {}),
            period: req.period ?? {},
            phases: (req.phases ?? []) as PhaseSchedule[],
            ...(req.organizerUnitId ? { organizerUnitId: req.organizerUnitId } : {}),
            ...(req.documents?.length ? { documents: req.documents as EvidenceRef[] } : {}),
            ...(req.planSubmissionDeadline ? { planSubmissionDeadline: req.planSubmissionDeadline } : {}),
            monthlyReportDueDay: req.monthlyReportDueDay ?? 0,
            ...(req.template ? { template: req.template } : {}),
          },
        },
      });
      return reply(r, { campaignId });
    },
    async EnrollCampaignUnits(principal: Principal, req: Json) {
      const unitIds = (req.unitIds ?? []) as string[];
      for (const [i, id] of unitIds.entries()) {
        const u = await unit(id);
        if (u.status !== 'active')
          throw new ValidationError(`unitIds[${i}]`, `unit ${id} is ${u.status === 'none' ? 'not registered' : 'dissolved'}`);
      }
      return campaignCmd(principal, req, { type: 'EnrollCampaignUnits', data: { unitIds } });
    },
    WithdrawCampaignUnits: (principal: Principal, req: Json) =>
      campaignCmd(principal, req, { type: 'WithdrawCampaignUnits', data: { unitIds: req.unitIds ?? [], reason: req.reason } }),
    RescheduleCampaignPhases: (principal: Principal, req: Json) =>
      campaignCmd(principal, req, { type: 'RescheduleCampaignPhases', data: { phases: req.phases ?? [], reason: req.reason } }),
    StartCampaignPhase: (principal: Principal, req: Json) =>
      campaignCmd(principal, req, { type: 'StartCampaignPhase', data: { phase: phaseOf(req.phase) } }),
    CompleteCampaignPhase: (principal: Principal, req: Json) =>
      campaignCmd(principal, req, { type: 'CompleteCampaignPhase', data: { phase: phaseOf(req.phase), summary: req.summary } }),
    PublishStandardsCatalog: (principal: Principal, req: Json) =>
      campaignCmd(principal, req, {
        type: 'PublishStandardsCatalog',
        data: { catalog: (req.catalog ?? {}) as StandardsCatalog, reason: req.reason },
      }),
    DefineAwardRules: (principal: Principal, req: Json) =>
      campaignCmd(principal, req, { type: 'DefineAwardRules', data: { rules: (req.rules ?? {}) as AwardRules, reason: req.reason } }),
    CloseCampaign: (principal: Principal, req: Json) =>
      campaignCmd(principal, req, { type: 'CloseCampaign', data: { summary: req.summary } }),

    // ── Units ──
    async RegisterUnit(principal: Principal, req: Json) {
      requireRole(principal, ...UNIT_ADMINS);
      const unitId = checkId('unitId', req.unitId || newId());
      const r = await run({
        principal,
        roles: UNIT_ADMINS,
        streamId: streams.unit(unitId),
        decider: unitDecider,
        req,
        unitId,
        command: {
          type: 'RegisterUnit',
          data: {
            unitId,
            name: req.name ?? '',
            kind: req.kind as UnitKind,
            ...(req.parentUnitId ? { parentUnitId: req.parentUnitId } : {}),
            ...(req.unifiedSocialCreditCode ? { unifiedSocialCreditCode: req.unifiedSocialCreditCode } : {}),
            ...(req.code ? { code: req.code } : {}),
            ...(await parentInfo(req.parentUnitId)),
          },
        },
      });
      return reply(r, { unitId });
    },
    async ChangeUnitDetails(principal: Principal, req: Json) {
      const current = await unit(req.unitId);
      const parent = current.status === 'none' ? {} : await parentInfo(current.parentUnitId);
      return unitCmd(principal, req, {
        type: 'ChangeUnitDetails',
        data: {
          name: req.name ?? '',
          kind: req.kind as UnitKind,
          ...(req.unifiedSocialCreditCode ? { unifiedSocialCreditCode: req.unifiedSocialCreditCode } : {}),
          ...(req.code ? { code: req.code } : {}),
          ...(req.reason ? { reason: req.reason } : {}),
          ...parent,
        },
      });
    },
    async MoveUnit(principal: Principal, req: Json) {
      const to = checkId('toParentUnitId', req.toParentUnitId);
      return unitCmd(principal, req, {
        type: 'MoveUnit',
        data: {
          toParentUnitId: to,
          reason: req.reason,
          isDescendant: await isDescendant(to, String(req.unitId)),
          ...(await parentInfo(to)),
        },
      });
    },
    NameFirstResponsiblePerson: (principal: Principal, req: Json) =>
      unitCmd(principal, req, { type: 'NameFirstResponsiblePerson', data: { person: (req.person ?? {}) as Person } }, [
        ...UNIT_ADMINS,
        'unit',
      ]),
    DesignateUnitCampaignOffice: (principal: Principal, req: Json) =>
      unitCmd(
        principal,
        req,
        { type: 'DesignateUnitCampaignOffice', data: { officeName: req.officeName ?? '', contact: (req.contact ?? {}) as Person } },
        [...UNIT_ADMINS, 'unit'],
      ),
    DissolveUnit: (principal: Principal, req: Json) =>
      unitCmd(principal, req, { type: 'DissolveUnit', data: { successorUnitId: req.successorUnitId, reason: req.reason } }),

    // ── Plans ──
    async DraftPlan(principal: Principal, req: Json) {
      const unitId = checkId('unitId', req.unitId);
      asUnit(principal, unitId);
      const c = await campaign(req.campaignId);
      if (c.status === 'closed') throw new ForbiddenTransitionError('campaign closed', 'draft a plan');
      if (!c.unitIds.includes(unitId)) throw new ValidationError('unitId', `unit ${unitId} is not enrolled in campaign ${c.campaignId}`);
      const planId = checkId('planId', req.planId || newId());
      const r = await run({
        principal,
        roles: ['unit'],
        streamId: streams.plan(planId),
        decider: planDecider,
        req,
        unitId,
        campaignId: c.campaignId,
        command: {
          type: 'DraftPlan',
          data: { planId, campaignId: c.campaignId, unitId, content: (req.content ?? {}) as PlanContent, catalog: c.catalogIndex },
        },
      });
      return reply(r, { planId });
    },
    async RevisePlanDraft(principal: Principal, req: Json) {
      const p = await plan(req.planId);
      asUnit(principal, p.unitId);
      const c = await campaign(p.campaignId);
      return reply(
        await onPlan(principal, ['unit'], p, req, {
          type: 'RevisePlanDraft',
          data: { content: (req.content ?? {}) as PlanContent, changeNote: req.changeNote, catalog: c.catalogIndex },
        }),
      );
    },
    async SubmitPlan(principal: Principal, req: Json) {
      const p = await plan(req.planId);
      asUnit(principal, p.unitId);
      const c = await campaign(p.campaignId);
      const r = await onPlan(principal, ['unit'], p, req, {
        type: 'SubmitPlan',
        data: {
          submittedOn: today(),
          contentSha256: sha256(p.content),
          catalog: c.catalogIndex,
          ...(c.planSubmissionDeadline ? { deadline: c.planSubmissionDeadline } : {}),
        },
      });
      const submitted = r.events.find((e) => e.type === 'PlanSubmitted');
      return reply(r, { submission: submitted?.type === 'PlanSubmitted' ? submitted.data.submission : 0 });
    },
    ReturnPlan: (principal: Principal, req: Json) =>
      review(principal, req, { type: 'ReturnPlan', data: { comments: (req.comments ?? []) as ReviewComment[] } }),
    ApprovePlan: (principal: Principal, req: Json) =>
      review(principal, req, {
        type: 'ApprovePlan',
        data: { effectiveDate: req.effectiveDate || today(), comments: req.comments as ReviewComment[] | undefined },
      }),
    async SubmitPlanAmendment(principal: Principal, req: Json) {
      const p = await plan(req.planId);
      asUnit(principal, p.unitId);
      const c = await campaign(p.campaignId);
      const content = (req.content ?? {}) as PlanContent;
      const amendmentId = `${p.planId}-a${Math.max(1, p.version)}-${key(req).slice(0, 40)}`.replace(/[^A-Za-z0-9_.:-]/g, '_');
      const r = await onPlan(principal, ['unit'], p, req, {
        type: 'SubmitPlanAmendment',
        data: { amendmentId, content, reason: req.reason, contentSha256: sha256(content), catalog: c.catalogIndex },
      });
      const e = r.events.find((x) => x.type === 'PlanAmendmentSubmitted');
      return reply(r, { amendmentId: e?.type === 'PlanAmendmentSubmitted' ? e.data.amendmentId : amendmentId });
    },
    ApprovePlanAmendment: (principal: Principal, req: Json) =>
      review(principal, req, {
        type: 'ApprovePlanAmendment',
        data: {
          amendmentId: req.amendmentId ?? '',
          effectiveDate: req.effectiveDate || today(),
          comments: req.comments as ReviewComment[] | undefined,
        },
      }),
    ReturnPlanAmendment: (principal: Principal, req: Json) =>
      review(principal, req, {
        type: 'ReturnPlanAmendment',
        data: { amendmentId: req.amendmentId ?? '', comments: (req.comments ?? []) as ReviewComment[] },
      }),

    // ── Reporting ──
    async SubmitMonthlyTaskReport(principal: Principal, req: Json) {
      const p = await plan(req.planId);
      asUnit(principal, p.unitId);
      const c = await campaign(p.campaignId);
      const month = String(req.month ?? '');
      if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw new ValidationError('month', 'must be a month YYYY-MM');
      const reportId = `${p.planId}-${month}`;
      const r = await onReport(principal, ['unit'], p, month, req, {
        type: 'SubmitMonthlyTaskReport',
        data: {
          reportId,
          planId: p.planId,
          unitId: p.unitId,
          campaignId: p.campaignId,
          month,
          dueDate: monthlyReportDueDate(month, c.monthlyReportDueDay),
          items: (req.items ?? []) as TaskReportItem[],
          submittedOn: today(),
          planStatus: planStateName(p),
          planApproved: p.version > 0,
          taskIds: taskIdsInForce(p),
        },
      });
      return reply(r, { reportId });
    },
    async CorrectMonthlyTaskReport(principal: Principal, req: Json) {
      const { p, month } = await reportPlan(req.reportId);
      asUnit(principal, p.unitId);
      return reply(
        await onReport(principal, ['unit'], p, month, req, {
          type: 'CorrectMonthlyTaskReport',
          data: { items: (req.items ?? []) as TaskReportItem[], reason: req.reason, taskIds: taskIdsInForce(p) },
        }),
      );
    },
    async ReviewMonthlyTaskReport(principal: Principal, req: Json) {
      requireRole(principal, ...REVIEWERS);
      const { p, month } = await reportPlan(req.reportId);
      return reply(
        await onReport(principal, REVIEWERS, p, month, req, {
          type: 'ReviewMonthlyTaskReport',
          data: { verdict: req.verdict as ReportVerdict, comment: req.comment },
        }),
      );
    },
    async SubmitSummary(principal: Principal, req: Json) {
      const p = await plan(req.planId);
      asUnit(principal, p.unitId);
      const kind = req.kind as SummaryKind;
      const year = Number(req.year ?? 0);
      const id = summaryId(p.planId, kind, year, req.half);
      const r = await run({
        principal,
        roles: ['unit'],
        streamId: streams.summary(id),
        decider: summaryDecider,
        req,
        unitId: p.unitId,
        campaignId: p.campaignId,
        command: {
          type: 'SubmitSummary',
          data: {
            summaryId: id,
            planId: p.planId,
            unitId: p.unitId,
            campaignId: p.campaignId,
            kind,
            year,
            ...(req.half ? { half: req.half } : {}),
            text: req.text ?? '',
            ...(req.achievements?.length ? { achievements: req.achievements } : {}),
            ...(req.problems?.length ? { problems: req.problems } : {}),
            ...(req.nextSteps?.length ? { nextSteps: req.nextSteps } : {}),
            ...(req.documents?.length ? { documents: req.documents } : {}),
            planApproved: p.version > 0,
            planStatus: planStateName(p),
          },
        },
      });
      return reply(r, { summaryId: id });
    },
    async EstablishRule(principal: Principal, req: Json) {
      const unitId = checkId('unitId', req.unitId);
      asUnit(principal, unitId);
      let campaignId: string | undefined;
      if (req.planId) {
        const p = await plan(req.planId);
        if (p.unitId !== unitId) throw new ValidationError('planId', `plan ${p.planId} belongs to unit ${p.unitId}`);
        campaignId = p.campaignId;
      }
      const ruleId = checkId('ruleId', req.ruleId || newId());
      const r = await run({
        principal,
        roles: ['unit'],
        streamId: streams.rule(ruleId),
        decider: ruleDecider,
        req,
        unitId,
        ...(campaignId ? { campaignId } : {}),
        command: {
          type: 'EstablishRule',
          data: {
            ruleId,
            unitId,
            ...(req.planId ? { planId: req.planId } : {}),
            ...(campaignId ? { campaignId } : {}),
            title: req.title ?? '',
            change: req.change as RuleChange,
            effectiveDate: req.effectiveDate ?? '',
            ...(req.summary ? { summary: req.summary } : {}),
            ...(req.documents?.length ? { documents: req.documents } : {}),
            ...(req.supersedesRuleId ? { supersedesRuleId: req.supersedesRuleId } : {}),
            ...(req.relatedFindingIds?.length ? { relatedFindingIds: req.relatedFindingIds } : {}),
            ...(req.relatedRectificationIds?.length ? { relatedRectificationIds: req.relatedRectificationIds } : {}),
          },
        },
      });
      return reply(r, { ruleId });
    },
    async RepealRule(principal: Principal, req: Json) {
      const ruleId = checkId('ruleId', req.ruleId);
      let unitId: string | undefined;
      for await (const e of store.readStream(streams.rule(ruleId))) {
        unitId ??= (e.data as { unitId?: string }).unitId;
      }
      if (!unitId) throw new NotFoundError('rule', ruleId);
      asUnit(principal, unitId);
      return reply(
        await run({
          principal,
          roles: ['unit'],
          streamId: streams.rule(ruleId),
          decider: ruleDecider,
          req,
          unitId,
          command: { type: 'RepealRule', data: { reason: req.reason, effectiveDate: req.effectiveDate || today() } },
        }),
      );
    },
  };

  async function review(principal: Principal, req: Json, command: PlanCommand) {
    requireRole(principal, ...REVIEWERS);
    const p = await plan(req.planId);
    const r = await onPlan(principal, REVIEWERS, p, req, command);
    const e = r.events[0];
    return reply(r, e && (e.type === 'PlanApproved' || e.type === 'PlanAmendmentApproved') ? { version: e.data.version } : {});
  }

  async function reportPlan(reportId: string | undefined) {
    const m = /^(.+)-(\d{4}-\d{2})$/.exec(reportId ?? '');
    if (!m) throw new ValidationError('reportId', 'is <planId>-<YYYY-MM>');
    const p = await plan(m[1]!);
    return { p, month: m[2]! };
  }
}

function phaseOf(value: unknown): CampaignPhase {
  if (typeof value !== 'string' || !value.startsWith('CAMPAIGN_PHASE_') || value === 'CAMPAIGN_PHASE_UNSPECIFIED') {
    throw new ValidationError('phase', 'name a phase, e.g. CAMPAIGN_PHASE_MOBILIZATION');
  }
  return value as CampaignPhase;
}

export type Application = ReturnType<typeof createApplication>;
