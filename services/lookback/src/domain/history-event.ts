// What look-back reads of a recorded event. Structurally the event store's
// RecordedEvent, declared here so the domain imports no library.

export interface HistoryEvent {
  id: string;
  type: string;
  streamId: string;
  revision: number;
  position: number;
  occurredAt: string;
  recordedAt: string;
  data: unknown;
  metadata: { unitId?: string; campaignId?: string; actor?: { id: string; role: string } };
}

/** A pointer to the event behind a state or a change (proto `EventRef`). */
export interface EventRef {
  eventId: string;
  streamId: string;
  revision: number;
  position: number;
  type: string;
}

export function refOf(event: HistoryEvent): EventRef {
  return { eventId: event.id, streamId: event.streamId, revision: event.revision, position: event.position, type: event.type };
}

/** Loose access to an event's payload: every field may be missing in an old or foreign version. */
export type Data = Record<string, unknown>;

export function dataOf(event: HistoryEvent): Data {
  return typeof event.data === 'object' && event.data !== null && !Array.isArray(event.data) ? (event.data as Data) : {};
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;
}

/** "As of T" compares recordedAt instants, never strings (offsets and precision may differ). */
export function recordedBy(event: HistoryEvent, asOfMs: number): boolean {
  return Date.parse(event.recordedAt) <= asOfMs;
}
