// InspectionService on grpc-js: the unary rpcs run the same handlers and queries as
// HTTP (operationHandlers); the two server streams send the stored events as
// envelopes, and with `follow` keep sending new ones.
import type * as grpc from '@grpc/grpc-js';
import * as svc from '@wenming/contracts/wenming/inspection/v1/inspection_service.js';
import { historyStream, type LiveStreams, operationHandlers, type TokenVerifier } from '@wenming/service-kit';
import type { Logger } from 'pino';
import type { Application } from '../../application/handlers.js';
import type { Queries } from '../../application/queries.js';
import { streams } from '../../application/streams.js';
import { OPERATIONS } from '../operations.js';

export const INSPECTION_SERVICE = 'wenming.inspection.v1.InspectionService';

export function addInspectionService(
  server: grpc.Server,
  deps: { app: Application; queries: Queries; auth: TokenVerifier; logger: Logger; streams: LiveStreams },
) {
  const { auth, logger, queries } = deps;
  server.addService(svc.InspectionServiceService, {
    ...operationHandlers({ operations: OPERATIONS, messages: svc, commands: deps.app, queries, auth, logger }),
    streamRectificationSteps: historyStream<svc.StreamRectificationStepsRequest>({
      auth,
      logger,
      streams: deps.streams,
      streamId: (request) => streams.rectification(request.rectificationId),
      read: (principal, request, from) => queries.rectificationHistory(principal, request.rectificationId, from),
    }),
    streamInspectionRecord: historyStream<svc.StreamInspectionRecordRequest>({
      auth,
      logger,
      streams: deps.streams,
      streamId: (request) => streams.inspection(request.inspectionId),
      read: (principal, request, from) => queries.inspectionHistory(principal, request.inspectionId, from),
    }),
  });
}
