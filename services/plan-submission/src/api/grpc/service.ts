// PlanSubmissionService on grpc-js: the unary rpcs run the same handlers and queries
// as HTTP (operationHandlers), and StreamPlanHistory sends a plan's events as envelopes.
import type * as grpc from '@grpc/grpc-js';
import * as svc from '@wenming/contracts/wenming/plansubmission/v1/plansubmission_service.js';
import { historyStream, type LiveStreams, operationHandlers, type TokenVerifier } from '@wenming/service-kit';
import type { Logger } from 'pino';
import type { Application } from '../../application/handlers.js';
import type { Queries } from '../../application/queries.js';
import { streams } from '../../application/streams.js';
import { OPERATIONS } from '../operations.js';

export const PLAN_SUBMISSION_SERVICE = 'wenming.plansubmission.v1.PlanSubmissionService';

export function addPlanSubmissionService(
  server: grpc.Server,
  deps: { app: Application; queries: Queries; auth: TokenVerifier; logger: Logger; streams: LiveStreams },
) {
  const { auth, logger } = deps;
  server.addService(svc.PlanSubmissionServiceService, {
    ...operationHandlers({ operations: OPERATIONS, messages: svc, commands: deps.app, queries: deps.queries, auth, logger }),
    streamPlanHistory: historyStream<svc.StreamPlanHistoryRequest>({
      auth,
      logger,
      streams: deps.streams,
      streamId: (request) => streams.plan(request.planId),
      // Another unit's plan fails at once, as one that does not exist, before any read or wait.
      authorize: (principal, request) => deps.queries.authorizePlanHistory(principal, request),
      read: (_principal, request, from) => deps.queries.planHistory(request.planId, from),
    }),
  });
}
