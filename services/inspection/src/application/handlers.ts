// Command handlers: authorise first (role; for a unit its own rectifications only,
// another unit's looking exactly like one that does not exist; for an inspector the
// team of the inspection), then read what the decision needs (the campaign catalog
// from the catalog read model, the finding from its inspection), then handleCommand
// on the aggregate's stream with the caller's idempotency key. Who issues a command
// and who attached its evidence, and when, are the server's: the token's subject
// and the command's time (stampEvidence), never the body's. Requests arrive as
// proto3 JSON of the gRPC request messages, so HTTP and gRPC run exactly the same code.
import type { Actor, EventStore } from '@wenming/eventstore';
import type { ReadStore } from '@wenming/readstore';
import {
  checkId,
  ForbiddenTransitionError,
  type Json,
  loadState,
  NotFoundError,
  type Principal,
  type RequestCommand,
  type Role,
  commandReply as reply,
  requestCommandRunner,
  requireRole,
  ValidationError,
} from '@wenming/service-kit';
import type { CatalogView } from '../domain/catalog.js';
import { type InspectionCommand, type InspectionState, inspectionDecider, requireOnTeam } from '../domain/inspection.js';
import { type RectificationCommand, type RectificationState, rectificationDecider } from '../domain/rectification.js';
import { type EvidenceRef, stampEvidence } from '../domain/shared.js';
import { drawDecider } from '../domain/spot-check-draw.js';
import { type CatalogDoc, catalogView } from '../projections/catalogs/consumer.js';
import { C, type Doc } from '../projections/collections.js';
import { streams } from './streams.js';

export interface ApplicationOptions {
  store: EventStore;
  readStore: ReadStore;
  /** Business time of commands; injected so the demo and tests pin it. */
  now?: () => Date;
  /** New ids when the caller leaves one empty. */
  newId?: () => string;
}

type Inspection = Exclude<InspectionState, { status: 'none' }>;
/** Also the state after any rectification command's events: the command found it ordered. */
type Rectification = Exclude<RectificationState, { status: 'none' }>;

const OFFICE: Role[] = ['office'];
const INSPECTORS: Role[] = ['inspector'];
const UNIT: Role[] = ['unit'];
/** Closing a verified rectification: the inspector who verified, or the office. */
const CLOSERS: Role[] = ['inspector', 'office'];
/** The office, or the look-back service calling with an office or admin token. */
const REGRESSORS: Role[] = ['office', 'admin'];

/** The fields of command data that carry evidence references (one, or a list). */
const EVIDENCE_FIELDS = ['evidence', 'documents', 'report'] as const;

/** The command with every evidence reference it carries stamped with the server's provenance. */
function withProvenance<C>(command: C, by: Actor, at: string): C {
  const data = { ...(command as { data: Record<string, unknown> }).data };
  const stamp = (e: unknown) => stampEvidence((e ?? {}) as EvidenceRef, by, at);
  for (const field of EVIDENCE_FIELDS) {
    const value = data[field];
    if (Array.isArray(value)) data[field] = value.map(stamp);
    else if (value && typeof value === 'object') data[field] = stamp(value);
  }
  return { ...command, data };
}

/** The proto enum name of the role the principal acts in (the first allowed one it holds). */
function actingRole(principal: Principal, allowed: readonly Role[]): string {
  const role = principal.roles.find((r) => allowed.includes(r)) ?? principal.roles[0];
  return role ? `ROLE_${role.toUpperCase()}` : 'ROLE_UNSPECIFIED';
}

export function createApplication(options: ApplicationOptions) {
  const { store, readStore } = options;
  const now = options.now ?? (() => new Date());
  const newId = options.newId ?? (() => crypto.randomUUID());
  const today = () => now().toISOString().slice(0, 10);

  /**
   * Runs a command at one instant: the events' business time and the attachedAt of
   * the evidence they carry are the same, read once from the clock.
   */
  function run<Command, Event extends { type: string; data: unknown }, State>(args: RequestCommand<Command, Event, State>) {
    const at = now();
    const by: Actor = { id: args.principal.id, role: actingRole(args.principal, args.roles) };
    return requestCommandRunner(store, () => at)({ ...args, command: withProvenance(args.command, by, at.toISOString()) });
  }

  async function catalog(campaignId: string): Promise<CatalogView | undefined> {
    return catalogView(await readStore.collection<CatalogDoc>(C.catalogs).get(campaignId));
  }

  async function inspection(inspectionId: string): Promise<Inspection> {
    const { state } = await loadState(store, streams.inspection(checkId('inspectionId', inspectionId)), inspectionDecider);
    if (state.status === 'none') throw new NotFoundError('inspection', inspectionId);
    return state;
  }

  async function rectification(rectificationId: string): Promise<Rectification> {
    const { state } = await loadState(store, streams.rectification(checkId('rectificationId', rectificationId)), rectificationDecider);
    if (state.status === 'none') throw new NotFoundError('rectification', rectificationId);
    return state;
  }

  /**
   * The inspection an inspector's command is about, read after the role check and
   * refused unless the caller is on its team — before anything else is read for it.
   */
  async function teamInspection(principal: Principal, inspectionId: string): Promise<Inspection> {
    requireRole(principal, ...INSPECTORS);
    const s = await inspection(inspectionId);
    requireOnTeam(s, principal.id);
    return s;
  }

  /**
   * Runs an inspection command; the events concern `unitId` when given. `read` is the
   * inspection as the handler already read it (to build the command), not read again.
   * The decider checks the team again on the state it decides on.
   */
  async function onInspection(
    principal: Principal,
    req: Json,
    roles: Role[],
    command: InspectionCommand,
    { unitId, read }: { unitId?: string | undefined; read?: Inspection } = {},
  ) {
    requireRole(principal, ...roles);
    const s = read ?? (roles === INSPECTORS ? await teamInspection(principal, req.inspectionId) : await inspection(req.inspectionId));
    if (unitId !== undefined) checkId('unitId', unitId);
    return run({
      principal,
      roles,
      streamId: streams.inspection(s.inspectionId),
      decider: inspectionDecider,
      command: { ...command, by: principal.id },
      req,
      ...(unitId ? { unitId } : {}),
      campaignId: s.campaignId,
    });
  }

  /** An inspector's command about the request's unit, built from the inspection as read (its campaign's catalog). */
  async function onInspectedUnit(principal: Principal, req: Json, build: (s: Inspection) => Promise<InspectionCommand>) {
    const s = await teamInspection(principal, req.inspectionId);
    checkId('unitId', req.unitId);
    return reply(await onInspection(principal, req, INSPECTORS, await build(s), { unitId: req.unitId, read: s }));
  }

  /** Checks the unit is enrolled in the campaign whose catalog the finding names. */
  async function catalogFor(campaignId: string, unitId: string): Promise<CatalogView | undefined> {
    const doc = await readStore.collection<CatalogDoc>(C.catalogs).get(campaignId);
    if (doc && doc.unitIds.length > 0 && !doc.unitIds.includes(unitId)) {
      throw new ValidationError('unitId', `unit ${unitId} is not enrolled in campaign ${campaignId}`);
    }
    return catalogView(doc);
  }

  /** Runs a rectification command after the role check and, for a unit, the own-unit check. */
  async function runOnRectification(principal: Principal, req: Json, who: 'unit' | Role[], command: RectificationCommand) {
    const roles = who === 'unit' ? UNIT : who;
    requireRole(principal, ...roles);
    const s = await rectification(req.rectificationId);
    // Another unit's rectification looks exactly like one that does not exist.
    if (who === 'unit' && !principal.units.includes(s.unitId)) throw new NotFoundError('rectification', req.rectificationId);
    return run({
      principal,
      roles,
      streamId: streams.rectification(s.rectificationId),
      decider: rectificationDecider,
      command,
      req,
      unitId: s.unitId,
    });
  }

  const onRectification = async (principal: Principal, req: Json, who: 'unit' | Role[], command: RectificationCommand) =>
    reply(await runOnRectification(principal, req, who, command));

  return {
    // ── Inspections ──
    async ScheduleInspection(principal: Principal, req: Json) {
      requireRole(principal, ...OFFICE);
      const inspectionId = checkId('inspectionId', req.inspectionId || newId());
      checkId('campaignId', req.campaignId);
      let draw: { drawId: string; drawnUnitIds: string[]; inspectorIds: string[] } | undefined;
      if (req.drawId) {
        const { state } = await loadState(store, streams.draw(checkId('drawId', req.drawId)), drawDecider);
        if (state.status === 'none') throw new ValidationError('drawId', `draw ${req.drawId} is not recorded`);
        if (state.draw.campaignId !== req.campaignId)
          throw new ValidationError('drawId', `draw ${req.drawId} is for campaign ${state.draw.campaignId}`);
        draw = {
          drawId: state.draw.drawId,
          drawnUnitIds: state.draw.drawnUnitIds,
          inspectorIds: [...new Set(state.draw.assignments.flatMap((a) => a.inspectorIds))],
        };
      }
      const r = await run({
        principal,
        roles: OFFICE,
        streamId: streams.inspection(inspectionId),
        decider: inspectionDecider,
        command: {
          type: 'ScheduleInspection',
          data: {
            inspectionId,
            campaignId: req.campaignId,
            kind: req.kind,
            title: req.title,
            scope: req.scope,
            unitIds: req.unitIds ?? [],
            inspectors: req.inspectors ?? [],
            criterionIds: req.criterionIds ?? [],
            plannedDates: req.plannedDates,
            ...(draw ? { draw } : {}),
            thirdPartyOrganization: req.thirdPartyOrganization,
            ...(typeof req.announced === 'boolean' ? { announced: req.announced } : {}),
          },
        },
        req,
        campaignId: req.campaignId,
      });
      return reply(r, { inspectionId });
    },
    async RescheduleInspection(principal: Principal, req: Json) {
      return reply(
        await onInspection(principal, req, OFFICE, {
          type: 'RescheduleInspection',
          data: { plannedDates: req.plannedDates, inspectors: req.inspectors, reason: req.reason },
        }),
      );
    },
    async CancelInspection(principal: Principal, req: Json) {
      return reply(await onInspection(principal, req, OFFICE, { type: 'CancelInspection', data: { reason: req.reason } }));
    },
    async DrawSpotCheck(principal: Principal, req: Json) {
      requireRole(principal, ...OFFICE);
      const drawId = checkId('drawId', req.drawId || newId());
      checkId('campaignId', req.campaignId);
      const candidate = (c: Json) => ({
        id: c.id,
        ...(c.name ? { name: c.name } : {}),
        ...(c.excludedPairings?.length ? { excludedPairings: c.excludedPairings } : {}),
      });
      const r = await run({
        principal,
        roles: OFFICE,
        streamId: streams.draw(drawId),
        decider: drawDecider,
        command: {
          type: 'DrawSpotCheck',
          data: {
            drawId,
            campaignId: req.campaignId,
            ...(req.inspectionId ? { inspectionId: req.inspectionId } : {}),
            seed: req.seed ?? '',
            ...(req.seedSource ? { seedSource: req.seedSource } : {}),
            unitCandidates: (req.unitCandidates ?? []).map(candidate),
            inspectorCandidates: (req.inspectorCandidates ?? []).map(candidate),
            unitsToDraw: Number(req.unitsToDraw ?? 0),
            inspectorsPerUnit: Number(req.inspectorsPerUnit ?? 0),
            witnesses: req.witnesses ?? [],
          },
        },
        req,
        campaignId: req.campaignId,
      });
      const drawn = r.state.status === 'drawn' ? r.state.draw : undefined;
      return reply(r, { drawId, drawnUnitIds: drawn?.drawnUnitIds ?? [], assignments: drawn?.assignments ?? [] });
    },
    async StartInspection(principal: Principal, req: Json) {
      return reply(
        await onInspection(
          principal,
          req,
          INSPECTORS,
          { type: 'StartInspection', data: { unitId: req.unitId, inspectorIds: req.inspectorIds ?? [] } },
          { unitId: req.unitId },
        ),
      );
    },
    async AttachEvidence(principal: Principal, req: Json) {
      const s = await teamInspection(principal, req.inspectionId);
      const r = await onInspection(
        principal,
        req,
        INSPECTORS,
        {
          type: 'AttachEvidence',
          data: {
            unitId: req.unitId,
            evidence: req.evidence,
            criterionId: req.criterionId,
            findingId: req.findingId,
            catalog: await catalog(s.campaignId),
          },
        },
        { unitId: req.unitId, read: s },
      );
      const event = r.events[0] as { data: { ruleCheck?: unknown } } | undefined;
      return reply(r, { ruleCheck: event?.data.ruleCheck ?? { satisfied: true, unmet: [] } });
    },
    async RecordFinding(principal: Principal, req: Json) {
      const s = await teamInspection(principal, req.inspectionId);
      const findingId = checkId('findingId', req.findingId || newId());
      checkId('unitId', req.unitId);
      const r = await onInspection(
        principal,
        req,
        INSPECTORS,
        {
          type: 'RecordFinding',
          data: {
            findingId,
            unitId: req.unitId,
            criterionId: req.criterionId,
            severity: req.severity,
            description: req.description,
            evidence: req.evidence ?? [],
            publicConcern: Boolean(req.publicConcern),
            location: req.location,
            catalog: await catalogFor(s.campaignId, req.unitId),
          },
        },
        { unitId: req.unitId, read: s },
      );
      return reply(r, { findingId });
    },
    async AmendFinding(principal: Principal, req: Json) {
      const s = await teamInspection(principal, req.inspectionId);
      return reply(
        await onInspection(
          principal,
          req,
          INSPECTORS,
          {
            type: 'AmendFinding',
            data: {
              findingId: req.findingId,
              criterionId: req.criterionId,
              severity: req.severity,
              description: req.description,
              publicConcern: Boolean(req.publicConcern),
              reason: req.reason,
              catalog: await catalog(s.campaignId),
            },
          },
          { unitId: s.findings[req.findingId]?.unitId, read: s },
        ),
      );
    },
    async WithdrawFinding(principal: Principal, req: Json) {
      const s = await teamInspection(principal, req.inspectionId);
      return reply(
        await onInspection(
          principal,
          req,
          INSPECTORS,
          { type: 'WithdrawFinding', data: { findingId: req.findingId, reason: req.reason } },
          { unitId: s.findings[req.findingId]?.unitId, read: s },
        ),
      );
    },
    ScoreCriterion: (principal: Principal, req: Json) =>
      onInspectedUnit(principal, req, async (s) => ({
        type: 'ScoreCriterion',
        data: { unitId: req.unitId, score: req.score, catalog: await catalogFor(s.campaignId, req.unitId) },
      })),
    CorrectCriterionScore: (principal: Principal, req: Json) =>
      onInspectedUnit(principal, req, async (s) => ({
        type: 'CorrectCriterionScore',
        data: { unitId: req.unitId, score: req.score, reason: req.reason, catalog: await catalog(s.campaignId) },
      })),
    RecordVetoCondition: (principal: Principal, req: Json) =>
      onInspectedUnit(principal, req, async (s) => ({
        type: 'RecordVetoCondition',
        data: {
          unitId: req.unitId,
          vetoConditionId: req.vetoConditionId,
          description: req.description,
          findingId: req.findingId,
          evidence: req.evidence ?? [],
          catalog: await catalog(s.campaignId),
        },
      })),
    async CompleteInspection(principal: Principal, req: Json) {
      const r = await onInspection(principal, req, INSPECTORS, {
        type: 'CompleteInspection',
        data: { summary: req.summary, report: req.report ?? [] },
      });
      const event = r.events[0] as { data: { totals?: unknown[] } } | undefined;
      return reply(r, { totals: event?.data.totals ?? [] });
    },

    // ── Rectifications ──
    async OrderRectification(principal: Principal, req: Json) {
      requireRole(principal, ...INSPECTORS);
      const findingId = checkId('findingId', req.findingId);
      // Read-your-writes when the caller names the inspection: its stream is the record.
      const inspectionId = req.inspectionId
        ? checkId('inspectionId', req.inspectionId)
        : (await readStore.collection<Doc>(C.findings).get(findingId))?.inspectionId;
      if (!inspectionId) throw new NotFoundError('finding', findingId);
      // The team that found the problem orders its rectification.
      const s = await teamInspection(principal, inspectionId);
      const f = s.findings[findingId];
      if (!f) throw new NotFoundError('finding', findingId);
      if (f.withdrawn) throw new ForbiddenTransitionError('withdrawn', 'order a rectification', `finding ${findingId} was withdrawn`);
      if (!req.deadlineDate && req.limitWorkingDays) {
        throw new ValidationError(
          'deadlineDate',
          'give the deadline as a date: working-day limits need the holiday calendar, which inspection does not hold',
        );
      }
      const rectificationId = checkId('rectificationId', req.rectificationId || newId());
      const r = await run({
        principal,
        roles: INSPECTORS,
        streamId: streams.rectification(rectificationId),
        decider: rectificationDecider,
        command: {
          type: 'OrderRectification',
          data: {
            rectificationId,
            finding: {
              findingId,
              inspectionId: s.inspectionId,
              unitId: f.unitId,
              campaignId: s.campaignId,
              criterionId: f.criterionId,
              severity: f.severity,
              publicConcern: f.publicConcern,
            },
            requirements: req.requirements,
            deadlineDate: req.deadlineDate,
            evidence: req.evidence ?? [],
            on: today(),
          },
        },
        req,
        unitId: f.unitId,
        campaignId: s.campaignId,
      });
      return reply(r, { rectificationId, deadlineDate: req.deadlineDate });
    },
    AcknowledgeRectification: (principal: Principal, req: Json) =>
      onRectification(principal, req, 'unit', {
        type: 'AcknowledgeRectification',
        data: { responsiblePerson: req.responsiblePerson ?? {} },
      }),
    SubmitRectificationMeasures: (principal: Principal, req: Json) =>
      onRectification(principal, req, 'unit', {
        type: 'SubmitRectificationMeasures',
        data: { measures: req.measures ?? [], documents: req.documents ?? [] },
      }),
    async ReportRectificationProgress(principal: Principal, req: Json) {
      const r = await runOnRectification(principal, req, 'unit', {
        type: 'ReportRectificationProgress',
        data: {
          description: req.description,
          measureIds: req.measureIds ?? [],
          percentComplete: req.percentComplete,
          evidence: req.evidence ?? [],
        },
      });
      return reply(r, { step: (r.state as Rectification).progressSteps });
    },
    async RequestRectificationExtension(principal: Principal, req: Json) {
      const r = await runOnRectification(principal, req, 'unit', {
        type: 'RequestRectificationExtension',
        data: { requestedDeadlineDate: req.requestedDeadlineDate, reason: req.reason },
      });
      const s = r.state as Rectification;
      return reply(r, { requestId: s.pendingExtension?.requestId ?? `ext-${s.extensionRequests}` });
    },
    GrantRectificationExtension: (principal: Principal, req: Json) =>
      onRectification(principal, req, OFFICE, {
        type: 'GrantRectificationExtension',
        data: { requestId: req.requestId, newDeadlineDate: req.newDeadlineDate, comment: req.comment },
      }),
    RefuseRectificationExtension: (principal: Principal, req: Json) =>
      onRectification(principal, req, OFFICE, {
        type: 'RefuseRectificationExtension',
        data: { requestId: req.requestId, reason: req.reason },
      }),
    ReportRectificationCompletion: (principal: Principal, req: Json) =>
      onRectification(principal, req, 'unit', {
        type: 'ReportRectificationCompletion',
        data: { summary: req.summary, evidence: req.evidence ?? [] },
      }),
    PassRectificationVerification: (principal: Principal, req: Json) =>
      onRectification(principal, req, INSPECTORS, {
        type: 'PassRectificationVerification',
        data: {
          inspectorIds: req.inspectorIds?.length ? req.inspectorIds : [principal.id],
          comment: req.comment,
          evidence: req.evidence ?? [],
        },
      }),
    FailRectificationVerification: (principal: Principal, req: Json) =>
      onRectification(principal, req, INSPECTORS, {
        type: 'FailRectificationVerification',
        data: {
          inspectorIds: req.inspectorIds?.length ? req.inspectorIds : [principal.id],
          reasons: req.reasons ?? [],
          newDeadlineDate: req.newDeadlineDate,
          evidence: req.evidence ?? [],
          on: today(),
        },
      }),
    CloseRectification: (principal: Principal, req: Json) =>
      onRectification(principal, req, CLOSERS, { type: 'CloseRectification', data: { comment: req.comment } }),
    CloseRectificationNotRectifiable: (principal: Principal, req: Json) =>
      onRectification(principal, req, OFFICE, {
        type: 'CloseRectificationNotRectifiable',
        data: { reason: req.reason, compensatingMeasures: req.compensatingMeasures, approvedBy: req.approvedBy },
      }),
    RegressRectification: (principal: Principal, req: Json) =>
      onRectification(principal, req, REGRESSORS, {
        type: 'RegressRectification',
        data: {
          lookbackReviewId: req.lookbackReviewId,
          recurrenceId: req.recurrenceId,
          description: req.description,
          evidence: req.evidence ?? [],
          newDeadlineDate: req.newDeadlineDate,
          observedAt: req.observedAt,
          on: today(),
        },
      }),
  };
}

export type Application = ReturnType<typeof createApplication>;
