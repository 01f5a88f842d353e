// Command handlers: authorise (role and unit scope), read what the decision needs
// from other aggregates, then handleCommand on the aggregate's stream with the
// caller's idempotency key. Requests arrive as proto3 JSON of the gRPC request
// messages (both edges speak it), so HTTP and gRPC run exactly the same code.
import { createHash } from 'node:crypto';
import type { EventStore } from '@wenming/eventstore';
import {
  canAccessUnit,
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
  requireWrite,
  ValidationError,
} from '@wenming/service-kit';
import { type CampaignPhase, type CampaignState, campaignDecider, type PhaseSchedule } from '../domain/campaign.js';
import type { AwardRules, StandardsCatalog } from '../domain/catalog.js';
import { type PlanCommand, type PlanContent, type PlanState, planDecider, planIdTaken, planStateName } from '../domain/plan.js';
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
type Campaign = Exclude<CampaignState, { status: 'none' }>;

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

  async function campaign(campaignId: string): Promise<Campaign> {
    const { state } = await loadState(store, streams.campaign(checkId('campaignId', campaignId)), campaignDecider);
    if (state.status === 'none') throw new NotFoundError('campaign', campaignId);
    return state;
  }

  /** `field` names where the id came from, so a bad one is refused naming it. */
  async function unit(unitId: string, field = 'unitId'): Promise<UnitState> {
    return (await loadState(store, streams.unit(checkId(field, unitId)), unitDecider)).state;
  }

  /** A unit id that names an active unit of the hierarchy (a successor, an organiser). */
  async function activeUnit(field: string, unitId: string): Promise<string> {
    const u = await unit(unitId, field);
    if (u.status !== 'active')
      throw new ValidationError(field, `unit ${unitId} is ${u.status === 'none' ? 'not registered' : 'dissolved'}`);
    return unitId;
  }

  async function parentInfo(parentUnitId: string | undefined, field = 'parentUnitId') {
    if (!parentUnitId) return {};
    const parent = await unit(parentUnitId, field);
    if (parent.status === 'none') throw new ValidationError(field, `unit ${parentUnitId} is not registered`);
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

  /**
   * A plan the caller acts on as its unit. The role is checked from the token alone,
   * before anything is read; then another unit's plan is answered exactly as a plan
   * that does not exist (DESIGN §5: hidden looks like absent), so no answer tells a
   * unit whether, or in which state, another unit's plan exists.
   */
  async function unitsPlan(principal: Principal, planId: string): Promise<Plan> {
    requireRole(principal, 'unit');
    requireWrite(principal);
    // The first event names the unit: one event is read for a plan that is not the
    // caller's, as for one that does not exist, whatever the length of its history.
    let unitId: string | undefined;
    for await (const e of store.readStream(streams.plan(checkId('planId', planId)), { maxCount: 1 })) unitId = e.metadata.unitId;
    if (!unitId || !canAccessUnit(principal, unitId)) throw new NotFoundError('plan', planId);
    return plan(planId);
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
      if (req.organizerUnitId) await activeUnit('organizerUnitId', req.organizerUnitId);
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
      requireRole(principal, ...REVIEWERS);
      const unitIds = (req.unitIds ?? []) as string[];
      for (const [i, id] of unitIds.entries()) await activeUnit(`unitIds[${i}]`, id);
      return campaignCmd(principal, req, { type: 'EnrollCampaignUnits', data: { unitIds } });
    },
    WithdrawCampaignUnits: (principal: Principal, req: Json) => {
      const unitIds = ((req.unitIds ?? []) as unknown[]).map((id, i) => checkId(`unitIds[${i}]`, id));
      return campaignCmd(principal, req, { type: 'WithdrawCampaignUnits', data: { unitIds, reason: req.reason } });
    },
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
      requireRole(principal, ...UNIT_ADMINS);
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
      requireRole(principal, ...UNIT_ADMINS);
      const unitId = checkId('unitId', req.unitId);
      const to = checkId('toParentUnitId', req.toParentUnitId);
      return unitCmd(principal, req, {
        type: 'MoveUnit',
        data: {
          toParentUnitId: to,
          reason: req.reason,
          isDescendant: await isDescendant(to, unitId),
          ...(await parentInfo(to, 'toParentUnitId')),
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
    async DissolveUnit(principal: Principal, req: Json) {
      requireRole(principal, ...UNIT_ADMINS);
      // The successor takes over the unit's place in the hierarchy: it must be a unit of it.
      const successorUnitId = req.successorUnitId ? await activeUnit('successorUnitId', req.successorUnitId) : undefined;
      return unitCmd(principal, req, { type: 'DissolveUnit', data: { successorUnitId, reason: req.reason } });
    },

    // ── Plans ──
    async DraftPlan(principal: Principal, req: Json) {
      const unitId = checkId('unitId', req.unitId);
      asUnit(principal, unitId);
      const c = await campaign(req.campaignId);
      if (c.status === 'closed') throw new ForbiddenTransitionError('campaign closed', 'draft a plan');
      if (!c.unitIds.includes(unitId)) throw new ValidationError('unitId', `unit ${unitId} is not enrolled in campaign ${c.campaignId}`);
      const planId = checkId('planId', req.planId || newId());
      // The decider refuses another unit's plan id too; this read comes first so that a
      // repeat of that unit's idempotency key is refused rather than answered as a replay.
      const existing = (await loadState(store, streams.plan(planId), planDecider)).state;
      if (existing.status !== 'none' && existing.unitId !== unitId) throw planIdTaken();
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
          data: {
            planId,
            campaignId: c.campaignId,
            unitId,
            content: (req.content ?? {}) as PlanContent,
            catalog: c.catalogIndex,
            period: c.period,
          },
        },
      });
      return reply(r, { planId });
    },
    async RevisePlanDraft(principal: Principal, req: Json) {
      const p = await unitsPlan(principal, req.planId);
      const c = await campaign(p.campaignId);
      return reply(
        await onPlan(principal, ['unit'], p, req, {
          type: 'RevisePlanDraft',
          data: { content: (req.content ?? {}) as PlanContent, changeNote: req.changeNote, catalog: c.catalogIndex, period: c.period },
        }),
      );
    },
    async SubmitPlan(principal: Principal, req: Json) {
      const p = await unitsPlan(principal, req.planId);
      const c = await campaign(p.campaignId);
      const r = await onPlan(principal, ['unit'], p, req, {
        type: 'SubmitPlan',
        data: {
          submittedOn: today(),
          contentSha256: sha256(p.content),
          catalog: c.catalogIndex,
          period: c.period,
          ...(c.planSubmissionDeadline ? { deadline: c.planSubmissionDeadline } : {}),
        },
      });
      const submitted = r.events.find((e) => e.type === 'PlanSubmitted');
      return reply(r, { submission: submitted?.type === 'PlanSubmitted' ? submitted.data.submission : 0 });
    },
    ReturnPlan: (principal: Principal, req: Json) =>
      review(principal, req, () => ({ type: 'ReturnPlan', data: { comments: (req.comments ?? []) as ReviewComment[] } })),
    ApprovePlan: (principal: Principal, req: Json) =>
      review(principal, req, (c) => ({
        type: 'ApprovePlan',
        data: { effectiveDate: req.effectiveDate || today(), comments: req.comments as ReviewComment[] | undefined, period: c.period },
      })),
    async SubmitPlanAmendment(principal: Principal, req: Json) {
      const p = await unitsPlan(principal, req.planId);
      const c = await campaign(p.campaignId);
      const content = (req.content ?? {}) as PlanContent;
      const amendmentId = `${p.planId}-a${Math.max(1, p.version)}-${key(req).slice(0, 40)}`.replace(/[^A-Za-z0-9_.:-]/g, '_');
      const r = await onPlan(principal, ['unit'], p, req, {
        type: 'SubmitPlanAmendment',
        data: { amendmentId, content, reason: req.reason, contentSha256: sha256(content), catalog: c.catalogIndex, period: c.period },
      });
      const e = r.events.find((x) => x.type === 'PlanAmendmentSubmitted');
      return reply(r, { amendmentId: e?.type === 'PlanAmendmentSubmitted' ? e.data.amendmentId : amendmentId });
    },
    ApprovePlanAmendment: (principal: Principal, req: Json) =>
      review(principal, req, (c) => ({
        type: 'ApprovePlanAmendment',
        data: {
          amendmentId: req.amendmentId ?? '',
          effectiveDate: req.effectiveDate || today(),
          comments: req.comments as ReviewComment[] | undefined,
          period: c.period,
        },
      })),
    ReturnPlanAmendment: (principal: Principal, req: Json) =>
      review(principal, req, () => ({
        type: 'ReturnPlanAmendment',
        data: { amendmentId: req.amendmentId ?? '', comments: (req.comments ?? []) as ReviewComment[] },
      })),

    // ── Reporting ──
    async SubmitMonthlyTaskReport(principal: Principal, req: Json) {
      const p = await unitsPlan(principal, req.planId);
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
          period: c.period,
        },
      });
      return reply(r, { reportId });
    },
    async CorrectMonthlyTaskReport(principal: Principal, req: Json) {
      const { planId, month } = reportOf(req.reportId);
      const p = await unitsPlan(principal, planId);
      return reply(
        await onReport(principal, ['unit'], p, month, req, {
          type: 'CorrectMonthlyTaskReport',
          data: { items: (req.items ?? []) as TaskReportItem[], reason: req.reason, taskIds: taskIdsInForce(p) },
        }),
      );
    },
    async ReviewMonthlyTaskReport(principal: Principal, req: Json) {
      requireRole(principal, ...REVIEWERS);
      const { planId, month } = reportOf(req.reportId);
      const p = await plan(planId);
      return reply(
        await onReport(principal, REVIEWERS, p, month, req, {
          type: 'ReviewMonthlyTaskReport',
          data: { verdict: req.verdict as ReportVerdict, comment: req.comment },
        }),
      );
    },
    async SubmitSummary(principal: Principal, req: Json) {
      const p = await unitsPlan(principal, req.planId);
      const c = await campaign(p.campaignId);
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
            period: c.period,
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
        const p = await unitsPlan(principal, req.planId);
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
      requireRole(principal, 'unit');
      requireWrite(principal);
      let unitId: string | undefined;
      for await (const e of store.readStream(streams.rule(ruleId), { maxCount: 1 })) unitId = (e.data as { unitId?: string }).unitId;
      // Another unit's rule is answered as a rule that does not exist.
      if (!unitId || !canAccessUnit(principal, unitId)) throw new NotFoundError('rule', ruleId);
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

  /** The office reviews any plan; the command is built with the plan's campaign (its period bounds the effective date). */
  async function review(principal: Principal, req: Json, command: (c: Campaign) => PlanCommand) {
    requireRole(principal, ...REVIEWERS);
    const p = await plan(req.planId);
    const r = await onPlan(principal, REVIEWERS, p, req, command(await campaign(p.campaignId)));
    const e = r.events[0];
    return reply(r, e && (e.type === 'PlanApproved' || e.type === 'PlanAmendmentApproved') ? { version: e.data.version } : {});
  }

  function reportOf(reportId: string | undefined) {
    const m = /^(.+)-(\d{4}-\d{2})$/.exec(reportId ?? '');
    if (!m) throw new ValidationError('reportId', 'is <planId>-<YYYY-MM>');
    return { planId: m[1]!, month: m[2]! };
  }
}

function phaseOf(value: unknown): CampaignPhase {
  if (typeof value !== 'string' || !value.startsWith('CAMPAIGN_PHASE_') || value === 'CAMPAIGN_PHASE_UNSPECIFIED') {
    throw new ValidationError('phase', 'name a phase, e.g. CAMPAIGN_PHASE_MOBILIZATION');
  }
  return value as CampaignPhase;
}

export type Application = ReturnType<typeof createApplication>;
