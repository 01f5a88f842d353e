// The unit index on EventStoreDB: a continuous user projection links every Wenming
// event that names a unit into `wenming-unit-<unitId>`, so a unit's history is one
// stream read instead of a scan of $all. Projections run asynchronously, so the
// index lags the log; readUnit closes that gap with the projection's last
// checkpoint (see EventStoreDbEventStore.readUnit).
import type { EventStoreDBClient } from '@eventstore/db-client';
import { CHECKPOINT_STREAM_PREFIX, parseProjectionPosition, UNIT_STREAM_PREFIX } from './mapping.js';

/** Versioned: a changed query gets a new name (and rebuilds its links) rather than editing a running projection. */
export const UNIT_INDEX_PROJECTION = 'wenming-unit-index-v1';

// ES5 JavaScript run by the server's projection engine. Links (`$>`) are not passed
// to handlers unless $includeLinks is set, so the projection never indexes its own output.
export const UNIT_INDEX_QUERY = `fromAll().when({
  $any: function (state, event) {
    if (event.streamId.indexOf('$') === 0 || event.eventType.indexOf('$') === 0) return state;
    if (event.streamId.indexOf('${UNIT_STREAM_PREFIX}') === 0 || event.streamId.indexOf('${CHECKPOINT_STREAM_PREFIX}') === 0) return state;
    var m = event.metadata;
    if ((m === null || typeof m !== 'object') && event.metadataRaw) {
      try { m = JSON.parse(event.metadataRaw); } catch (e) { m = null; }
    }
    if (m && typeof m.unitId === 'string' && m.unitId.length > 0 && typeof m.hash === 'string') {
      linkTo('${UNIT_STREAM_PREFIX}' + m.unitId, event);
    }
    return state;
  }
});
`;

const isNotFound = (err: unknown): boolean =>
  (err as { type?: string } | undefined)?.type === 'not-found' || /not found|does ?n[o']t exist/i.test(String((err as Error)?.message));

/**
 * Creates the projection when it is missing and starts it when it is stopped.
 * Idempotent, and safe when several processes connect at once (a lost creation
 * race shows up as an error, and the next round finds the projection). Retries
 * for a few seconds because the projection subsystem starts after the server.
 */
export async function ensureUnitIndex(client: EventStoreDBClient, attempts = 10, delayMs = 300): Promise<void> {
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    try {
      const status = await client.getProjectionStatus(UNIT_INDEX_PROJECTION).catch((err: unknown) => {
        if (isNotFound(err)) return undefined;
        throw err;
      });
      if (!status) {
        await client.createProjection(UNIT_INDEX_PROJECTION, UNIT_INDEX_QUERY, { emitEnabled: true, trackEmittedStreams: false });
      } else if (/^(stopped|faulted|aborted)/i.test(status.projectionStatus)) {
        await client.enableProjection(UNIT_INDEX_PROJECTION);
      }
      return;
    } catch (err) {
      lastError = err;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
  throw new Error(
    `EventStoreDB: cannot set up the unit index projection ${UNIT_INDEX_PROJECTION}; projections must run (EVENTSTORE_RUN_PROJECTIONS=All) and the user needs the rights to create them: ${String(lastError)}`,
  );
}

/**
 * Every Wenming event at or before the returned position has its link in the unit
 * index: a projection writes a checkpoint only after the links emitted before it
 * are written. -1 when that cannot be told (no checkpoint yet, projection missing):
 * readUnit then scans $all from the start, within its limit.
 */
export async function unitIndexedUpTo(client: EventStoreDBClient): Promise<number> {
  try {
    const status = await client.getProjectionStatus(UNIT_INDEX_PROJECTION);
    return parseProjectionPosition(status?.lastCheckpoint) ?? -1;
  } catch {
    return -1;
  }
}
