// The gRPC edge of an operations table: each unary rpc turns the decoded request into
// proto3 JSON (the generated toJSON), runs the same handler or query as HTTP, and
// turns the answer back with the generated fromJSON — the one place proto meets the
// application. History streams send a stream's stored events as envelopes, and
// follow it through the process's LiveStreams.
import type * as grpc from '@grpc/grpc-js';
import type { EventEnvelope } from '@wenming/contracts/wenming/common/v1/envelope.js';
import type { RecordedEvent } from '@wenming/eventstore';
import type { Logger } from 'pino';
import { authenticateCall } from '../auth/grpc.js';
import type { Principal } from '../auth/principal.js';
import type { TokenVerifier } from '../auth/tokens.js';
import { grpcHandler, toServiceError } from '../errors/grpc.js';
import type { Json } from '../requests.js';
import { type LiveStreams, type StreamSession, sendWhenDrained } from '../streams/live-streams.js';
import { envelopeOf } from './envelope.js';
import { type Operation, type OperationTargets, operationFn } from './table.js';

interface MessageCodec {
  toJSON(message: unknown): unknown;
  fromJSON(object: unknown): unknown;
}

export interface OperationHandlersOptions extends OperationTargets {
  operations: readonly Operation[];
  /** The service's generated module (`…/inspection_service.js`): its `<Rpc>Request` and `<Rpc>Response` codecs. */
  messages: object;
  auth: TokenVerifier;
  logger: Logger;
}

/** A unary handler for every operation gRPC serves (all but the HTTP-only ones), by method name. */
export function operationHandlers(options: OperationHandlersOptions): grpc.UntypedServiceImplementation {
  const codecs = options.messages as Record<string, MessageCodec>;
  const handlers: grpc.UntypedServiceImplementation = {};
  for (const op of options.operations.filter((o) => !o.httpOnly)) {
    const request = codecs[`${op.rpc}Request`]!;
    const response = codecs[`${op.rpc}Response`]!;
    const fn = operationFn(op, options);
    handlers[op.rpc.charAt(0).toLowerCase() + op.rpc.slice(1)] = grpcHandler(
      async (call: grpc.ServerUnaryCall<unknown, unknown>) => {
        const principal = await authenticateCall(options.auth, call);
        return response.fromJSON(await fn(principal, request.toJSON(call.request) as Json));
      },
      { logger: options.logger },
    );
  }
  return handlers;
}

export interface HistoryStreamOptions<Request> {
  auth: TokenVerifier;
  logger: Logger;
  /** The process's stream sessions: per-caller cap, end at token expiry, follow wake-ups. */
  streams: LiveStreams;
  /** The stored stream the request names (`plan-42`): a `follow` wakes only when it gets an event. */
  streamId(request: Request): string;
  /**
   * Throws when the principal may not read the stream; runs before anything is read
   * or awaited, so a refused follow fails at once rather than when the stream moves
   * (a timing oracle). Needed when `read` checks only the events it finds.
   */
  authorize?(principal: Principal, request: Request): Promise<void> | void;
  /** The events of the stream the request names, from a revision on; throws when the principal may not read them. */
  read(principal: Principal, request: Request, fromRevision: number): Promise<RecordedEvent[]>;
}

/**
 * A server-streaming rpc sending a stream's events as envelopes from the request's
 * fromRevision; with `follow` it keeps sending new ones until the client cancels or
 * the caller's token expires (then UNAUTHENTICATED "token expired"). A follow reads
 * again only when its stream got an event; it counts against the caller's open streams.
 */
export function historyStream<Request extends { fromRevision?: number; follow?: boolean }>(
  options: HistoryStreamOptions<Request>,
): grpc.handleServerStreamingCall<Request, { event: EventEnvelope }> {
  return (call) => {
    void (async () => {
      let session: StreamSession | undefined;
      try {
        const principal = await authenticateCall(options.auth, call);
        await options.authorize?.(principal, call.request);
        session = options.streams.begin(principal, call);
        const streamId = options.streamId(call.request);
        // Watching before the first read: an event appended after it is read or wakes us.
        const watch = call.request.follow ? await session.watch((e) => e.streamId === streamId) : undefined;
        let from = Number(call.request.fromRevision ?? 0);
        do {
          for (const e of await options.read(principal, call.request, from)) {
            if (!(await sendWhenDrained(call, { event: envelopeOf(e) }, session.signal))) break;
            from = e.revision + 1;
          }
        } while (watch && !session.signal.aborted && (await watch.next()));
        session.finish();
      } catch (err) {
        if (session) session.fail(err);
        else call.emit('error', toServiceError(err, options.logger)); // grpc-js turns an 'error' event into the call's status
      }
    })();
  };
}
