// The HTTP edge under /api/lookback. Reads of a unit's history (timeline, as-of
// state, diff), the audit trail (integrity checks and dossier exports, recorded by
// the same application calls as gRPC's) and the look-back review commands, each with
// a TypeBox schema for its params, query, headers, body and replies.
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import type { EventStore } from '@wenming/eventstore';
import {
  CommandReplyBody,
  errorResponses,
  IdempotencyHeaders,
  IdSchema,
  type Json,
  type Principal,
  ValidationError,
} from '@wenming/service-kit';
import type { FastifyInstance } from 'fastify';
import { requireAuditRead, requireHistoryRead } from '../../application/access.js';
import type { AuditTrail } from '../../application/audit-trail.js';
import { diffAsOf, stateAsOf, timelinePage } from '../../application/history.js';
import type { Reviews } from '../../application/reviews.js';
import { verifyDossier } from '../../dossier/verify.js';

export const HTTP_PREFIX = '/api/lookback';

const Id = IdSchema;
const Instant = Type.String({ format: 'date-time', description: 'ISO-8601 instant (recorded time)' });
const UnitParams = Type.Object({ unitId: Id });
const ReviewParams = Type.Object({ reviewId: Id });
const List = Type.Union([Type.String(), Type.Array(Type.String())]);
const TimelineQuery = Type.Object({
  from: Type.Optional(Instant),
  to: Type.Optional(Instant),
  asOf: Type.Optional(Instant),
  type: Type.Optional(List),
  stream: Type.Optional(List),
  context: Type.Optional(List),
  after: Type.Optional(Type.Integer({ minimum: 0, description: 'cursor: the global position after which to continue' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  withData: Type.Optional(Type.Boolean({ description: 'include the full event envelope' })),
});
const Actor = Type.Object({ id: Type.String(), role: Type.String() });
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
const CommandResult = CommandReplyBody.properties.result;
const CommandReply = CommandReplyBody;
const Person = Type.Object({
  personId: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  position: Type.Optional(Type.String()),
  unitId: Type.Optional(Type.String()),
});
const OpenBody = Type.Object({
  reviewId: Type.Optional(Id),
  campaignId: Type.Optional(Id),
  title: Type.String({ minLength: 1, maxLength: 500 }),
  unitIds: Type.Optional(Type.Array(Id, { maxItems: 5000 })),
  reviewedPeriod: Type.Optional(Type.Object({ startDate: Type.Optional(Type.String()), endDate: Type.Optional(Type.String()) })),
  reviewers: Type.Optional(Type.Array(Person)),
  publicConcernFirst: Type.Optional(Type.Boolean()),
});
const CheckBody = Type.Object({
  expectedRevision: Type.Optional(Type.Integer({ minimum: 0 })),
  unitId: Id,
  check: Type.Union([
    Type.Literal('LOOKBACK_CHECK_STUDY_AND_EDUCATION'),
    Type.Literal('LOOKBACK_CHECK_PROBLEMS_SOLVED'),
    Type.Literal('LOOKBACK_CHECK_RULES_SOUND_AND_APPLIED'),
  ]),
  result: Type.Union([
    Type.Literal('CHECK_RESULT_PASSED'),
    Type.Literal('CHECK_RESULT_PARTIALLY_PASSED'),
    Type.Literal('CHECK_RESULT_FAILED'),
  ]),
  notes: Type.Optional(Type.String({ maxLength: 10_000 })),
  examined: Type.Optional(Type.Array(AnyObject, { maxItems: 1000 })),
});
const RecurrenceBody = Type.Object({
  expectedRevision: Type.Optional(Type.Integer({ minimum: 0 })),
  unitId: Id,
  rectificationId: Id,
  description: Type.String({ minLength: 1, maxLength: 10_000 }),
  publicConcern: Type.Optional(Type.Boolean()),
  observedAt: Type.Optional(Instant),
});
const ConcludeBody = Type.Object({
  expectedRevision: Type.Optional(Type.Integer({ minimum: 0 })),
  conclusion: Type.String({ minLength: 1, maxLength: 20_000 }),
});
// ── The audit trail's records (the JSON of events.proto's IntegrityChecked and DossierExported) ──
const StreamId = Type.String({ pattern: '^[A-Za-z][A-Za-z0-9]{0,63}-[A-Za-z0-9][A-Za-z0-9._:@-]{0,199}$', description: '<category>-<id>' });
const CheckParams = Type.Object({ checkId: Id });
const ExportParams = Type.Object({ exportId: Id });
const IntegrityScope = Type.Object(
  { unitId: Type.Optional(Id), streamId: Type.Optional(StreamId) },
  { description: 'one of unitId (every stream holding an event about the unit) or streamId (one stream)' },
);
const IntegrityCheckBody = Type.Object({ scope: IntegrityScope });
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
const DossierExportBody = Type.Object({
  unitId: Id,
  asOf: Type.Optional(
    Type.String({ format: 'date-time', description: 'what had been recorded by this instant (now when absent); recorded in the export' }),
  ),
});
const DossierFiles = Type.Object({
  'events.json': Type.String(),
  'report.html': Type.String(),
  'manifest.json': Type.String(),
  'VERIFY.txt': Type.String(),
});
const DossierExportReply = Type.Object({ result: CommandResult, record: DossierExportRecord, files: DossierFiles, manifest: AnyObject });
const DossierExportFilesReply = Type.Object({ record: DossierExportRecord, files: DossierFiles });
const DossierExportsQuery = Type.Object({
  unitId: Type.Optional(Id),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, description: '50 when absent' })),
  pageToken: Type.Optional(Type.String({ maxLength: 20, description: 'nextPageToken of the previous page' })),
});
const DossierExportList = Type.Object({ exports: Type.Array(DossierExportRecord), nextPageToken: Type.Optional(Type.String()) });
const VerifyDossierBody = Type.Object({ eventsJson: Type.String(), manifestJson: Type.String(), reportHtml: Type.Optional(Type.String()) });

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

  http.get<{ Params: Static<typeof UnitParams>; Querystring: Static<typeof TimelineQuery> }>(
    `${HTTP_PREFIX}/units/:unitId/timeline`,
    {
      schema: {
        tags,
        summary: "A page of a unit's timeline across every service (from the event store, in global order)",
        params: UnitParams,
        querystring: TimelineQuery,
        response: { 200: TimelineReply, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { unitId } = request.params;
      requireHistoryRead(request.principal, unitId);
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
        },
        q.after ?? 0,
        q.limit,
      );
      return {
        entries: page.entries.map(({ event, ...entry }) =>
          q.withData ? { ...entry, event: event as unknown as Record<string, unknown> } : entry,
        ),
        ...(page.nextCursor !== undefined ? { nextCursor: page.nextCursor } : {}),
      };
    },
  );

  http.get<{ Params: Static<typeof UnitParams>; Querystring: { asOf?: string } }>(
    `${HTTP_PREFIX}/units/:unitId/state`,
    {
      schema: {
        tags,
        summary: "A unit's state as of an instant: what had been recorded by then",
        params: UnitParams,
        querystring: Type.Object({ asOf: Type.Optional(Instant) }),
        response: { 200: AnyObject, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      requireHistoryRead(request.principal, request.params.unitId);
      return stateAsOf(store, request.params.unitId, request.query.asOf);
    },
  );

  http.get<{ Params: Static<typeof UnitParams>; Querystring: { from: string; to: string } }>(
    `${HTTP_PREFIX}/units/:unitId/diff`,
    {
      schema: {
        tags,
        summary: "What changed in a unit's state between two instants, and which events changed it",
        params: UnitParams,
        querystring: Type.Object({ from: Instant, to: Instant }),
        response: { 200: AnyObject, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      requireHistoryRead(request.principal, request.params.unitId);
      return diffAsOf(store, request.params.unitId, request.query.from, request.query.to);
    },
  );

  // ── The audit trail: integrity checks and dossier exports are recorded (audit-trail.ts), as over gRPC ──
  http.post<{ Body: Static<typeof IntegrityCheckBody>; Headers: Static<typeof IdempotencyHeaders> }>(
    `${HTTP_PREFIX}/integrity-checks`,
    {
      schema: {
        tags,
        summary:
          'Verifies the hash chains of a unit (every stream holding an event about it) or of one stream, and records the check (IntegrityChecked); the same key answers with the check recorded the first time',
        headers: IdempotencyHeaders,
        body: IntegrityCheckBody,
        response: { 200: IntegrityCheckReply, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (request) => {
      const { scope } = request.body;
      // The proto's scope is a oneof: one of the two, never both.
      if (scope.unitId !== undefined && scope.streamId !== undefined)
        throw new ValidationError('scope', 'name a unitId or a streamId, not both');
      return audit.verifyIntegrity(request.principal, { scope, idempotencyKey: request.headers['idempotency-key'] });
    },
  );

  http.get<{ Params: Static<typeof CheckParams> }>(
    `${HTTP_PREFIX}/integrity-checks/:checkId`,
    {
      schema: {
        tags,
        summary: 'A recorded integrity check, with who ran it and when',
        params: CheckParams,
        response: { 200: IntegrityCheckRecordReply, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => ({ record: await audit.getIntegrityCheck(request.principal, { checkId: request.params.checkId }) }),
  );

  http.post<{ Body: Static<typeof DossierExportBody>; Headers: Static<typeof IdempotencyHeaders> }>(
    `${HTTP_PREFIX}/dossier-exports`,
    {
      schema: {
        tags,
        summary:
          'Exports the unit dossier 创建活动档案 as of an instant (events.json, report.html, manifest.json, VERIFY.txt) and records the export (DossierExported); the same key answers with the first export, rebuilt as recorded',
        headers: IdempotencyHeaders,
        body: DossierExportBody,
        response: { 200: DossierExportReply, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (request) => {
      const out = await audit.exportDossier(request.principal, { ...request.body, idempotencyKey: request.headers['idempotency-key'] });
      return {
        result: out.result,
        record: out.record,
        files: out.dossier.files,
        manifest: out.dossier.manifest as unknown as Record<string, unknown>,
      };
    },
  );

  http.get<{ Querystring: Static<typeof DossierExportsQuery> }>(
    `${HTTP_PREFIX}/dossier-exports`,
    {
      schema: {
        tags,
        summary: "Recorded dossier exports, newest first: who exported which unit's dossier, when, with which digest",
        querystring: DossierExportsQuery,
        response: { 200: DossierExportList, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { unitId, pageSize, pageToken } = request.query;
      const out = await audit.listDossierExports(request.principal, {
        ...(unitId ? { unitId } : {}),
        page: { ...(pageSize ? { pageSize } : {}), ...(pageToken ? { pageToken } : {}) },
      });
      return { exports: out.records, ...(out.nextPageToken ? { nextPageToken: out.nextPageToken } : {}) };
    },
  );

  http.get<{ Params: Static<typeof ExportParams> }>(
    `${HTTP_PREFIX}/dossier-exports/:exportId`,
    {
      schema: {
        tags,
        summary:
          "A recorded export with its files, rebuilt from the store; 409 when the store no longer gives the recorded digest (verify the unit's integrity)",
        params: ExportParams,
        response: { 200: DossierExportFilesReply, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const { record, dossier } = await audit.dossierFiles(request.principal, request.params.exportId);
      return { record, files: dossier.files };
    },
  );

  http.post<{ Body: Static<typeof VerifyDossierBody> }>(
    `${HTTP_PREFIX}/dossiers/verify`,
    {
      schema: {
        tags,
        summary: "Checks a dossier's files (the same check VERIFY.txt describes, for those without a canonicaliser at hand)",
        body: VerifyDossierBody,
        response: { 200: AnyObject, ...errorResponses(400, 401, 403) },
      },
      bodyLimit: 512 * 1024 * 1024,
    },
    async (request) => {
      requireAuditRead(request.principal);
      return verifyDossier(request.body);
    },
  );

  // ── Reviews ──
  http.post<{ Body: Static<typeof OpenBody>; Headers: Static<typeof IdempotencyHeaders> }>(
    `${HTTP_PREFIX}/reviews`,
    {
      schema: {
        tags,
        summary: 'Opens a look-back review 回头看 (office)',
        headers: IdempotencyHeaders,
        body: OpenBody,
        response: { 200: CommandReply, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (request) =>
      reviews.OpenLookbackReview(request.principal, { ...request.body, idempotencyKey: request.headers['idempotency-key'] }),
  );
  /** A command on one review: the review from the path, the key from the Idempotency-Key header. */
  const reviewCommand = <B extends TSchema>(
    path: string,
    summary: string,
    body: B,
    handle: (principal: Principal, r: Json) => Promise<unknown>,
  ) =>
    http.post<{ Params: Static<typeof ReviewParams>; Body: Static<B>; Headers: Static<typeof IdempotencyHeaders> }>(
      `${HTTP_PREFIX}/reviews/:reviewId/${path}`,
      {
        schema: {
          tags,
          summary,
          params: ReviewParams,
          headers: IdempotencyHeaders,
          body,
          response: { 200: CommandReply, ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      async (request) =>
        handle(request.principal, {
          ...(request.body as Json),
          reviewId: request.params.reviewId,
          idempotencyKey: request.headers['idempotency-key'],
        }),
    );
  reviewCommand('checks', 'Records one of the three checks for a unit (office, inspector)', CheckBody, reviews.RecordLookbackCheck);
  reviewCommand(
    'recurrences',
    'Records a recurrence and has inspection mark the rectification regressed; repeat to retry a failed call',
    RecurrenceBody,
    reviews.RecordRecurrence,
  );
  reviewCommand('conclude', 'Concludes a review with per-unit results (office)', ConcludeBody, reviews.ConcludeLookbackReview);
  http.get<{ Params: Static<typeof ReviewParams> }>(
    `${HTTP_PREFIX}/reviews/:reviewId`,
    {
      schema: {
        tags,
        summary: 'A look-back review with its checks and recurrences',
        params: ReviewParams,
        response: { 200: AnyObject, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => reviews.GetLookbackReview(request.principal, { reviewId: request.params.reviewId }),
  );
}
