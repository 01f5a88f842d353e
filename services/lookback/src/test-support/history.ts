// Given-events helpers for the look-back tests: recorded events with chosen times.
import type { HistoryEvent } from '../domain/history-event.js';

let position = 0;
const revisions = new Map<string, number>();

/** A recorded event of `streamId`, recorded at `recordedAt` (business time a day earlier unless given). */
export function recorded(
  streamId: string,
  type: string,
  data: Record<string, unknown>,
  recordedAt: string,
  options: { occurredAt?: string; unitId?: string; actor?: { id: string; role: string } } = {},
): HistoryEvent {
  const revision = revisions.get(streamId) ?? 0;
  revisions.set(streamId, revision + 1);
  position += 1;
  return {
    id: `e-${position}`,
    type,
    streamId,
    revision,
    position,
    occurredAt: options.occurredAt ?? new Date(Date.parse(recordedAt) - 86_400_000).toISOString(),
    recordedAt,
    data,
    metadata: { unitId: options.unitId ?? 'u1', actor: options.actor ?? { id: 'insp-1', role: 'inspector' } },
  };
}
