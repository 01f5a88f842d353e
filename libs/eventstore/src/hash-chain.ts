// The per-stream hash chain (DESIGN §2 "Integrity"): each event's hash covers its
// canonical JSON (RFC 8785) and the previous event's hash, so editing, removing or
// reordering any stored event breaks every later link, and an auditor can re-check
// a stream offline with nothing but sha256 and a JSON canonicaliser.
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
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
}

export function eventHash(prevHash: string, event: HashedFields): string {
  const canonical = canonicalize({
    prevHash,
    id: event.id,
    type: event.type,
    streamId: event.streamId,
    revision: event.revision,
    occurredAt: event.occurredAt,
    recordedAt: event.recordedAt,
    data: event.data,
    metadata: event.metadata,
  });
  return createHash('sha256')
    .update(canonical ?? '')
    .digest('hex');
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
