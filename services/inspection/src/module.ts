// The inspection module: HTTP routes and the gRPC service over one application layer,
// read models kept by projections from the event store, the campaign catalogs
// consumed from plan-submission's events on the bus, and the stream categories the
// relay publishes to wenming.inspection.events.v1.
import { type ProjectionRunner, startProjections } from '@wenming/readstore';
import { type CreateModule, projectionsCaughtUp, type ServiceModule } from '@wenming/service-kit';
import { addInspectionService, INSPECTION_SERVICE } from './api/grpc/service.js';
import { registerInspectionRoutes } from './api/http/routes.js';
import { type Application, createApplication } from './application/handlers.js';
import { createQueries } from './application/queries.js';
import { CATEGORIES } from './application/streams.js';
import { CATALOG_FEED, type CatalogFeed, startCatalogFeed } from './projections/catalogs/consumer.js';
import { PROJECTIONS } from './projections/index.js';

/** The streams this service writes and its context: the relay routes them to wenming.<context>.events.v1. */
export const INSPECTION_EVENTS = { context: 'inspection', categories: CATEGORIES } as const;

export type InspectionModule = ServiceModule & {
  readonly app: Application;
  rebuild(name: string): Promise<void>;
  caughtUp(): Promise<void>;
};

export const createInspectionModule: CreateModule = (_config, deps): InspectionModule => {
  const app = createApplication({ store: deps.store, readStore: deps.readStore });
  const queries = createQueries(deps.readStore, deps.store);
  registerInspectionRoutes(deps.http, app, queries);
  addInspectionService(deps.grpc, { app, queries, auth: deps.auth, logger: deps.logger, streams: deps.streams });
  let runner: ProjectionRunner | undefined;
  let catalogs: CatalogFeed | undefined;
  return {
    name: 'inspection',
    app,
    grpcServices: [INSPECTION_SERVICE],
    events: INSPECTION_EVENTS,
    async start() {
      runner = startProjections({ eventStore: deps.store, readStore: deps.readStore, projections: PROJECTIONS, logger: deps.logger });
      await runner.caughtUp;
      catalogs = await startCatalogFeed(deps.bus, deps.readStore);
    },
    async stop() {
      await catalogs?.stop();
      await runner?.stop();
    },
    ready: () => runner?.ready() ?? false,
    async rebuild(name: string) {
      if (!runner || !catalogs) throw new Error('inspection is not started');
      if (name === 'all' || name === CATALOG_FEED.name) await catalogs.rebuild();
      if (name === 'all') for (const p of PROJECTIONS) await runner.rebuild(p.name);
      else if (name !== CATALOG_FEED.name) await runner.rebuild(name);
    },
    /** Resolves once every projection has applied everything appended so far (tests, the demo). */
    async caughtUp() {
      await projectionsCaughtUp(deps.store, () => runner);
      return catalogs?.caughtUp();
    },
  };
};
