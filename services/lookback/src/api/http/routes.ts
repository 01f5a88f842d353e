// The HTTP edge under /api/lookback. Reads of a unit's history (timeline, as-of
// state, diff), the audit trail (integrity checks and dossier exports, recorded by
// the same application calls as gRPC's) and the look-back review commands. Command
// bodies are the proto request messages (service-kit's proto-json-schema, as the other
// services'), params, queries, headers and replies TypeBox schemas; every route checks
// its caller's role onRequest, before its body is read, and has a body limit sized to
// its need; every command passes service-kit's text check before anything is written.
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import type { EventStore } from '@wenming/eventstore';
import {
  CommandReplyBody,
  checkRequestText,
  errorResponses,
  IdempotencyHeaders,
  IdSchema,
  type Json,
  protoRouteValidator,
  type Role,
  requestSchema,
  requireRole,
  ValidationError,
} from '@wenming/service-kit';
import type {
  FastifyInstance,
  FastifyRequest,
  FastifySchema,
  FastifySchemaCompiler,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
  RouteGenericInterface,
  RouteOptions,
} from 'fastify';
import { readsEveryUnit, requireAuditRead, requireHistoryRead } from '../../application/access.js';
import type { AuditTrail } from '../../application/audit-trail.js';
import { diffAsOf, readableEvent, stateAsOf, timelinePage } from '../../application/history.js';
import { REVIEW_ROLES, type Reviews } from '../../application/reviews.js';
import { verifyDossier } from '../../dossier/verify.js';
import { diffResponseProto3Json, stateResponseProto3Json } from '../state-json.js';

export const HTTP_PREFIX = '/api/lookback';

const Id = IdSchema;
const Instant = Type.String({ format: 'date-time', description: 'ISO-8601 instant (recorded time)' });
const UnitParams = Type.Object({ unitId: Id }, { additionalProperties: false });
const ReviewParams = Type.Object({ reviewId: Id }, { additionalProperties: false });
const List = Type.Union([Type.String(), Type.Array(Type.String())]);
const TimelineQuery = Type.Object(
  {
    from: Type.Optional(Instant),
    to: Type.Optional(Instant),
    asOf: Type.Optional(Instant),
    type: Type.Optional(List),
    stream: Type.Optional(List),
    context: Type.Optional(List),
    after: Type.Optional(Type.Integer({ minimum: 0, description: 'cursor: the global position after which to continue' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
    withData: Type.Optional(Type.Boolean({ description: 'include the full event envelope' })),
  },
  { additionalProperties: false },
);
const StateQuery = Type.Object({ asOf: Type.Optional(Instant) }, { additionalProperties: false });
const DiffQuery = Type.Object({ from: Instant, to: Instant }, { additionalProperties: false });
const NoQuery = Type.Object({}, { additionalProperties: false });
const Actor = Type.Object({
  id: Type.String(),
  role: Type.String(),
  via: Type.Optional(Type.String({ description: 'the service that acted on the actor’s behalf' })),
});
const Entry = Type.Object({
  position: Type.Integer(),
  id: Type.String(),
  type: Type.String(),
  streamId: Type.String(),
  revision: Type.Integer(),
  recordedAt: Type.String(),
  occurredAt: Type.String(),
  actor: Type.Optional(Actor),
  context: Type.String(),
  summary: Type.String(),
  event: Type.Optional(Type.Object({}, { additionalProperties: true })),
});
const TimelineReply = Type.Object({ entries: Type.Array(Entry), nextCursor: Type.Optional(Type.Integer()) });
const AnyObject = Type.Object({}, { additionalProperties: true });
// The state and diff answers are the proto3 JSON of gRPC's replies (api/state-json.ts, the one mapping both edges call):
// enums by name (RECTIFICATION_STATUS_IN_PROGRESS), default values left out. Permissive here; the proto is the contract.
const StateReply = Type.Object(
  { state: Type.Optional(AnyObject) },
  { additionalProperties: true, description: 'wenming.lookback.v1.GetUnitStateAsOfResponse in proto3 JSON: state is a UnitStateSnapshot' },
);
const DiffReply = Type.Object(
  {
    fromState: Type.Optional(AnyObject),
    toState: Type.Optional(AnyObject),
    changes: Type.Optional(Type.Array(AnyObject)),
    eventsBetween: Type.Optional(Type.Integer()),
  },
  {
    additionalProperties: true,
    description:
      'wenming.lookback.v1.DiffUnitStateResponse in proto3 JSON: the two UnitStateSnapshots and each StateChange (path, before, after, causedBy), statuses by their proto names',
  },
);
const CommandResult = CommandReplyBody.properties.result;
const CommandReply = CommandReplyBody;
// ── Command bodies: the proto request messages (proto-json-schema.ts), as the other
// services take them: unknown fields and wrong types refused, enums by name, and
// nothing free-form (examined and evidence are EventRef/EvidenceRef, not any JSON:
// a free-form field once let a body nested thousands deep into a review, issue 12).
const PKG = 'wenming.lookback.v1';
/** The JSON Schema of a request message without the fields that travel in the path or the Idempotency-Key header. */
const body = (rpc: string, options: { path?: string[]; required?: string[] } = {}) =>
  requestSchema(`${PKG}.${rpc}Request`, {
    omit: [...(options.path ?? []), 'idempotencyKey'],
    ...(options.required ? { required: options.required } : {}),
  }) as unknown as TSchema;
const OpenBody = body('OpenLookbackReview', { required: ['title'] });
const CheckBody = body('RecordLookbackCheck', { path: ['reviewId'], required: ['unitId', 'check', 'result'] });
const RecurrenceBody = body('RecordRecurrence', { path: ['reviewId'], required: ['unitId', 'rectificationId', 'description'] });
const ConcludeBody = body('ConcludeLookbackReview', { path: ['reviewId'], required: ['conclusion'] });
const IntegrityCheckBody = body('VerifyIntegrity', { required: ['scope'] });
const DossierExportBody = body('ExportDossier', { required: ['unitId'] });
/** Bodies a review command may carry (the proto's, without the path and header fields). */
type ReviewBody = Record<string, unknown>;

/**
 * Body limits by need (the server-wide default is larger, HTTP_BODY_LIMIT): a review
 * may list thousands of units; the other commands are a few fields. The dossier check
 * takes a whole dossier: measured, the demo city's biggest unit (29 events) sends
 * 63 KB, and a unit of 10,000 such events 20.0 MB (events.json 12.3 MB, report.html
 * 4.6 MB, manifest.json 0.7 MB, as JSON strings), so 32 MiB checks a unit of about
 * 16,000 events; bigger dossiers are checked offline (`wenming dossier --verify`).
 */
export const BODY_LIMITS = { command: 64 * 1024, openReview: 512 * 1024, verifyDossier: 32 * 1024 * 1024 } as const;

// ── The audit trail's records (the JSON of events.proto's IntegrityChecked and DossierExported) ──
const StreamId = Type.String({ pattern: '^[A-Za-z][A-Za-z0-9]{0,63}-[A-Za-z0-9][A-Za-z0-9._:@-]{0,199}$', description: '<category>-<id>' });
const CheckParams = Type.Object({ checkId: Id }, { additionalProperties: false });
const ExportParams = Type.Object({ exportId: Id }, { additionalProperties: false });
const IntegrityScope = Type.Object(
  { unitId: Type.Optional(Id), streamId: Type.Optional(StreamId) },
  { description: 'one of unitId (every stream holding an event about the unit) or streamId (one stream)' },
);
const BrokenLink = Type.Object({
  streamId: Type.String(),
  revision: Type.Integer(),
  eventId: Type.String(),
  problem: Type.Union([
    Type.Literal('LINK_PROBLEM_HASH_MISMATCH'),
    Type.Literal('LINK_PROBLEM_PREV_HASH_MISMATCH'),
    Type.Literal('LINK_PROBLEM_MISSING_REVISION'),
  ]),
  expectedHash: Type.String(),
  actualHash: Type.String(),
});
const IntegrityChecked = Type.Object(
  {
    checkId: Type.String(),
    scope: IntegrityScope,
    asOfPosition: Type.Optional(Type.Integer({ description: 'events recorded up to this global position were checked (unit scope)' })),
    streamsChecked: Type.Integer(),
    eventsChecked: Type.Integer(),
    intact: Type.Boolean({ description: 'every link holds' }),
    firstBrokenLink: Type.Optional(BrokenLink),
    brokenStreamIds: Type.Array(Type.String()),
  },
  { additionalProperties: true },
);
const DossierExported = Type.Object(
  {
    exportId: Type.String(),
    unitId: Type.String(),
    asOf: Type.String(),
    asOfPosition: Type.Integer(),
    format: Type.String(),
    eventCount: Type.Integer(),
    sizeBytes: Type.Integer({ description: 'the four files together' }),
    sha256: Type.String({ description: 'sha256 of manifest.json: one digest for the whole dossier' }),
    heads: Type.Array(Type.Object({ streamId: Type.String(), revision: Type.Integer(), hash: Type.String() })),
  },
  { additionalProperties: true },
);
/** A recorded check or export: what it said (`data`), who (`actor`) and when (`recordedAt`), and which event holds it. */
const auditRecord = <T extends TSchema>(data: T) =>
  Type.Object({ data, recordedAt: Type.String(), actor: Type.Optional(Actor), eventId: Type.String(), streamId: Type.String() });
const IntegrityCheckRecord = auditRecord(IntegrityChecked);
const DossierExportRecord = auditRecord(DossierExported);
const IntegrityCheckReply = Type.Object({ result: CommandResult, record: IntegrityCheckRecord });
const IntegrityCheckRecordReply = Type.Object({ record: IntegrityCheckRecord });
const DossierFiles = Type.Object({
  'events.json': Type.String(),
  'report.html': Type.String(),
  'manifest.json': Type.String(),
  'VERIFY.txt': Type.String(),
});
const DossierExportReply = Type.Object({ result: CommandResult, record: DossierExportRecord, files: DossierFiles, manifest: AnyObject });
const DossierExportFilesReply = Type.Object({ record: DossierExportRecord, files: DossierFiles });
const DossierExportsQuery = Type.Object(
  {
    unitId: Type.Optional(Id),
    pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, description: '50 when absent' })),
    pageToken: Type.Optional(Type.String({ maxLength: 20, description: 'nextPageToken of the previous page' })),
  },
  { additionalProperties: false },
);
const DossierExportList = Type.Object({ exports: Type.Array(DossierExportRecord), nextPageToken: Type.Optional(Type.String()) });
const VerifyDossierBody = Type.Object(
  { eventsJson: Type.String(), manifestJson: Type.String(), reportHtml: Type.Optional(Type.String()) },
  { additionalProperties: false },
);

const list = (v: string | string[] | undefined) =>
  v === undefined
    ? undefined
    : [v]
        .flat()
        .flatMap((s) => s.split(','))
        .filter(Boolean);
const tags = ['lookback'];

export function registerLookbackRoutes(http: FastifyInstance, deps: { store: EventStore; reviews: Reviews; audit: AuditTrail }): void {
  const { store, reviews, audit } = deps;
  // Every route: the proto-derived validator (bodies strict, unknown fields and query
  // parameters refused), and its caller's role checked onRequest, after the token and
  // before the body is read: no one without the role makes the server parse a body.
  const route = <R extends RouteGenericInterface>(
    options: RouteOptions<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, R>,
  ) =>
    http.route<R>({
      validatorCompiler: protoRouteValidator as FastifySchemaCompiler<FastifySchema>,
      bodyLimit: BODY_LIMITS.command,
      ...options,
    });
  const auditors = async (request: FastifyRequest) => requireAuditRead(request.principal);
  const unitReaders = async (request: FastifyRequest) =>
    requireHistoryRead(request.principal, String((request.params as { unitId?: unknown }).unitId ?? ''));
  const roles =
    (...allowed: Role[]) =>
    async (request: FastifyRequest) =>
      requireRole(request.principal, ...allowed);
  /** A command's request as the application takes it, after the one text check of every command (service-kit's). */
  const command = (request: FastifyRequest, extra: Json = {}): Json => {
    const req: Json = { ...(request.body as Json), ...extra, idempotencyKey: request.headers['idempotency-key'] };
    checkRequestText(req);
    return req;
  };

  route<{ Params: Static<typeof UnitParams>; Querystring: Static<typeof TimelineQuery> }>({
    method: 'GET',
    url: `${HTTP_PREFIX}/units/:unitId/timeline`,
    onRequest: unitReaders,
    schema: {
      tags,
      summary: "A page of a unit's timeline across every service (from the event store, in global order)",
      params: UnitParams,
      querystring: TimelineQuery,
      response: { 200: TimelineReply, ...errorResponses(400, 401, 403) },
    },
    handler: async (request) => {
      const { unitId } = request.params;
      const q = request.query;
      const types = list(q.type);
      const streams = list(q.stream);
      const contexts = list(q.context);
      const page = await timelinePage(
        store,
        {
          unitId,
          ...(q.from ? { from: q.from } : {}),
          ...(q.to ? { to: q.to } : {}),
          ...(q.asOf ? { asOf: q.asOf } : {}),
          ...(types ? { types } : {}),
          ...(streams ? { streams } : {}),
          ...(contexts ? { contexts } : {}),
          withListed: readsEveryUnit(request.principal),
        },
        q.after ?? 0,
        q.limit,
      );
      return {
        entries: page.entries.map(({ event, ...entry }) =>
          q.withData ? { ...entry, event: readableEvent(event) as unknown as Record<string, unknown> } : entry,
        ),
        ...(page.nextCursor !== undefined ? { nextCursor: page.nextCursor } : {}),
      };
    },
  });

  route<{ Params: Static<typeof UnitParams>; Querystring: Static<typeof StateQuery> }>({
    method: 'GET',
    url: `${HTTP_PREFIX}/units/:unitId/state`,
    onRequest: unitReaders,
    schema: {
      tags,
      summary: "A unit's state as of an instant: what had been recorded by then",
      params: UnitParams,
      querystring: StateQuery,
      response: { 200: StateReply, ...errorResponses(400, 401, 403) },
    },
    handler: async (request) =>
      stateResponseProto3Json(await stateAsOf(store, request.params.unitId, request.query.asOf, readsEveryUnit(request.principal))),
  });

  route<{ Params: Static<typeof UnitParams>; Querystring: Static<typeof DiffQuery> }>({
    method: 'GET',
    url: `${HTTP_PREFIX}/units/:unitId/diff`,
    onRequest: unitReaders,
    schema: {
      tags,
      summary: "What changed in a unit's state between two instants, and which events changed it",
      params: UnitParams,
      querystring: DiffQuery,
      response: { 200: DiffReply, ...errorResponses(400, 401, 403) },
    },
    handler: async (request) =>
      diffResponseProto3Json(
        await diffAsOf(store, request.params.unitId, request.query.from, request.query.to, readsEveryUnit(request.principal)),
      ),
  });

  // ── The audit trail: integrity checks and dossier exports are recorded (audit-trail.ts), as over gRPC ──
  route<{ Body: Json; Headers: Static<typeof IdempotencyHeaders> }>({
    method: 'POST',
    url: `${HTTP_PREFIX}/integrity-checks`,
    onRequest: auditors,
    schema: {
      tags,
      summary:
        'Verifies the hash chains of a unit (every stream holding an event about it) or of one stream, and records the check (IntegrityChecked); the same key answers with the check recorded the first time',
      headers: IdempotencyHeaders,
      body: IntegrityCheckBody,
      response: { 200: IntegrityCheckReply, ...errorResponses(400, 401, 403, 409) },
    },
    handler: async (request) => {
      const req = command(request);
      const scope: Json = req.scope ?? {};
      // The proto's scope is a oneof: one of them, never two.
      if ([scope.unitId, scope.streamId, scope.all].filter((v) => v !== undefined).length > 1)
        throw new ValidationError('scope', 'name a unitId or a streamId, not both');
      return audit.verifyIntegrity(request.principal, req);
    },
  });

  route<{ Params: Static<typeof CheckParams> }>({
    method: 'GET',
    url: `${HTTP_PREFIX}/integrity-checks/:checkId`,
    onRequest: auditors,
    schema: {
      tags,
      summary: 'A recorded integrity check, with who ran it and when',
      params: CheckParams,
      querystring: NoQuery,
      response: { 200: IntegrityCheckRecordReply, ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => ({ record: await audit.getIntegrityCheck(request.principal, { checkId: request.params.checkId }) }),
  });

  route<{ Body: Json; Headers: Static<typeof IdempotencyHeaders> }>({
    method: 'POST',
    url: `${HTTP_PREFIX}/dossier-exports`,
    onRequest: auditors,
    schema: {
      tags,
      summary:
        'Exports the unit dossier 创建活动档案 as of an instant (events.json, report.html, manifest.json, VERIFY.txt) and records the export (DossierExported); the same key answers with the first export, rebuilt as recorded',
      headers: IdempotencyHeaders,
      body: DossierExportBody,
      response: { 200: DossierExportReply, ...errorResponses(400, 401, 403, 409) },
    },
    handler: async (request) => {
      const out = await audit.exportDossier(request.principal, command(request));
      return {
        result: out.result,
        record: out.record,
        files: out.dossier.files,
        manifest: out.dossier.manifest as unknown as Record<string, unknown>,
      };
    },
  });

  route<{ Querystring: Static<typeof DossierExportsQuery> }>({
    method: 'GET',
    url: `${HTTP_PREFIX}/dossier-exports`,
    onRequest: auditors,
    schema: {
      tags,
      summary: "Recorded dossier exports, newest first: who exported which unit's dossier, when, with which digest",
      querystring: DossierExportsQuery,
      response: { 200: DossierExportList, ...errorResponses(400, 401, 403) },
    },
    handler: async (request) => {
      const { unitId, pageSize, pageToken } = request.query;
      const out = await audit.listDossierExports(request.principal, {
        ...(unitId ? { unitId } : {}),
        page: { ...(pageSize ? { pageSize } : {}), ...(pageToken ? { pageToken } : {}) },
      });
      return { exports: out.records, ...(out.nextPageToken ? { nextPageToken: out.nextPageToken } : {}) };
    },
  });

  route<{ Params: Static<typeof ExportParams> }>({
    method: 'GET',
    url: `${HTTP_PREFIX}/dossier-exports/:exportId`,
    onRequest: auditors,
    schema: {
      tags,
      summary:
        "A recorded export with its files, rebuilt from the store; 409 when the store no longer gives the recorded digest (verify the unit's integrity)",
      params: ExportParams,
      querystring: NoQuery,
      response: { 200: DossierExportFilesReply, ...errorResponses(400, 401, 403, 404, 409) },
    },
    handler: async (request) => {
      const { record, dossier } = await audit.dossierFiles(request.principal, request.params.exportId);
      return { record, files: dossier.files };
    },
  });

  // Not a command (nothing is recorded) and its strings are whole files, so the
  // command text check does not apply; the role is checked before the body is read,
  // and the body is limited to what a big unit's dossier needs (BODY_LIMITS).
  route<{ Body: Static<typeof VerifyDossierBody> }>({
    method: 'POST',
    url: `${HTTP_PREFIX}/dossiers/verify`,
    onRequest: auditors,
    bodyLimit: BODY_LIMITS.verifyDossier,
    schema: {
      tags,
      summary: "Checks a dossier's files (the same check VERIFY.txt describes, for those without a canonicaliser at hand)",
      body: VerifyDossierBody,
      response: { 200: AnyObject, ...errorResponses(400, 401, 403, 413) },
    },
    handler: async (request) => verifyDossier(request.body),
  });

  // ── Reviews ──
  route<{ Body: Json; Headers: Static<typeof IdempotencyHeaders> }>({
    method: 'POST',
    url: `${HTTP_PREFIX}/reviews`,
    onRequest: roles(...REVIEW_ROLES.OpenLookbackReview),
    bodyLimit: BODY_LIMITS.openReview,
    schema: {
      tags,
      summary: 'Opens a look-back review 回头看 (office)',
      headers: IdempotencyHeaders,
      body: OpenBody,
      response: { 200: CommandReply, ...errorResponses(400, 401, 403, 409) },
    },
    handler: async (request) => reviews.OpenLookbackReview(request.principal, command(request)),
  });
  /** A command on one review: the review from the path, the key from the Idempotency-Key header. */
  const reviewCommand = (
    path: string,
    summary: string,
    rpc: 'RecordLookbackCheck' | 'RecordRecurrence' | 'ConcludeLookbackReview',
    schema: TSchema,
  ) =>
    route<{ Params: Static<typeof ReviewParams>; Body: ReviewBody; Headers: Static<typeof IdempotencyHeaders> }>({
      method: 'POST',
      url: `${HTTP_PREFIX}/reviews/:reviewId/${path}`,
      onRequest: roles(...REVIEW_ROLES[rpc]),
      schema: {
        tags,
        summary,
        params: ReviewParams,
        headers: IdempotencyHeaders,
        body: schema,
        response: { 200: CommandReply, ...errorResponses(400, 401, 403, 404, 409) },
      },
      handler: async (request) =>
        reviews[rpc](request.principal, command(request, { reviewId: request.params.reviewId }), { bearer: request.headers.authorization }),
    });
  reviewCommand('checks', 'Records one of the three checks for a unit (office, inspector)', 'RecordLookbackCheck', CheckBody);
  reviewCommand(
    'recurrences',
    "Records a recurrence of a rectification of a unit under review and has inspection mark it regressed, on the caller's behalf (office); repeat to retry a failed call",
    'RecordRecurrence',
    RecurrenceBody,
  );
  reviewCommand('conclude', 'Concludes a review with per-unit results (office)', 'ConcludeLookbackReview', ConcludeBody);
  route<{ Params: Static<typeof ReviewParams> }>({
    method: 'GET',
    url: `${HTTP_PREFIX}/reviews/:reviewId`,
    onRequest: roles(...REVIEW_ROLES.GetLookbackReview),
    schema: {
      tags,
      summary: 'A look-back review with its checks and recurrences',
      params: ReviewParams,
      querystring: NoQuery,
      response: { 200: AnyObject, ...errorResponses(401, 403, 404) },
    },
    handler: async (request) => reviews.GetLookbackReview(request.principal, { reviewId: request.params.reviewId }),
  });
}
