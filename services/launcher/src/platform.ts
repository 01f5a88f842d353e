// Boots one Wenming process: the event store, the HTTP and gRPC servers, and the
// service modules the configuration names, in that order; stops them in reverse so
// in-flight requests finish before the store closes and no acknowledged append is lost.
import { type EventStore, openEventStore } from '@wenming/eventstore';
import {
  createGrpcServer,
  createHttpServer,
  createLogger,
  registerHealthRoutes,
  type ServiceModule,
  type WenmingConfig,
} from '@wenming/service-kit';
import type { Logger } from 'pino';
import { MODULES } from './modules.js';

export interface RunningPlatform {
  httpUrl: string;
  grpcAddress: string;
  store: EventStore;
  logger: Logger;
  /** Not built yet in this version; listed so the operator sees it. */
  missingServices: string[];
  stop(): Promise<void>;
}

const SHUTDOWN_GRACE_MS = 10_000;

export async function startPlatform(config: WenmingConfig): Promise<RunningPlatform> {
  const logger = createLogger(config.logLevel);
  const store = await openEventStore(config.eventStoreUrl);
  await store.ping();
  const http = createHttpServer(logger);
  const grpc = createGrpcServer();
  const modules: ServiceModule[] = [];
  let accepting = false;
  registerHealthRoutes(http, { store, profile: config.profile, modules: () => modules, accepting: () => accepting });

  const missingServices: string[] = [];
  for (const name of config.services) {
    const create = MODULES[name];
    if (!create) {
      missingServices.push(name);
      continue;
    }
    modules.push(await create(config, { store, http, grpc: grpc.server, logger: logger.child({ service: name }) }));
  }
  for (const module of modules) await module.start();

  const address = await http.listen({ host: config.host, port: config.httpPort });
  const grpcPort = await grpc.listen(config.host, config.grpcPort);
  accepting = true;
  grpc.health.setStatus('', 'SERVING');

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      accepting = false;
      // Stop taking requests and let those in flight finish (their appends commit) ...
      await Promise.all([http.close(), grpc.close(SHUTDOWN_GRACE_MS)]);
      // ... then the modules (subscriptions store their checkpoints) ...
      for (const module of [...modules].reverse()) await module.stop();
      // ... and only then the store.
      await store.close();
    })();
    return stopping;
  };

  return {
    httpUrl: address,
    grpcAddress: `${config.host}:${grpcPort}`,
    store,
    logger,
    missingServices,
    stop,
  };
}
