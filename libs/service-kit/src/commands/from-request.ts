// A command that arrives as a request (proto3 JSON, from HTTP or gRPC): the request
// names it by its idempotencyKey and may carry the expectedRevision the caller saw;
// the principal is recorded as the actor; the reply is common.v1.CommandResult.
import type { Actor, EventStore } from '@wenming/eventstore';
import type { Principal, Role } from '../auth/principal.js';
import { ValidationError } from '../errors/domain-errors.js';
import type { Json } from '../requests.js';
import type { Decider, DomainEvent } from './decider.js';
import { type CommandResult, handleCommand } from './handle-command.js';

/** common.v1.CommandResult as proto3 JSON, and what else the operation answers beside it. */
export interface CommandReply {
  result: { streamId: string; nextExpectedRevision: number; eventIds: string[]; deduplicated: boolean };
  [extra: string]: unknown;
}

export function commandReply<E extends DomainEvent, S, X extends Json = Record<never, never>>(
  r: CommandResult<E, S>,
  extra: X = {} as X,
): CommandReply & X {
  return {
    result: {
      streamId: r.streamId,
      nextExpectedRevision: r.nextExpectedRevision === 'no_stream' ? -1 : r.nextExpectedRevision,
      eventIds: r.eventIds,
      deduplicated: r.replayed,
    },
    ...extra,
  };
}

/** The actor recorded on the events: the principal, in the first of the allowed roles it holds. */
function actorOf(principal: Principal, allowed: readonly Role[]): Actor {
  return {
    id: principal.id,
    role: principal.roles.find((r) => allowed.includes(r)) ?? principal.roles[0] ?? 'unknown',
    ...(principal.actingService ? { via: principal.actingService } : {}),
  };
}

function expectedRevision(req: Json): { expectedRevision?: number } {
  const v = req.expectedRevision;
  if (v === undefined || v === null || v === '') return {};
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new ValidationError('expectedRevision', 'is a stream revision (0 or more)');
  return { expectedRevision: n };
}

export interface RequestCommand<Command, Event extends DomainEvent, State> {
  principal: Principal;
  /** The roles allowed to issue the command (checked by the caller); the actor's role is the first one held. */
  roles: readonly Role[];
  streamId: string;
  decider: Decider<Command, Event, State>;
  command: Command;
  /** The request: its idempotencyKey and expectedRevision. */
  req: Json;
  /** The unit the events concern; without one the stream is campaign-wide (unitless). */
  unitId?: string;
  campaignId?: string;
}

/** Runs request commands on `store`, each at the business time `now()` gives when it runs. */
export function requestCommandRunner(store: EventStore, now: () => Date) {
  return <Command, Event extends DomainEvent, State>(args: RequestCommand<Command, Event, State>): Promise<CommandResult<Event, State>> =>
    handleCommand({
      store,
      streamId: args.streamId,
      decider: args.decider,
      command: args.command,
      idempotencyKey: String(args.req.idempotencyKey ?? ''),
      ...expectedRevision(args.req),
      metadata: {
        actor: actorOf(args.principal, args.roles),
        ...(args.unitId ? { unitId: args.unitId } : {}),
        ...(args.campaignId ? { campaignId: args.campaignId } : {}),
        occurredAt: now().toISOString(),
      },
      ...(args.unitId ? {} : { unitless: true }),
    });
}
