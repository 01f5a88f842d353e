// The plan-submission module: HTTP routes and the gRPC service over one application
// layer, the read models kept by projections from the event store, and the stream
// categories the relay publishes to wenming.plansubmission.events.v1.
import { startProjections } from '@wenming/readstore';
import { type CreateModule, projectionsCaughtUp, type ServiceModule } from '@wenming/service-kit';
import { addPlanSubmissionService, PLAN_SUBMISSION_SERVICE } from './api/grpc/service.js';
import { registerPlanSubmissionRoutes } from './api/http/routes.js';
import { createApplication } from './application/handlers.js';
import { createQueries } from './application/queries.js';
import { CATEGORIES } from './application/streams.js';
import { PROJECTIONS } from './projections/index.js';

/** The streams this service writes and its context: the relay routes them to wenming.<context>.events.v1. */
export const PLAN_SUBMISSION_EVENTS = { context: 'plansubmission', categories: CATEGORIES } as const;

export type PlanSubmissionModule = ServiceModule & { rebuild(name: string): Promise<void>; caughtUp(): Promise<void> };

export const createPlanSubmissionModule: CreateModule = (_config, deps): PlanSubmissionModule => {
  const app = createApplication({ store: deps.store });
  const queries = createQueries(deps.readStore, deps.store);
  registerPlanSubmissionRoutes(deps.http, app, queries);
  addPlanSubmissionService(deps.grpc, { app, queries, auth: deps.auth, logger: deps.logger, streams: deps.streams });
  let runner: ReturnType<typeof startProjections> | undefined;
  return {
    name: 'plan-submission',
    grpcServices: [PLAN_SUBMISSION_SERVICE],
    events: PLAN_SUBMISSION_EVENTS,
    async start() {
      runner = startProjections({ eventStore: deps.store, readStore: deps.readStore, projections: PROJECTIONS, logger: deps.logger });
      await runner.caughtUp;
    },
    async stop() {
      await runner?.stop();
    },
    ready: () => runner?.ready() ?? false,
    async rebuild(name: string) {
      if (!runner) throw new Error('plan-submission is not started');
      if (name === 'all') for (const p of PROJECTIONS) await runner.rebuild(p.name);
      else await runner.rebuild(name);
    },
    /** Resolves once every projection has applied everything appended so far (tests, the demo). */
    caughtUp: () => projectionsCaughtUp(deps.store, () => runner),
  };
};
