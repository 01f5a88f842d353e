// The unit dossier 创建活动档案: one self-contained file set an auditor can carry away
// and a second auditor can re-check with nothing but sha256 and a JSON canonicaliser.
//   events.json    every event about the unit recorded by the as-of instant, full envelope
//   report.html    readable: state, rectifications with every step, scores, titles, timeline
//   manifest.json  per stream: event count and last hash; sha256 of events.json and report.html
//   VERIFY.txt     how to re-check it offline
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EventStore, RecordedEvent } from '@wenming/eventstore';
import { ValidationError } from '@wenming/service-kit';
import { checkUnitId, readUnitHistory } from '../application/history.js';
import { recordedBy } from '../domain/history-event.js';
import { summarize } from '../domain/summaries.js';
import { unitStateAsOf } from '../domain/unit-state.js';
import { renderReport } from './report-html.js';
import { DOSSIER_FORMAT, type DossierEvent, type DossierManifest, sha256Hex, streamDigests } from './verify.js';

export interface DossierFiles {
  'events.json': string;
  'report.html': string;
  'manifest.json': string;
  'VERIFY.txt': string;
}

export interface Dossier {
  files: DossierFiles;
  manifest: DossierManifest;
}

export const DOSSIER_FILE_NAMES = ['events.json', 'report.html', 'manifest.json', 'VERIFY.txt'] as const;

/**
 * Builds the dossier from the store: the unit's events recorded by `asOf` (all when
 * absent), up to global position `maxPosition` (a recorded export, rebuilt as it was).
 */
export async function buildDossier(
  store: EventStore,
  unitId: string,
  asOf?: string,
  maxPosition = Number.POSITIVE_INFINITY,
): Promise<Dossier> {
  checkUnitId(unitId);
  const asOfMs = asOf === undefined ? Number.POSITIVE_INFINITY : Date.parse(asOf);
  if (Number.isNaN(asOfMs)) throw new ValidationError('asOf', `${JSON.stringify(asOf)} is not an ISO-8601 instant`);
  const events: RecordedEvent[] = [];
  for await (const e of readUnitHistory(store, unitId)) {
    if (e.position > maxPosition) break;
    if (recordedBy(e, asOfMs)) events.push(e);
  }
  return dossierFromEvents(unitId, events, asOf);
}

/** Pure: the files for these events (in global order). */
export function dossierFromEvents(unitId: string, events: readonly RecordedEvent[], asOf?: string): Dossier {
  const envelopes: DossierEvent[] = events.map((e) => ({
    id: e.id,
    type: e.type,
    streamId: e.streamId,
    revision: e.revision,
    position: e.position,
    occurredAt: e.occurredAt,
    recordedAt: e.recordedAt,
    data: e.data,
    metadata: e.metadata as unknown as DossierEvent['metadata'],
  }));
  const eventsJson = `${JSON.stringify(envelopes, null, 2)}\n`;
  const state = unitStateAsOf(unitId, events, asOf);
  const streams = streamDigests(envelopes);
  const eventsSha256 = sha256Hex(eventsJson);
  const reportHtml = renderReport({
    unitId,
    asOf,
    state,
    entries: events.map((e) => ({ event: e, summary: summarize(e) })),
    streams,
    eventsSha256,
  });
  const manifest: DossierManifest = {
    format: DOSSIER_FORMAT,
    unitId,
    ...(asOf !== undefined ? { asOf } : {}),
    asOfPosition: events.at(-1)?.position ?? 0,
    eventCount: events.length,
    eventsSha256,
    reportSha256: sha256Hex(reportHtml),
    streams,
    hashAlgorithm:
      'event hash = sha256(RFC 8785 canonical JSON of {data, id, metadata without prevHash/hash, occurredAt, prevHash, recordedAt, revision, streamId, type}), lower-case hex; revision 0 links to 64 zeros',
  };
  return {
    manifest,
    files: {
      'events.json': eventsJson,
      'report.html': reportHtml,
      'manifest.json': `${JSON.stringify(manifest, null, 2)}\n`,
      'VERIFY.txt': verifyText(manifest),
    },
  };
}

export async function writeDossier(dir: string, dossier: Dossier): Promise<string[]> {
  // A unit's whole record: readable by the user who exported it only (0700 / 0600),
  // whatever the umask; who else gets it is that user's decision.
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const written: string[] = [];
  for (const name of DOSSIER_FILE_NAMES) {
    const path = join(dir, name);
    await writeFile(path, dossier.files[name], { encoding: 'utf8', mode: 0o600 });
    await chmod(path, 0o600);
    written.push(path);
  }
  return written;
}

function verifyText(m: DossierManifest): string {
  return `Wenming unit dossier 创建活动档案 — how to re-check it offline
================================================================

Unit:        ${m.unitId}
As of:       ${m.asOf ?? '(everything recorded at export)'}  (what had been RECORDED by then: recordedAt)
Events:      ${m.eventCount}, last global position ${m.asOfPosition}
events.json  sha256 ${m.eventsSha256}
report.html  sha256 ${m.reportSha256 ?? '-'}

Nothing below needs Wenming, its database or a network: only sha256 and an
RFC 8785 (JSON Canonicalization Scheme) implementation, e.g. the npm package
"canonicalize", Python "rfc8785", or Go "github.com/gowebpki/jcs".

1. File digests. sha256 of events.json (exact bytes) must equal "eventsSha256"
   in manifest.json, and that of report.html must equal "reportSha256":
       sha256sum events.json report.html

2. Every event's hash. For each event E of events.json (a JSON array), build
       {"data": E.data, "id": E.id, "metadata": M, "occurredAt": E.occurredAt,
        "prevHash": E.metadata.prevHash, "recordedAt": E.recordedAt,
        "revision": E.revision, "streamId": E.streamId, "type": E.type}
   where M is E.metadata without its "prevHash" and "hash" members; serialise
   it with RFC 8785; sha256 of those UTF-8 bytes, in lower-case hex, must equal
   E.metadata.hash. A difference means E was altered after it was recorded.

3. The chains. Group the events by streamId and sort by revision. An event at
   revision 0 must have prevHash = 64 zeros; an event whose previous revision
   is also in the file must have prevHash = that event's hash. (A stream may
   hold events about other units too — a campaign-wide inspection, say — so
   revisions can skip; "contiguousFromGenesis" in the manifest says which
   streams are complete here. Those gaps are checked against the live store:
       POST /api/lookback/integrity-checks {"scope": {"unitId": "${m.unitId}"}}
   (with an Idempotency-Key header; the check is recorded), or the lastHash
   of each stream below compared with the store's event at that revision.)

4. The manifest. For every stream, the number of events, the last revision and
   the hash of the last event must equal the manifest's "streams" entry, and
   every event must have recordedAt <= "asOf" and increasing "position".

Wenming does all of this in one function, verifyDossier() in
services/lookback/src/dossier/verify.ts, and on the command line:
    npm run -s wenming -- dossier --verify <this directory>

Streams (stream id, events, last revision, last hash):
${m.streams.map((s) => `  ${s.streamId}  ${s.eventCount}  r${s.lastRevision}  ${s.lastHash}${s.contiguousFromGenesis ? '' : '  (partial: other units\u2019 events omitted)'}`).join('\n')}
`;
}
