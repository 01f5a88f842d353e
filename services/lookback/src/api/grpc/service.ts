// LookbackService on grpc-js: the same application as HTTP; requests and replies
// pass through the generated proto3 JSON codecs (fromJSON), the one place proto
// meets the look-back's own shapes. RPCs this version does not serve answer
// UNIMPLEMENTED, never a pretend answer (this version serves every rpc of the proto).
import type * as grpc from '@grpc/grpc-js';
import * as svc from '@wenming/contracts/wenming/lookback/v1/lookback_service.js';
import type { EventStore, RecordedEvent } from '@wenming/eventstore';
import {
  actorJson,
  authenticateCall,
  type CommandReply,
  checkId,
  checkRequestText,
  grpcHandler,
  type Json,
  type LiveStreams,
  NotFoundError,
  type Principal,
  type StreamSession,
  sendWhenDrained,
  envelopeJson as storedEnvelopeJson,
  type TokenVerifier,
  toServiceError,
  ValidationError,
} from '@wenming/service-kit';
import type { Logger } from 'pino';
import { readsEveryUnit, requireAuditRead, requireHistoryRead } from '../../application/access.js';
import type { AuditTrail } from '../../application/audit-trail.js';
import {
  diffAsOf,
  readableEvent,
  stateAsOf,
  type TimelineEntry,
  type TimelineFilter,
  timeline,
  timelinePage,
  toEntry,
} from '../../application/history.js';
import type { Reviews } from '../../application/reviews.js';
import { DOSSIER_FILE_NAMES } from '../../dossier/export.js';
import { sha256Hex } from '../../dossier/verify.js';
import { diffResponseJson, stateResponseJson } from '../state-json.js';

export const LOOKBACK_SERVICE = 'wenming.lookback.v1.LookbackService';

const CONTEXT_ENUM: Record<string, string> = {
  plansubmission: 'BOUNDED_CONTEXT_PLAN_SUBMISSION',
  inspection: 'BOUNDED_CONTEXT_INSPECTION',
  supervision: 'BOUNDED_CONTEXT_SUPERVISION',
  awards: 'BOUNDED_CONTEXT_AWARDS',
  lookback: 'BOUNDED_CONTEXT_LOOKBACK',
};
const CONTEXT_NAME = Object.fromEntries(Object.entries(CONTEXT_ENUM).map(([k, v]) => [v, k]));

/** The envelope as gRPC carries it: the shared mapping, over the event as look-back shows it. */
function envelopeJson(event: RecordedEvent): Json {
  return storedEnvelopeJson(readableEvent(event));
}

function entryJson(entry: TimelineEntry): Json {
  return {
    event: envelopeJson(entry.event),
    context: CONTEXT_ENUM[entry.context] ?? 'BOUNDED_CONTEXT_UNSPECIFIED',
    summary: entry.summary,
  };
}

function filterOf(f: Json | undefined): TimelineFilter {
  if (!f?.unitId) throw new ValidationError('filter.unitId', 'is required');
  if (f.includeDescendants) throw new ValidationError('filter.includeDescendants', 'is not supported yet: ask for each unit');
  if (f.basis === 'TIME_BASIS_OCCURRED') throw new ValidationError('filter.basis', 'only recorded time is supported (the as-of basis)');
  if (f.campaignId) throw new ValidationError('filter.campaignId', 'is not supported yet');
  const contexts = Array.isArray(f.contexts)
    ? f.contexts.map((c: string) => CONTEXT_NAME[c]).filter((c: string | undefined): c is string => c !== undefined)
    : [];
  return {
    unitId: f.unitId,
    ...(f.range?.start ? { from: f.range.start } : {}),
    ...(f.range?.end ? { to: f.range.end } : {}),
    ...(f.asOf ? { asOf: f.asOf } : {}),
    ...(Array.isArray(f.types) && f.types.length ? { types: f.types } : {}),
    ...(contexts.length ? { contexts } : {}),
  };
}

/** The proto's CommandResult; the look-back's replies carry no global position. */
function commandResultJson(r: CommandReply['result']): Json {
  return { ...r, position: 0 };
}

export function addLookbackService(
  server: grpc.Server,
  deps: { store: EventStore; reviews: Reviews; audit: AuditTrail; auth: TokenVerifier; logger: Logger; streams: LiveStreams },
): void {
  const { store, reviews, audit, auth, logger, streams } = deps;
  const unary = <Req, Res>(
    codec: { fromJSON(o: unknown): Res },
    fn: (principal: Principal, req: Req, call: grpc.ServerUnaryCall<Req, Res>) => Promise<Json>,
  ) =>
    grpcHandler<Req, Res>(
      async (call) => {
        const principal = await authenticateCall(auth, call);
        return codec.fromJSON(await fn(principal, call.request, call));
      },
      { logger },
    );
  /**
   * A server stream: `authorize` runs first, before anything is read; then the call
   * counts against the caller's open streams (service-kit's LiveStreams: a per-caller
   * cap, an end when the token expires) and `fn` writes; a throw ends it with the error's status.
   */
  const serverStream =
    <Req, Res>(
      authorize: (principal: Principal, request: Json) => void,
      fn: (principal: Principal, request: Json, call: grpc.ServerWritableStream<Req, Res>, session: StreamSession) => Promise<void>,
      codec: { toJSON(m: Req): unknown },
    ) =>
    (call: grpc.ServerWritableStream<Req, Res>) => {
      void (async () => {
        let session: StreamSession | undefined;
        try {
          const principal = await authenticateCall(auth, call);
          const request = codec.toJSON(call.request) as Json;
          authorize(principal, request);
          session = streams.begin(principal, call);
          await fn(principal, request, call, session);
          session.finish();
        } catch (err) {
          if (session) session.fail(err);
          else call.emit('error', toServiceError(err, logger)); // grpc-js turns an 'error' event into the call's status
        }
      })();
    };
  const toJson = <T>(codec: { toJSON(m: T): unknown }, m: T) => codec.toJSON(m) as Json;
  /** A command's request as the application takes it, after the one text check of every command (service-kit's). */
  const command = <T>(codec: { toJSON(m: T): unknown }, m: T): Json => {
    const req = toJson(codec, m);
    checkRequestText(req);
    return req;
  };
  const handlers: grpc.UntypedServiceImplementation = {
    getUnitTimeline: unary<svc.GetUnitTimelineRequest, svc.GetUnitTimelineResponse>(svc.GetUnitTimelineResponse, async (principal, req) => {
      const r = toJson(svc.GetUnitTimelineRequest, req);
      const filter = { ...filterOf(r.filter), withListed: readsEveryUnit(principal) };
      requireHistoryRead(principal, filter.unitId);
      if (r.descending) throw new ValidationError('descending', 'is not supported yet: page forwards');
      const after = r.page?.pageToken ? Number(r.page.pageToken) : 0;
      if (!Number.isSafeInteger(after) || after < 0) throw new ValidationError('page.pageToken', 'is not a token this server gave');
      const page = await timelinePage(store, filter, after, r.page?.pageSize || undefined);
      return {
        entries: page.entries.map(entryJson),
        page: { nextPageToken: page.nextCursor !== undefined ? String(page.nextCursor) : '' },
      };
    }),
    getUnitStateAsOf: unary<svc.GetUnitStateAsOfRequest, svc.GetUnitStateAsOfResponse>(
      svc.GetUnitStateAsOfResponse,
      async (principal, req) => {
        const r = toJson(svc.GetUnitStateAsOfRequest, req);
        requireHistoryRead(principal, r.unitId);
        if (r.campaignId) throw new ValidationError('campaignId', 'is not supported yet');
        return stateResponseJson(await stateAsOf(store, r.unitId, r.asOf, readsEveryUnit(principal)));
      },
    ),
    diffUnitState: unary<svc.DiffUnitStateRequest, svc.DiffUnitStateResponse>(svc.DiffUnitStateResponse, async (principal, req) => {
      const r = toJson(svc.DiffUnitStateRequest, req);
      requireHistoryRead(principal, r.unitId);
      return diffResponseJson(await diffAsOf(store, r.unitId, r.from, r.to, readsEveryUnit(principal)));
    }),
    // The integrity and dossier calls record what they did (audit-trail.ts): the audit trail of the auditors' reads.
    verifyIntegrity: unary<svc.VerifyIntegrityRequest, svc.VerifyIntegrityResponse>(svc.VerifyIntegrityResponse, async (principal, req) => {
      const out = await audit.verifyIntegrity(principal, command(svc.VerifyIntegrityRequest, req));
      return { result: commandResultJson(out.result), check: out.record.data };
    }),
    getIntegrityCheck: unary<svc.GetIntegrityCheckRequest, svc.GetIntegrityCheckResponse>(
      svc.GetIntegrityCheckResponse,
      async (principal, req) => {
        const found = await audit.getIntegrityCheck(principal, toJson(svc.GetIntegrityCheckRequest, req));
        return { check: found.data, checkedAt: found.recordedAt, ...(found.actor ? { checkedBy: actorJson(found.actor) } : {}) };
      },
    ),
    exportDossier: unary<svc.ExportDossierRequest, svc.ExportDossierResponse>(svc.ExportDossierResponse, async (principal, req) => {
      const out = await audit.exportDossier(principal, command(svc.ExportDossierRequest, req));
      return {
        result: commandResultJson(out.result),
        export: out.record.data,
        files: DOSSIER_FILE_NAMES.map((name) => {
          const content = Buffer.from(out.dossier.files[name], 'utf8');
          return { name, content: content.toString('base64'), sha256: sha256Hex(content) };
        }),
      };
    }),
    listDossierExports: unary<svc.ListDossierExportsRequest, svc.ListDossierExportsResponse>(
      svc.ListDossierExportsResponse,
      async (principal, req) => {
        const out = await audit.listDossierExports(principal, toJson(svc.ListDossierExportsRequest, req));
        return {
          exports: out.records.map((r) => ({
            export: r.data,
            exportedAt: r.recordedAt,
            ...(r.actor ? { exportedBy: actorJson(r.actor) } : {}),
            eventId: r.eventId,
          })),
          page: { nextPageToken: out.nextPageToken },
        };
      },
    ),
    streamDossier: serverStream<svc.StreamDossierRequest, svc.StreamDossierResponse>(
      requireAuditRead,
      async (principal, r, call, session) => {
        const fileName: string = r.fileName ?? '';
        if (fileName && !(DOSSIER_FILE_NAMES as readonly string[]).includes(fileName))
          throw new ValidationError('fileName', `must be one of ${DOSSIER_FILE_NAMES.join(', ')}`);
        const offset = Number(r.offset ?? 0);
        if (!Number.isSafeInteger(offset) || offset < 0) throw new ValidationError('offset', 'must be a byte offset');
        if (offset > 0 && !fileName) throw new ValidationError('offset', 'resumes one file: name it in fileName');
        const chunkSize = r.chunkSize ? Number(r.chunkSize) : 64 * 1024;
        if (!Number.isSafeInteger(chunkSize) || chunkSize < 1 || chunkSize > 1024 * 1024)
          throw new ValidationError('chunkSize', 'must be 1 byte to 1 MiB (0 for 64 KiB)');
        const { dossier } = await audit.dossierFiles(principal, r.exportId);
        const names = fileName ? [fileName as (typeof DOSSIER_FILE_NAMES)[number]] : DOSSIER_FILE_NAMES;
        for (const name of names) {
          const bytes = Buffer.from(dossier.files[name], 'utf8');
          if (offset > bytes.length) throw new ValidationError('offset', `is past the end of ${name} (${bytes.length} bytes)`);
          const sha256 = sha256Hex(bytes);
          let at = offset;
          do {
            const chunk = bytes.subarray(at, Math.min(at + chunkSize, bytes.length));
            const last = at + chunk.length >= bytes.length;
            const sent = await sendWhenDrained(
              call,
              svc.StreamDossierResponse.fromJSON({
                offset: at,
                chunk: chunk.toString('base64'),
                last,
                fileName: name,
                fileSize: bytes.length,
                ...(last ? { sha256 } : {}),
              }),
              session.signal,
            );
            if (!sent) return;
            at += chunk.length;
          } while (at < bytes.length);
        }
      },
      svc.StreamDossierRequest,
    ),
    openLookbackReview: unary<svc.OpenLookbackReviewRequest, svc.OpenLookbackReviewResponse>(
      svc.OpenLookbackReviewResponse,
      async (principal, req) => {
        const out = await reviews.OpenLookbackReview(principal, command(svc.OpenLookbackReviewRequest, req));
        return { result: commandResultJson(out.result), reviewId: out.reviewId };
      },
    ),
    recordLookbackCheck: unary<svc.RecordLookbackCheckRequest, svc.RecordLookbackCheckResponse>(
      svc.RecordLookbackCheckResponse,
      async (principal, req) => {
        const out = await reviews.RecordLookbackCheck(principal, command(svc.RecordLookbackCheckRequest, req));
        return { result: commandResultJson(out.result) };
      },
    ),
    recordRecurrence: unary<svc.RecordRecurrenceRequest, svc.RecordRecurrenceResponse>(
      svc.RecordRecurrenceResponse,
      async (principal, req, call) => {
        const [bearer] = call.metadata.get('authorization');
        const out = await reviews.RecordRecurrence(principal, command(svc.RecordRecurrenceRequest, req), {
          ...(typeof bearer === 'string' ? { bearer } : {}),
        });
        return { result: commandResultJson(out.result), recurrenceId: out.recurrenceId };
      },
    ),
    recommendTitleRevocation: unary<svc.RecommendTitleRevocationRequest, svc.RecommendTitleRevocationResponse>(
      svc.RecommendTitleRevocationResponse,
      async (principal, req) => ({
        result: commandResultJson(
          (await reviews.RecommendTitleRevocation(principal, command(svc.RecommendTitleRevocationRequest, req))).result,
        ),
      }),
    ),
    concludeLookbackReview: unary<svc.ConcludeLookbackReviewRequest, svc.ConcludeLookbackReviewResponse>(
      svc.ConcludeLookbackReviewResponse,
      async (principal, req) => {
        const out = await reviews.ConcludeLookbackReview(principal, command(svc.ConcludeLookbackReviewRequest, req));
        return { result: commandResultJson(out.result), results: out.results };
      },
    ),
    getLookbackReview: unary<svc.GetLookbackReviewRequest, svc.GetLookbackReviewResponse>(
      svc.GetLookbackReviewResponse,
      async (principal, req) => {
        const { review } = await reviews.GetLookbackReview(principal, toJson(svc.GetLookbackReviewRequest, req));
        return { review: reviewJson(review) };
      },
    ),
    listLookbackReviews: unary<svc.ListLookbackReviewsRequest, svc.ListLookbackReviewsResponse>(
      svc.ListLookbackReviewsResponse,
      async (principal, req) => {
        const out = await reviews.ListLookbackReviews(principal, toJson(svc.ListLookbackReviewsRequest, req));
        return { reviews: out.reviews.map(reviewJson), page: { nextPageToken: out.nextPageToken } };
      },
    ),
    getEvent: unary<svc.GetEventRequest, svc.GetEventResponse>(svc.GetEventResponse, async (principal, req) => {
      const r = toJson(svc.GetEventRequest, req);
      if (!r.eventId) throw new ValidationError('eventId', 'is required');
      checkId('eventId', r.eventId);
      // Permission first: a caller who may read no history at all is refused before anything is read.
      if (!canAudit(principal) && !principal.roles.includes('unit')) requireAuditRead(principal);
      const e = await store.readEventById(r.eventId);
      // Another unit's event and no event look alike to a unit user: NOT_FOUND both.
      const readable =
        e && (typeof e.metadata.unitId === 'string' && e.metadata.unitId ? canReadUnit(principal, e.metadata.unitId) : canAudit(principal));
      if (!e || !readable) throw new NotFoundError('event', r.eventId);
      return { entry: entryJson(toEntry(e)) };
    }),
    streamUnitTimeline: serverStream<svc.StreamUnitTimelineRequest, svc.StreamUnitTimelineResponse>(
      (principal, r) => requireHistoryRead(principal, filterOf(r.filter).unitId),
      async (principal, r, call, session) => {
        const filter = { ...filterOf(r.filter), withListed: readsEveryUnit(principal) };
        // Watching before the first read: an event recorded after it is read, or wakes the follow.
        const watch = r.follow ? await session.watch((e) => e.metadata.unitId === filter.unitId) : undefined;
        let after = Number(r.afterPosition ?? 0);
        do {
          for await (const entry of timeline(store, filter, after)) {
            if (!(await sendWhenDrained(call, svc.StreamUnitTimelineResponse.fromJSON({ entry: entryJson(entry) }), session.signal)))
              return;
            after = entry.position;
          }
        } while (watch && !session.signal.aborted && (await watch.next()));
      },
      svc.StreamUnitTimelineRequest,
    ),
    streamEvents: serverStream<svc.StreamEventsRequest, svc.StreamEventsResponse>(
      requireAuditRead,
      async (_principal, r, call, session) => {
        if (!r.streamId) throw new ValidationError('streamId', 'is required');
        const asOf = r.asOf ? Date.parse(r.asOf) : Number.POSITIVE_INFINITY;
        for await (const e of store.readStream(r.streamId, { fromRevision: Number(r.fromRevision ?? 0) })) {
          if (Date.parse(e.recordedAt) > asOf) continue;
          if (!(await sendWhenDrained(call, svc.StreamEventsResponse.fromJSON({ event: envelopeJson(e) }), session.signal))) return;
        }
      },
      svc.StreamEventsRequest,
    ),
  };
  server.addService(svc.LookbackServiceService, handlers);
}

/** requireHistoryRead as a yes or no. */
function canReadUnit(principal: Principal, unitId: string): boolean {
  try {
    requireHistoryRead(principal, unitId);
    return true;
  } catch {
    return false;
  }
}

function canAudit(principal: Principal): boolean {
  try {
    requireAuditRead(principal);
    return true;
  } catch {
    return false;
  }
}

function reviewJson(review: Awaited<ReturnType<Reviews['GetLookbackReview']>>['review']): Json {
  return {
    reviewId: review.reviewId,
    campaignId: review.campaignId ?? '',
    title: review.title,
    unitIds: review.unitIds,
    ...(review.reviewedPeriod ? { reviewedPeriod: review.reviewedPeriod } : {}),
    reviewers: review.reviewers,
    status: review.status === 'concluded' ? 'REVIEW_STATUS_CONCLUDED' : 'REVIEW_STATUS_OPEN',
    checks: review.checks,
    recurrences: review.recurrences,
    revocationsRecommended: review.revocations,
    conclusion: review.status === 'concluded' ? review.conclusion : '',
    results: review.status === 'concluded' ? review.results : [],
    revision: review.revision ?? 0,
  };
}
