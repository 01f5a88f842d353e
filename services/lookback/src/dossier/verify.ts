// The offline check of a dossier 创建活动档案: given only its files, a second auditor
// recomputes every event's hash (sha256 over the RFC 8785 canonical JSON of the
// event without its own hash, as libs/eventstore/src/hash-chain.ts defines it),
// follows each stream's links, and compares the manifest's digests. Pure: no store,
// no network, no clock; the same files always give the same answer.
import { createHash } from 'node:crypto';
import type { RecordedEvent } from '@wenming/eventstore';
import canonicalize from 'canonicalize';

export const GENESIS_HASH = '0'.repeat(64);
export const DOSSIER_FORMAT = 'wenming-dossier/1';

/** An event of events.json: the store's envelope, with whatever metadata the file holds beside the links. */
export type DossierEvent = Omit<RecordedEvent, 'metadata'> & { metadata: Record<string, unknown> & { prevHash: string; hash: string } };

export interface StreamDigest {
  streamId: string;
  eventCount: number;
  firstRevision: number;
  lastRevision: number;
  /** Hash of the stream's last event in the dossier: compare with the live store's chain. */
  lastHash: string;
  /** True when the dossier holds the stream from revision 0 without a gap (else the stream also holds other units' events). */
  contiguousFromGenesis: boolean;
}

export interface DossierManifest {
  format: typeof DOSSIER_FORMAT;
  unitId: string;
  asOf?: string;
  asOfPosition: number;
  eventCount: number;
  /** sha256 (hex) of events.json exactly as written. */
  eventsSha256: string;
  /** sha256 (hex) of report.html exactly as written. */
  reportSha256?: string;
  streams: StreamDigest[];
  hashAlgorithm: string;
}

export type DossierProblem =
  | { kind: 'events-digest'; expected: string; actual: string }
  | { kind: 'report-digest'; expected: string; actual: string }
  | { kind: 'malformed'; detail: string }
  | { kind: 'hash-mismatch' | 'prev-hash-mismatch'; streamId: string; revision: number; eventId: string; expected: string; actual: string }
  | { kind: 'order'; eventId: string; detail: string }
  | { kind: 'after-as-of'; eventId: string; recordedAt: string }
  | { kind: 'manifest-stream'; streamId: string; detail: string };

export interface DossierVerification {
  ok: boolean;
  eventsChecked: number;
  streamsChecked: number;
  problems: DossierProblem[];
  /** The first event whose content or link does not hold: where the auditor starts looking. */
  firstBrokenEvent?: { streamId: string; revision: number; eventId: string; kind: string };
}

export function sha256Hex(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The hash an event must carry, recomputed from its fields alone. */
export function recomputeHash(event: DossierEvent): string {
  const { prevHash, hash: _hash, ...writer } = event.metadata;
  const canonical = canonicalize({
    data: event.data,
    id: event.id,
    metadata: writer,
    occurredAt: event.occurredAt,
    prevHash,
    recordedAt: event.recordedAt,
    revision: event.revision,
    streamId: event.streamId,
    type: event.type,
  });
  if (canonical === undefined) throw new TypeError(`event ${event.id} has no JSON form`);
  return sha256Hex(canonical);
}

/** The per-stream digests of a list of events (the manifest's `streams`). */
export function streamDigests(events: readonly DossierEvent[]): StreamDigest[] {
  return [...byStreamOf(events).entries()].map(([streamId, list]) => {
    const sorted = [...list].sort((a, b) => a.revision - b.revision);
    return {
      streamId,
      eventCount: sorted.length,
      firstRevision: sorted[0]!.revision,
      lastRevision: sorted.at(-1)!.revision,
      lastHash: sorted.at(-1)!.metadata.hash,
      contiguousFromGenesis: sorted.every((e, i) => e.revision === i),
    };
  });
}

/**
 * Checks a dossier from its files' contents: `eventsJson` and `manifestJson` as read
 * from disk (the digests are over the exact bytes), `reportHtml` when present.
 */
export function verifyDossier(files: { eventsJson: string; manifestJson: string; reportHtml?: string }): DossierVerification {
  const problems: DossierProblem[] = [];
  let manifest: DossierManifest;
  let events: DossierEvent[];
  try {
    manifest = JSON.parse(files.manifestJson) as DossierManifest;
    events = JSON.parse(files.eventsJson) as DossierEvent[];
    if (!Array.isArray(events)) throw new TypeError('events.json is not an array of events');
    const bad = events.findIndex((e) => typeof e !== 'object' || e === null || typeof e.metadata !== 'object' || e.metadata === null);
    if (bad >= 0) throw new TypeError(`events.json[${bad}] is not an event with metadata`);
  } catch (err) {
    return { ok: false, eventsChecked: 0, streamsChecked: 0, problems: [{ kind: 'malformed', detail: (err as Error).message }] };
  }

  const eventsSha = sha256Hex(files.eventsJson);
  if (eventsSha !== manifest.eventsSha256) problems.push({ kind: 'events-digest', expected: manifest.eventsSha256, actual: eventsSha });
  if (files.reportHtml !== undefined && manifest.reportSha256 !== undefined) {
    const reportSha = sha256Hex(files.reportHtml);
    if (reportSha !== manifest.reportSha256) problems.push({ kind: 'report-digest', expected: manifest.reportSha256, actual: reportSha });
  }

  // Each event's own hash: any edit of its content shows here, naming the event.
  const asOfMs = manifest.asOf !== undefined ? Date.parse(manifest.asOf) : Number.POSITIVE_INFINITY;
  let lastPosition = -1;
  for (const e of events) {
    let recomputed: string;
    try {
      recomputed = recomputeHash(e);
    } catch (err) {
      problems.push({ kind: 'malformed', detail: `event ${e?.id}: ${(err as Error).message}` });
      continue;
    }
    if (recomputed !== e.metadata.hash) {
      problems.push({
        kind: 'hash-mismatch',
        streamId: e.streamId,
        revision: e.revision,
        eventId: e.id,
        expected: recomputed,
        actual: e.metadata.hash,
      });
    }
    if (!(e.position > lastPosition))
      problems.push({ kind: 'order', eventId: e.id, detail: `position ${e.position} does not follow ${lastPosition}` });
    lastPosition = e.position;
    if (Date.parse(e.recordedAt) > asOfMs) problems.push({ kind: 'after-as-of', eventId: e.id, recordedAt: e.recordedAt });
  }

  // The links: consecutive revisions of a stream must chain; revision 0 starts from the genesis hash.
  const byStream = byStreamOf(events);
  for (const list of byStream.values()) {
    const sorted = [...list].sort((a, b) => a.revision - b.revision);
    sorted.forEach((e, i) => {
      const previous = sorted[i - 1];
      const expectedPrev = e.revision === 0 ? GENESIS_HASH : previous?.revision === e.revision - 1 ? previous.metadata.hash : undefined;
      if (expectedPrev !== undefined && e.metadata.prevHash !== expectedPrev) {
        problems.push({
          kind: 'prev-hash-mismatch',
          streamId: e.streamId,
          revision: e.revision,
          eventId: e.id,
          expected: expectedPrev,
          actual: e.metadata.prevHash,
        });
      }
    });
  }

  // The manifest's heads: what the exporter saw must be what the files hold.
  const digests = new Map(streamDigests(events).map((d) => [d.streamId, d]));
  for (const head of manifest.streams ?? []) {
    const d = digests.get(head.streamId);
    if (!d) problems.push({ kind: 'manifest-stream', streamId: head.streamId, detail: 'listed in the manifest, absent from events.json' });
    else if (d.lastHash !== head.lastHash || d.eventCount !== head.eventCount || d.lastRevision !== head.lastRevision) {
      problems.push({
        kind: 'manifest-stream',
        streamId: head.streamId,
        detail: `manifest says ${head.eventCount} events ending at r${head.lastRevision} ${head.lastHash}; events.json has ${d.eventCount} ending at r${d.lastRevision} ${d.lastHash}`,
      });
    }
  }
  for (const streamId of digests.keys()) {
    if (!(manifest.streams ?? []).some((s) => s.streamId === streamId)) {
      problems.push({ kind: 'manifest-stream', streamId, detail: 'in events.json, not in the manifest' });
    }
  }
  if (manifest.eventCount !== events.length) {
    problems.push({
      kind: 'manifest-stream',
      streamId: '*',
      detail: `manifest says ${manifest.eventCount} events; events.json has ${events.length}`,
    });
  }

  const positions = new Map(events.map((e) => [e.id, e.position]));
  const broken = problems
    .filter(
      (p): p is Extract<DossierProblem, { kind: 'hash-mismatch' | 'prev-hash-mismatch' }> =>
        p.kind === 'hash-mismatch' || p.kind === 'prev-hash-mismatch',
    )
    .sort((a, b) => (positions.get(a.eventId) ?? Infinity) - (positions.get(b.eventId) ?? Infinity))[0];
  return {
    ok: problems.length === 0,
    eventsChecked: events.length,
    streamsChecked: byStream.size,
    problems,
    ...(broken
      ? { firstBrokenEvent: { streamId: broken.streamId, revision: broken.revision, eventId: broken.eventId, kind: broken.kind } }
      : {}),
  };
}

/** The events of each stream, in file order: one pass (appending to a copy per event made a 100,000-event stream quadratic). */
function byStreamOf(events: readonly DossierEvent[]): Map<string, DossierEvent[]> {
  const byStream = new Map<string, DossierEvent[]>();
  for (const e of events) {
    const list = byStream.get(e.streamId);
    if (list) list.push(e);
    else byStream.set(e.streamId, [e]);
  }
  return byStream;
}
