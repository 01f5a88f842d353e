// PlanSubmissionService on grpc-js: each unary rpc turns the decoded request into
// proto3 JSON (the generated toJSON), runs the same handler or query as HTTP, and
// turns the answer back with the generated fromJSON — the one place proto meets domain.
import type * as grpc from '@grpc/grpc-js';
import type { EventEnvelope } from '@wenming/contracts/wenming/common/v1/envelope.js';
import * as svc from '@wenming/contracts/wenming/plansubmission/v1/plansubmission_service.js';
import { authenticateCall, grpcHandler, type TokenVerifier, toServiceError } from '@wenming/service-kit';
import type { Logger } from 'pino';
import type { Application, Json } from '../../application/handlers.js';
import type { Queries } from '../../application/queries.js';
import { OPERATIONS } from '../operations.js';

interface MessageCodec {
  toJSON(message: unknown): unknown;
  fromJSON(object: unknown): unknown;
}

export const PLAN_SUBMISSION_SERVICE = 'wenming.plansubmission.v1.PlanSubmissionService';

export function addPlanSubmissionService(
  server: grpc.Server,
  deps: { app: Application; queries: Queries; auth: TokenVerifier; logger: Logger },
) {
  const codecs = svc as unknown as Record<string, MessageCodec>;
  const handlers: grpc.UntypedServiceImplementation = {};
  for (const op of OPERATIONS) {
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
        const json = request.toJSON(call.request) as Json;
        // proto3 `optional int64 expected_revision`: present means the caller sent it.
        return response.fromJSON(await fn(principal, json));
      },
      { logger: deps.logger },
    );
  }
  handlers.streamPlanHistory = (call: grpc.ServerWritableStream<svc.StreamPlanHistoryRequest, svc.StreamPlanHistoryResponse>) => {
    void (async () => {
      try {
        const principal = await authenticateCall(deps.auth, call);
        let from = Number(call.request.fromRevision ?? 0);
        do {
          const events = await deps.queries.planHistory(principal, call.request.planId, from);
          for (const e of events) {
            const envelope = {
              id: e.id,
              type: e.type,
              streamId: e.streamId,
              revision: e.revision,
              position: e.position,
              occurredAt: e.occurredAt,
              recordedAt: e.recordedAt,
              data: e.data,
              metadata: e.metadata,
            };
            call.write({ event: (await envelopeFromJSON(envelope)) as EventEnvelope });
            from = e.revision + 1;
          }
          if (call.request.follow) await new Promise((r) => setTimeout(r, 250));
        } while (call.request.follow && !call.cancelled);
        call.end();
      } catch (err) {
        call.emit('error', toServiceError(err, deps.logger)); // grpc-js turns an 'error' event into the call's status
      }
    })();
  };
  server.addService(svc.PlanSubmissionServiceService, handlers);
}

async function envelopeFromJSON(json: Json): Promise<unknown> {
  const { EventEnvelope } = await import('@wenming/contracts/wenming/common/v1/envelope.js');
  return EventEnvelope.fromJSON(json);
}
