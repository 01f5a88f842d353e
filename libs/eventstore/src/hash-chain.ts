// The per-stream hash chain (DESIGN §2 "Integrity"): each event's hash covers its
// canonical JSON (RFC 8785) and the previous event's hash, so editing, removing or
// reordering any stored event breaks every later link, and an auditor can re-check
// a stream offline with nothing but sha256 and a JSON canonicaliser.
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';
import type { EventMetadata, RecordedEvent, VerifyResult } from './types.js';

export const GENESIS_HASH = '0'.repeat(64);

export interface HashedFields {
  id: string;
  type: string;
  streamId: string;
  revision: number;
  occurredAt: string;
  recordedAt: string;
  data: unknown;
  /** Writer metadata including schemaVersion; never prevHash/hash. */
  metadata: EventMetadata;
  /**
   * RFC 8785 forms of data and metadata, when already computed: appends compute
   * them before taking a stream's lock, so the lock is held only for a sha256.
   */
  canonical?: { data: string; metadata: string };
}

/**
 * sha256 of the RFC 8785 (JCS) form of
 * `{data, id, metadata, occurredAt, prevHash, recordedAt, revision, streamId, type}`.
 * The object is assembled by hand in JCS key order from the canonical parts; the
 * unit test checks it equals canonicalize() of the whole object, which is what an
 * auditor re-checking a dossier offline computes.
 */
export function eventHash(prevHash: string, event: HashedFields): string {
  const data = event.canonical?.data ?? jcs(event.data);
  const metadata = event.canonical?.metadata ?? jcs(event.metadata);
  const canonical =
    `{"data":${data},"id":${JSON.stringify(event.id)},"metadata":${metadata},` +
    `"occurredAt":${JSON.stringify(event.occurredAt)},"prevHash":${JSON.stringify(prevHash)},` +
    `"recordedAt":${JSON.stringify(event.recordedAt)},"revision":${event.revision},` +
    `"streamId":${JSON.stringify(event.streamId)},"type":${JSON.stringify(event.type)}}`;
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * RFC 8785 canonical JSON; throws on what JSON cannot carry (lone surrogates included).
 * Iterative (canonical-json.ts, held equal to the `canonicalize` package by its unit
 * test), so an event stored nested deeper than a recursive walk can follow is still
 * verified rather than failing the whole check with a stack overflow.
 */
export function jcs(value: unknown): string {
  return canonicalJson(value, 'event');
}

/** Splits stored metadata into what the hash covers and the chain links. */
export function writerMetadata(metadata: RecordedEvent['metadata']): EventMetadata {
  const { prevHash: _p, hash: _h, ...rest } = metadata;
  return rest;
}

/** Walks a stream forwards and names the first event whose link does not hold. */
export async function verifyChain(streamId: string, events: AsyncIterable<RecordedEvent>): Promise<VerifyResult> {
  let expectedPrev = GENESIS_HASH;
  let expectedRevision = 0;
  let checked = 0;
  for await (const event of events) {
    const broken = (reason: 'hash-mismatch' | 'prev-hash-mismatch' | 'revision-gap', expected: string, actual: string) =>
      ({
        ok: false,
        streamId,
        checked,
        firstBroken: { revision: event.revision, eventId: event.id, reason, expected, actual },
      }) as const;
    if (event.revision !== expectedRevision) return broken('revision-gap', String(expectedRevision), String(event.revision));
    if (event.metadata.prevHash !== expectedPrev) return broken('prev-hash-mismatch', expectedPrev, event.metadata.prevHash);
    const recomputed = eventHash(expectedPrev, { ...event, metadata: writerMetadata(event.metadata) });
    if (recomputed !== event.metadata.hash) return broken('hash-mismatch', recomputed, event.metadata.hash);
    expectedPrev = event.metadata.hash;
    expectedRevision += 1;
    checked += 1;
  }
  return { ok: true, streamId, checked, lastHash: expectedPrev };
}
