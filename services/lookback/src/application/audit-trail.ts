// The audit trail of the auditors' own reads: an integrity check run and a dossier
// exported are recorded as events, IntegrityChecked on integritycheck-<id> and
// DossierExported on dossierexport-<id>, with the auditor (or office, admin) as actor.
// Auditors are read-only for the domain: these events change no plan, rectification
// or title, and no read model folds them into one. But that an audit happened — who
// checked which chains when and found what, who took which dossier with which digest —
// is itself part of the record a second auditor looks back on, so it is recorded, in
// the same hash-chained store, and shows in the unit's timeline when it concerns a unit.
//
// The ids derive from the caller and its idempotency key: the same key answers with
// what was recorded the first time (a dossier is then rebuilt as recorded, not anew).
import { createHash } from 'node:crypto';
import type { EventStore, RecordedEvent } from '@wenming/eventstore';
import {
  commandReply,
  ForbiddenTransitionError,
  handleCommand,
  type Json,
  NotFoundError,
  type Principal,
  ValidationError,
} from '@wenming/service-kit';
import { buildDossier, DOSSIER_FILE_NAMES, type Dossier } from '../dossier/export.js';
import { sha256Hex } from '../dossier/verify.js';
import { requireAuditRead } from './access.js';
import { actorOf, requireIdempotencyKey } from './commands.js';
import { checkUnitId, isId, verifyStream, verifyUnit } from './history.js';

export const DOSSIER_EXPORT_CATEGORY = 'dossierexport';
export const INTEGRITY_CHECK_CATEGORY = 'integritycheck';
export const dossierExportStream = (exportId: string) => `${DOSSIER_EXPORT_CATEGORY}-${exportId}`;
export const integrityCheckStream = (checkId: string) => `${INTEGRITY_CHECK_CATEGORY}-${checkId}`;

/** What a recorded export or check says, with who and when (from the envelope). */
export interface AuditRecord {
  data: Json;
  recordedAt: string;
  actor?: { id: string; role: string };
  eventId: string;
  streamId: string;
}

type RecordEvent = { type: 'IntegrityChecked' | 'DossierExported'; data: Json };

/** One event per stream, once: the decider of both audit records. */
const onceDecider = {
  initialState: (): Json | undefined => undefined,
  evolve: (_state: Json | undefined, event: RecordEvent) => event.data,
  decide: (command: RecordEvent, state: Json | undefined): RecordEvent[] => {
    if (state !== undefined) throw new ForbiddenTransitionError('recorded', `record ${command.type}`, 'this id is taken');
    return [command];
  },
};

function idFor(prefix: string, principal: Principal, idempotencyKey: unknown): string {
  requireIdempotencyKey(idempotencyKey);
  return `${prefix}-${createHash('sha256').update(`${principal.id}\u0000${idempotencyKey}`).digest('hex').slice(0, 24)}`;
}

function toRecord(e: RecordedEvent): AuditRecord {
  return {
    data: e.data as Json,
    recordedAt: e.recordedAt,
    ...(e.metadata.actor ? { actor: e.metadata.actor } : {}),
    eventId: e.id,
    streamId: e.streamId,
  };
}

async function readRecord(store: EventStore, streamId: string, type: string): Promise<AuditRecord | undefined> {
  for await (const e of store.readStream(streamId)) if (e.type === type) return toRecord(e);
  return undefined;
}

export interface AuditTrailDeps {
  store: EventStore;
  now?: () => Date;
}

export function createAuditTrail(deps: AuditTrailDeps) {
  const { store } = deps;
  const now = deps.now ?? (() => new Date());

  async function record(principal: Principal, streamId: string, event: RecordEvent, idempotencyKey: string, unitId?: string) {
    const r = await handleCommand({
      store,
      streamId,
      decider: onceDecider,
      command: event,
      idempotencyKey,
      metadata: { actor: actorOf(principal), ...(unitId ? { unitId } : {}) },
      ...(unitId ? {} : { unitless: true }),
      now,
    });
    const recorded = await readRecord(store, streamId, event.type);
    if (!recorded) throw new Error(`${streamId}: the ${event.type} just recorded cannot be read back`);
    return commandReply(r, { record: recorded });
  }

  /** Rebuilds the files of a recorded export; refuses when the store no longer gives the recorded digest. */
  async function filesOf(exported: Json): Promise<Dossier> {
    const dossier = await buildDossier(store, exported.unitId, exported.asOf, Number(exported.asOfPosition));
    const sha = sha256Hex(dossier.files['manifest.json']);
    if (sha !== exported.sha256)
      throw new ForbiddenTransitionError(
        `export ${exported.exportId} recorded with manifest sha256 ${exported.sha256}`,
        'rebuild the dossier',
        `the store now gives ${sha}: verify the integrity of unit ${exported.unitId}`,
      );
    return dossier;
  }

  return {
    async verifyIntegrity(principal: Principal, req: Json) {
      requireAuditRead(principal);
      const scope: Json = req.scope ?? {};
      const checkId = idFor('ic', principal, req.idempotencyKey);
      let check: Json;
      if (scope.unitId) {
        const u = await verifyUnit(store, scope.unitId);
        check = {
          checkId,
          scope: { unitId: scope.unitId },
          asOfPosition: u.asOfPosition,
          streamsChecked: u.streamsChecked,
          eventsChecked: u.eventsChecked,
          intact: u.intact,
          ...(u.firstBroken ? { firstBrokenLink: brokenJson(u.firstBroken.streamId, u.firstBroken) } : {}),
          brokenStreamIds: u.streams.filter((s) => !s.ok).map((s) => s.streamId),
        };
      } else if (scope.streamId) {
        if (typeof scope.streamId !== 'string') throw new ValidationError('scope.streamId', 'is not a stream id');
        const s = await verifyStream(store, scope.streamId);
        check = {
          checkId,
          scope: { streamId: scope.streamId },
          streamsChecked: 1,
          eventsChecked: s.checked,
          intact: s.ok,
          ...(s.firstBroken ? { firstBrokenLink: brokenJson(s.streamId, s.firstBroken) } : {}),
          brokenStreamIds: s.ok ? [] : [s.streamId],
        };
      } else {
        throw new ValidationError('scope', 'name a unit_id or a stream_id (the whole store is checked by `wenming verify`)');
      }
      const out = await record(
        principal,
        integrityCheckStream(checkId),
        { type: 'IntegrityChecked', data: check },
        req.idempotencyKey,
        scope.unitId,
      );
      return out;
    },

    async getIntegrityCheck(principal: Principal, req: Json): Promise<AuditRecord> {
      requireAuditRead(principal);
      if (!isId(req.checkId)) throw new ValidationError('checkId', 'is required');
      const found = await readRecord(store, integrityCheckStream(req.checkId), 'IntegrityChecked');
      if (!found) throw new NotFoundError('integrity check', req.checkId);
      return found;
    },

    async exportDossier(principal: Principal, req: Json) {
      requireAuditRead(principal);
      checkUnitId(req.unitId);
      if (req.campaignId) throw new ValidationError('campaignId', 'is not supported yet: a dossier covers the whole unit');
      if (req.format && req.format !== 'DOSSIER_FORMAT_UNSPECIFIED' && req.format !== 'DOSSIER_FORMAT_FILES')
        throw new ValidationError('format', 'only DOSSIER_FORMAT_FILES (wenming-dossier/1) is served');
      const exportId = idFor('dx', principal, req.idempotencyKey);
      const streamId = dossierExportStream(exportId);
      // A repeat answers with the first export, rebuilt as recorded.
      const previous = await readRecord(store, streamId, 'DossierExported');
      if (previous) {
        const out = await record(principal, streamId, { type: 'DossierExported', data: previous.data }, req.idempotencyKey, req.unitId);
        return { ...out, dossier: await filesOf(out.record.data) };
      }
      const asOfMs = req.asOf ? Date.parse(req.asOf) : now().getTime();
      if (Number.isNaN(asOfMs)) throw new ValidationError('asOf', 'is not an instant');
      const asOf = new Date(asOfMs).toISOString();
      const dossier = await buildDossier(store, req.unitId, asOf);
      const m = dossier.manifest;
      const data: Json = {
        exportId,
        unitId: req.unitId,
        asOf,
        asOfPosition: m.asOfPosition,
        format: 'DOSSIER_FORMAT_FILES',
        eventCount: m.eventCount,
        sizeBytes: DOSSIER_FILE_NAMES.reduce((n, name) => n + Buffer.byteLength(dossier.files[name], 'utf8'), 0),
        sha256: sha256Hex(dossier.files['manifest.json']),
        heads: m.streams.map((s) => ({ streamId: s.streamId, revision: s.lastRevision, hash: s.lastHash })),
      };
      const out = await record(principal, streamId, { type: 'DossierExported', data }, req.idempotencyKey, req.unitId);
      // A concurrent first call with the same key may have won: answer with what was recorded.
      return { ...out, dossier: out.record.data.sha256 === data.sha256 ? dossier : await filesOf(out.record.data) };
    },

    /** The files of a recorded export, rebuilt from the store and checked against the recorded digest. */
    async dossierFiles(principal: Principal, exportId: unknown): Promise<{ record: AuditRecord; dossier: Dossier }> {
      requireAuditRead(principal);
      if (!isId(exportId)) throw new ValidationError('exportId', 'is required');
      const found = await readRecord(store, dossierExportStream(exportId), 'DossierExported');
      if (!found) throw new NotFoundError('dossier export', exportId);
      return { record: found, dossier: await filesOf(found.data) };
    },

    /** Recorded exports, newest first: through the unit's index, else one pass over the log. */
    async listDossierExports(principal: Principal, req: Json): Promise<{ records: AuditRecord[]; nextPageToken: string }> {
      requireAuditRead(principal);
      if (req.unitId) checkUnitId(req.unitId);
      const size = Math.min(Math.max(Number(req.page?.pageSize) || 50, 1), 500);
      const skip = req.page?.pageToken ? Number(req.page.pageToken) : 0;
      if (!Number.isSafeInteger(skip) || skip < 0) throw new ValidationError('page.pageToken', 'is not a token this server gave');
      const all: AuditRecord[] = [];
      const source = req.unitId ? store.readUnit(req.unitId) : store.readAll();
      for await (const e of source)
        if (e.type === 'DossierExported' && e.streamId.startsWith(`${DOSSIER_EXPORT_CATEGORY}-`)) all.push(toRecord(e));
      all.reverse();
      const page = all.slice(skip, skip + size);
      return { records: page, nextPageToken: skip + size < all.length ? String(skip + size) : '' };
    },
  };
}

export type AuditTrail = ReturnType<typeof createAuditTrail>;

export function brokenJson(
  streamId: string,
  b: { revision: number; eventId: string; reason: string; expected: string; actual: string },
): Json {
  const problem =
    b.reason === 'hash-mismatch'
      ? 'LINK_PROBLEM_HASH_MISMATCH'
      : b.reason === 'prev-hash-mismatch'
        ? 'LINK_PROBLEM_PREV_HASH_MISMATCH'
        : 'LINK_PROBLEM_MISSING_REVISION';
  return { streamId, revision: b.revision, eventId: b.eventId, problem, expectedHash: b.expected, actualHash: b.actual };
}
