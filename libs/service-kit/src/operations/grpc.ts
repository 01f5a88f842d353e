// The gRPC edge of an operations table: each unary rpc turns the decoded request into
// proto3 JSON (the generated toJSON), runs the same handler or query as HTTP, and
// turns the answer back with the generated fromJSON — the one place proto meets the
// application. History streams send a stream's stored events as envelopes.
import type * as grpc from '@grpc/grpc-js';
import { EventEnvelope } from '@wenming/contracts/wenming/common/v1/envelope.js';
import type { RecordedEvent } from '@wenming/eventstore';
import type { Logger } from 'pino';
import { authenticateCall } from '../auth/grpc.js';
import type { Principal } from '../auth/principal.js';
import type { TokenVerifier } from '../auth/tokens.js';
import { grpcHandler, toServiceError } from '../errors/grpc.js';
import type { Json } from '../requests.js';
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

/** A stored event as common.v1.EventEnvelope. */
function envelopeOf(e: RecordedEvent): EventEnvelope {
  return EventEnvelope.fromJSON({
    id: e.id,
    type: e.type,
    streamId: e.streamId,
    revision: e.revision,
    position: e.position,
    occurredAt: e.occurredAt,
    recordedAt: e.recordedAt,
    data: e.data,
    metadata: e.metadata,
  });
}

export interface HistoryStreamOptions<Request> {
  auth: TokenVerifier;
  logger: Logger;
  /** The events of the stream the request names, from a revision on; throws when the principal may not read them. */
  read(principal: Principal, request: Request, fromRevision: number): Promise<RecordedEvent[]>;
  /** How often a `follow` call looks for new events. */
  followPollMs: number;
}

/**
 * A server-streaming rpc sending a stream's events as envelopes from the request's
 * fromRevision; with `follow` it keeps sending new ones until the client cancels.
 */
export function historyStream<Request extends { fromRevision?: number; follow?: boolean }>(
  options: HistoryStreamOptions<Request>,
): grpc.handleServerStreamingCall<Request, { event: EventEnvelope }> {
  return (call) => {
    void (async () => {
      try {
        const principal = await authenticateCall(options.auth, call);
        let from = Number(call.request.fromRevision ?? 0);
        do {
          for (const e of await options.read(principal, call.request, from)) {
            call.write({ event: envelopeOf(e) });
            from = e.revision + 1;
          }
          if (call.request.follow) await new Promise((r) => setTimeout(r, options.followPollMs));
        } while (call.request.follow && !call.cancelled);
        call.end();
      } catch (err) {
        call.emit('error', toServiceError(err, options.logger)); // grpc-js turns an 'error' event into the call's status
      }
    })();
  };
}
