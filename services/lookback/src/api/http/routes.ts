// The HTTP edge under /api/lookback. Reads of a unit's history (timeline, as-of
// state, diff, integrity, dossier) and the look-back review commands, each with a
// TypeBox schema for its params, query, body and replies.
import { type Static, Type } from '@sinclair/typebox';
import type { EventStore } from '@wenming/eventstore';
import { errorResponses } from '@wenming/service-kit';
import type { FastifyInstance } from 'fastify';
import { requireAuditRead, requireHistoryRead } from '../../application/access.js';
import { diffAsOf, stateAsOf, timelinePage, verifyUnit } from '../../application/history.js';
import type { Reviews } from '../../application/reviews.js';
import { buildDossier } from '../../dossier/export.js';
import { verifyDossier } from '../../dossier/verify.js';

export const HTTP_PREFIX = '/api/lookback';

const Id = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$' });
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
const IdempotencyHeaders = Type.Object({ 'idempotency-key': Type.String({ minLength: 1, maxLength: 200 }) });
const CommandResult = Type.Object({
  streamId: Type.String(),
  nextExpectedRevision: Type.Integer(),
  eventIds: Type.Array(Type.String()),
  deduplicated: Type.Boolean(),
});
const CommandReply = Type.Object({ result: CommandResult }, { additionalProperties: true });
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
const DossierBody = Type.Object({ asOf: Type.Optional(Instant) });
const DossierReply = Type.Object({
  files: Type.Object({
    'events.json': Type.String(),
    'report.html': Type.String(),
    'manifest.json': Type.String(),
    'VERIFY.txt': Type.String(),
  }),
  manifest: AnyObject,
});
const VerifyDossierBody = Type.Object({ eventsJson: Type.String(), manifestJson: Type.String(), reportHtml: Type.Optional(Type.String()) });

const list = (v: string | string[] | undefined) =>
  v === undefined
    ? undefined
    : [v]
        .flat()
        .flatMap((s) => s.split(','))
        .filter(Boolean);
const tags = ['lookback'];

export function registerLookbackRoutes(http: FastifyInstance, deps: { store: EventStore; reviews: Reviews }): void {
  const { store, reviews } = deps;

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

  http.get<{ Params: Static<typeof UnitParams> }>(
    `${HTTP_PREFIX}/units/:unitId/integrity`,
    {
      schema: {
        tags,
        summary: 'Verifies the hash chain of every stream holding an event about the unit; names the first broken link',
        params: UnitParams,
        response: { 200: AnyObject, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      requireAuditRead(request.principal);
      return verifyUnit(store, request.params.unitId);
    },
  );

  http.post<{ Params: Static<typeof UnitParams>; Body: Static<typeof DossierBody> }>(
    `${HTTP_PREFIX}/units/:unitId/dossier`,
    {
      schema: {
        tags,
        summary: 'The unit dossier 创建活动档案 as of an instant: events.json, report.html, manifest.json, VERIFY.txt',
        params: UnitParams,
        body: DossierBody,
        response: { 200: DossierReply, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      requireAuditRead(request.principal);
      const dossier = await buildDossier(store, request.params.unitId, request.body?.asOf);
      return { files: dossier.files, manifest: dossier.manifest as unknown as Record<string, unknown> };
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
  http.post<{ Params: Static<typeof ReviewParams>; Body: Static<typeof CheckBody>; Headers: Static<typeof IdempotencyHeaders> }>(
    `${HTTP_PREFIX}/reviews/:reviewId/checks`,
    {
      schema: {
        tags,
        summary: 'Records one of the three checks for a unit (office, inspector)',
        params: ReviewParams,
        headers: IdempotencyHeaders,
        body: CheckBody,
        response: { 200: CommandReply, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) =>
      reviews.RecordLookbackCheck(request.principal, {
        ...request.body,
        reviewId: request.params.reviewId,
        idempotencyKey: request.headers['idempotency-key'],
      }),
  );
  http.post<{ Params: Static<typeof ReviewParams>; Body: Static<typeof RecurrenceBody>; Headers: Static<typeof IdempotencyHeaders> }>(
    `${HTTP_PREFIX}/reviews/:reviewId/recurrences`,
    {
      schema: {
        tags,
        summary: 'Records a recurrence and has inspection mark the rectification regressed; repeat to retry a failed call',
        params: ReviewParams,
        headers: IdempotencyHeaders,
        body: RecurrenceBody,
        response: { 200: CommandReply, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) =>
      reviews.RecordRecurrence(request.principal, {
        ...request.body,
        reviewId: request.params.reviewId,
        idempotencyKey: request.headers['idempotency-key'],
      }),
  );
  http.post<{ Params: Static<typeof ReviewParams>; Body: Static<typeof ConcludeBody>; Headers: Static<typeof IdempotencyHeaders> }>(
    `${HTTP_PREFIX}/reviews/:reviewId/conclude`,
    {
      schema: {
        tags,
        summary: 'Concludes a review with per-unit results (office)',
        params: ReviewParams,
        headers: IdempotencyHeaders,
        body: ConcludeBody,
        response: { 200: CommandReply, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) =>
      reviews.ConcludeLookbackReview(request.principal, {
        ...request.body,
        reviewId: request.params.reviewId,
        idempotencyKey: request.headers['idempotency-key'],
      }),
  );
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
