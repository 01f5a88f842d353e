// The command handler of DESIGN §3: read the stream, fold it with evolve, decide,
// append at the revision that was read.
//
// Concurrency. A conflict means someone appended between our read and our append;
// the handler re-reads and decides again on the newer state, a few times, with a
// little jitter so two writers do not collide in step. When the caller sent an
// explicit expectedRevision (it decided on what it saw), a conflict is its to
// resolve: no retry, the conflict surfaces as ABORTED.
//
// Idempotency. Event ids derive from (streamId, idempotencyKey, index), so a
// repeated command appends events the store already holds, which it treats as a
// no-op. The repeat must also *answer* like the first call, even if the stream has
// moved on since (deciding again on today's state could give another answer, or an
// error). The first call's events are the record: while folding the stream the
// handler looks for the event id of index 0 for this key; when it is there, the
// command was handled, and the events of that batch (ids 0, 1, … in a row) and the
// state right after them are returned without deciding again. There is no second
// idempotency table, because writing one beside the events would be two writes in
// one request (DESIGN §3), and the events already say everything the answer needs.
// A command that decided on no events leaves no trace, so its repeat decides again.
import { SpanStatusCode } from '@opentelemetry/api';
import {
  type Actor,
  DuplicateEventIdError,
  type EventMetadata,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  WrongExpectedRevisionError,
} from '@wenming/eventstore';
import { ValidationError } from '../errors/domain-errors.js';
import { mapError } from '../errors/mapping.js';
import { serviceKitInstruments, tracer } from '../telemetry/instruments.js';
import { activeTraceparent } from '../telemetry/trace-context.js';
import type { Decider, DomainEvent } from './decider.js';
import { commandEventId } from './event-ids.js';

export interface CommandMetadata {
  /** Who asked: recorded on every event (DESIGN §5). */
  actor: Actor;
  /** The unit the events concern (required by the store unless `unitless`). */
  unitId?: string;
  campaignId?: string;
  /** Default: causationId. */
  correlationId?: string;
  /** Default: the idempotency key, which identifies the command. */
  causationId?: string;
  /** Business time of the command (ISO-8601); default: the handler's `now`. */
  occurredAt?: string;
}

export interface HandleCommandOptions<Command, Event extends DomainEvent, State> {
  store: EventStore;
  streamId: string;
  decider: Decider<Command, Event, State>;
  command: Command;
  /** Client-side optimistic concurrency: the revision the caller saw. Disables the retry. */
  expectedRevision?: ExpectedRevision;
  /** Names this command; the same key on the same stream is handled once. */
  idempotencyKey: string;
  metadata: CommandMetadata;
  /** The stream is campaign-wide rather than about a unit. */
  unitless?: boolean;
  /** The clock for occurredAt when the metadata carries none; injected so tests pin time. */
  now?: () => Date;
  /** Re-reads after a conflict (default 3); only without an explicit expectedRevision. */
  maxRetries?: number;
}

export interface CommandResult<Event extends DomainEvent, State> {
  streamId: string;
  /** The events this command produced (on a repeat: those of the first call). */
  events: Event[];
  eventIds: string[];
  /** The state right after those events. */
  state: State;
  /** Pass back as expectedRevision to continue from here. */
  nextExpectedRevision: number | 'no_stream';
  /** True when the key had been handled before and nothing was decided or appended now. */
  replayed: boolean;
}

export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;
const DEFAULT_MAX_RETRIES = 3;
const RETRY_BASE_MS = 5;

export function handleCommand<Command, Event extends DomainEvent, State>(
  options: HandleCommandOptions<Command, Event, State>,
): Promise<CommandResult<Event, State>> {
  const commandType =
    typeof (options.command as { type?: unknown })?.type === 'string' ? (options.command as { type: string }).type : 'command';
  const started = performance.now();
  return tracer.startActiveSpan(
    `command ${commandType}`,
    { attributes: { 'wenming.command': commandType, 'wenming.stream_id': options.streamId } },
    async (span) => {
      let outcome = 'ok';
      try {
        const result = await run(options, (attempt) => span.setAttribute('wenming.command.retries', attempt));
        span.setAttributes({ 'wenming.command.replayed': result.replayed, 'wenming.command.events': result.events.length });
        if (result.replayed) outcome = 'replayed';
        return result;
      } catch (err) {
        const mapped = mapError(err);
        outcome = mapped.code;
        if (mapped.internal) {
          span.recordException(err as Error);
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
        throw err;
      } finally {
        serviceKitInstruments().commandDuration.record((performance.now() - started) / 1000, {
          'wenming.command': commandType,
          'wenming.outcome': outcome,
        });
        span.end();
      }
    },
  );
}

async function run<Command, Event extends DomainEvent, State>(
  options: HandleCommandOptions<Command, Event, State>,
  onRetry: (attempt: number) => void,
): Promise<CommandResult<Event, State>> {
  const { store, streamId, decider, command, idempotencyKey } = options;
  checkIdempotencyKey(idempotencyKey);
  const explicit = options.expectedRevision;
  const maxRetries = explicit === undefined ? (options.maxRetries ?? DEFAULT_MAX_RETRIES) : 0;
  // A lost race with the same key (written: false, or a partly matching batch) is
  // settled by one more read, which finds the first call's events; it is no retry.
  let sameKeyRaces = 0;
  for (let attempt = 0; ; ) {
    const loaded = await load(options);
    if (loaded.replay) return loaded.replay;
    if (explicit !== undefined && !revisionMatches(explicit, loaded.revision)) {
      throw new WrongExpectedRevisionError(streamId, String(explicit), loaded.revision ?? 'no_stream');
    }
    const decided = [decider.decide(command, loaded.state)].flat() as Event[];
    if (decided.length === 0) {
      return {
        streamId,
        events: [],
        eventIds: [],
        state: loaded.state,
        nextExpectedRevision: loaded.revision ?? 'no_stream',
        replayed: false,
      };
    }
    const events = newEvents(options, decided);
    try {
      const appendStarted = performance.now();
      const appended = await store.append(streamId, events, {
        expectedRevision: loaded.revision ?? 'no_stream',
        ...(options.unitless ? { unitless: true } : {}),
      });
      serviceKitInstruments().appendDuration.record((performance.now() - appendStarted) / 1000, { 'wenming.eventstore': store.kind });
      if (appended.written) {
        return {
          streamId,
          events: decided,
          eventIds: events.map((e) => e.id),
          state: decided.reduce((state, event) => decider.evolve(state, event), loaded.state),
          nextExpectedRevision: appended.nextExpectedRevision,
          replayed: false,
        };
      }
      if (sameKeyRaces++ === 0) continue;
      throw new Error(`stream ${streamId}: the events of key ${idempotencyKey} are stored but could not be read back`);
    } catch (err) {
      if (err instanceof DuplicateEventIdError) {
        if (sameKeyRaces++ === 0) continue;
        throw new ValidationError('idempotencyKey', `${JSON.stringify(idempotencyKey)} was already used on ${streamId} for other events`);
      }
      if (!(err instanceof WrongExpectedRevisionError) || attempt >= maxRetries) throw err;
      attempt += 1;
      onRetry(attempt);
      await sleep(Math.random() * RETRY_BASE_MS * 2 ** attempt);
    }
  }
}

interface Loaded<Event extends DomainEvent, State> {
  state: State;
  revision: number | undefined;
  replay?: CommandResult<Event, State>;
}

/** Folds the stream; stops early at the end of this key's batch when it finds one. */
async function load<Command, Event extends DomainEvent, State>(
  options: HandleCommandOptions<Command, Event, State>,
): Promise<Loaded<Event, State>> {
  const { store, streamId, decider, idempotencyKey } = options;
  let state = decider.initialState();
  let revision: number | undefined;
  let expectedId = commandEventId(streamId, idempotencyKey, 0);
  const batch: { event: Event; id: string }[] = [];
  for await (const recorded of store.readStream(streamId)) {
    if (recorded.id === expectedId) {
      const event = { type: recorded.type, data: recorded.data } as unknown as Event;
      batch.push({ event, id: recorded.id });
      state = decider.evolve(state, event);
      revision = recorded.revision;
      expectedId = commandEventId(streamId, idempotencyKey, batch.length);
      continue;
    }
    if (batch.length > 0) break;
    state = decider.evolve(state, { type: recorded.type, data: recorded.data } as unknown as Event);
    revision = recorded.revision;
  }
  if (batch.length === 0) return { state, revision };
  return {
    state,
    revision,
    replay: {
      streamId,
      events: batch.map((b) => b.event),
      eventIds: batch.map((b) => b.id),
      state,
      nextExpectedRevision: revision ?? 'no_stream',
      replayed: true,
    },
  };
}

function newEvents<Command, Event extends DomainEvent, State>(
  options: HandleCommandOptions<Command, Event, State>,
  decided: Event[],
): NewEvent[] {
  const { metadata: m, streamId, idempotencyKey } = options;
  const occurredAt = m.occurredAt ?? (options.now ?? (() => new Date()))().toISOString();
  const causationId = m.causationId ?? idempotencyKey;
  const traceparent = activeTraceparent();
  const metadata: EventMetadata = {
    actor: m.actor,
    causationId,
    correlationId: m.correlationId ?? causationId,
    ...(m.unitId !== undefined ? { unitId: m.unitId } : {}),
    ...(m.campaignId !== undefined ? { campaignId: m.campaignId } : {}),
    ...(traceparent !== undefined ? { traceparent } : {}),
  };
  return decided.map((event, index) => ({
    id: commandEventId(streamId, idempotencyKey, index),
    type: event.type,
    data: event.data,
    occurredAt,
    metadata,
  }));
}

function checkIdempotencyKey(key: unknown): void {
  if (typeof key !== 'string' || key.trim() === '') throw new ValidationError('idempotencyKey', 'is required on every command');
  if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw new ValidationError('idempotencyKey', `is ${key.length} characters; at most ${MAX_IDEMPOTENCY_KEY_LENGTH}`);
  }
}

function revisionMatches(expected: ExpectedRevision, actual: number | undefined): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return actual === undefined;
  if (expected === 'stream_exists') return actual !== undefined;
  return actual === expected;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
