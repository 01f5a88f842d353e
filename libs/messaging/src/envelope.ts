// How a stored event travels as a message: the value is the event envelope as JSON
// (readable by an auditor with any Kafka tool); headers repeat what a consumer
// needs before decoding (id, type, schema version) and carry the W3C trace context.
import type { RecordedEvent } from '@wenming/eventstore';
import type { IncomingMessage, OutgoingMessage } from './types.js';

export const HEADER = {
  eventId: 'wenming-event-id',
  eventType: 'wenming-event-type',
  schemaVersion: 'wenming-schema-version',
  streamId: 'wenming-stream-id',
  position: 'wenming-position',
  traceparent: 'traceparent',
  contentType: 'content-type',
  deadLetterReason: 'wenming-dead-letter-reason',
  deadLetterSource: 'wenming-dead-letter-source',
} as const;

/** Key: the unit id, so one unit's events keep their order; unitless events by stream. */
export function eventToMessage(event: RecordedEvent): OutgoingMessage {
  const headers: Record<string, string> = {
    [HEADER.eventId]: event.id,
    [HEADER.eventType]: event.type,
    [HEADER.schemaVersion]: String(event.metadata.schemaVersion),
    [HEADER.streamId]: event.streamId,
    [HEADER.position]: String(event.position),
    [HEADER.contentType]: 'application/json',
  };
  if (event.metadata.traceparent) headers[HEADER.traceparent] = event.metadata.traceparent;
  return { key: event.metadata.unitId ?? event.streamId, value: JSON.stringify(event), headers };
}

export class UndecodableMessageError extends Error {
  override readonly name = 'UndecodableMessageError';
}

/** Parses a message back into the event it carries, or says why it cannot. */
export function messageToEvent(message: IncomingMessage): RecordedEvent {
  if (!message.value) throw new UndecodableMessageError('message has no value');
  let parsed: unknown;
  try {
    parsed = JSON.parse(message.value.toString('utf8'));
  } catch (err) {
    throw new UndecodableMessageError(`value is not JSON: ${(err as Error).message}`);
  }
  const e = parsed as Partial<RecordedEvent> | null;
  if (
    !e ||
    typeof e !== 'object' ||
    typeof e.id !== 'string' ||
    typeof e.type !== 'string' ||
    typeof e.streamId !== 'string' ||
    typeof e.position !== 'number' ||
    typeof e.metadata !== 'object' ||
    e.metadata === null
  ) {
    throw new UndecodableMessageError('value is not a Wenming event envelope (id, type, streamId, position, metadata)');
  }
  return e as RecordedEvent;
}
