// InspectionService on grpc-js: each unary rpc turns the decoded request into proto3
// JSON (the generated toJSON), runs the same handler or query as HTTP, and turns the
// answer back with the generated fromJSON. The two server streams send the stored
// events as envelopes, and with `follow` keep sending new ones.
import type * as grpc from '@grpc/grpc-js';
import { EventEnvelope } from '@wenming/contracts/wenming/common/v1/envelope.js';
import * as svc from '@wenming/contracts/wenming/inspection/v1/inspection_service.js';
import type { RecordedEvent } from '@wenming/eventstore';
import { authenticateCall, grpcHandler, type Principal, type TokenVerifier, toServiceError } from '@wenming/service-kit';
import type { Logger } from 'pino';
import type { Application, Json } from '../../application/handlers.js';
import type { Queries } from '../../application/queries.js';
import { OPERATIONS } from '../operations.js';

interface MessageCodec {
  toJSON(message: unknown): unknown;
  fromJSON(object: unknown): unknown;
}

export const INSPECTION_SERVICE = 'wenming.inspection.v1.InspectionService';
const FOLLOW_POLL_MS = 200;

export function envelopeOf(e: RecordedEvent): EventEnvelope {
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

export function addInspectionService(
  server: grpc.Server,
  deps: { app: Application; queries: Queries; auth: TokenVerifier; logger: Logger },
) {
  const codecs = svc as unknown as Record<string, MessageCodec>;
  const handlers: grpc.UntypedServiceImplementation = {};
  for (const op of OPERATIONS.filter((o) => !o.httpOnly)) {
    const request = codecs[`${op.rpc}Request`]!;
    const response = codecs[`${op.rpc}Response`]!;
    const target = (op.kind === 'command' ? deps.app : deps.queries) as unknown as Record<
      string,
      (p: unknown, r: Json) => Promise<unknown>
    >;
    const fn = target[op.rpc]!;
    const name = op.rpc.charAt(0).toLowerCase() + op.rpc.slice(1);
    handlers[name] = grpcHandler(
      async (call: grpc.ServerUnaryCall<unknown, unknown>) => {
        const principal = await authenticateCall(deps.auth, call);
        return response.fromJSON(await fn(principal, request.toJSON(call.request) as Json));
      },
      { logger: deps.logger },
    );
  }
  const stream =
    (read: (principal: Principal, id: string, from: number) => Promise<RecordedEvent[]>, idOf: (req: Json) => string) =>
    (call: grpc.ServerWritableStream<Json, { event: EventEnvelope }>) => {
      void (async () => {
        try {
          const principal = await authenticateCall(deps.auth, call);
          let from = Number(call.request.fromRevision ?? 0);
          do {
            for (const e of await read(principal, idOf(call.request), from)) {
              call.write({ event: envelopeOf(e) });
              from = e.revision + 1;
            }
            if (call.request.follow) await new Promise((r) => setTimeout(r, FOLLOW_POLL_MS));
          } while (call.request.follow && !call.cancelled);
          call.end();
        } catch (err) {
          call.emit('error', toServiceError(err, deps.logger)); // grpc-js turns an 'error' event into the call's status
        }
      })();
    };
  handlers.streamRectificationSteps = stream(
    (p, id, from) => deps.queries.rectificationHistory(p, id, from),
    (r) => r.rectificationId,
  );
  handlers.streamInspectionRecord = stream(
    (p, id, from) => deps.queries.inspectionHistory(p, id, from),
    (r) => r.inspectionId,
  );
  server.addService(svc.InspectionServiceService, handlers);
}
