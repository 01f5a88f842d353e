// Boots one Wenming process: the event store, the HTTP and gRPC servers, and the
// service modules the configuration names, in that order; stops them in reverse so
// in-flight requests finish before the store closes and no acknowledged append is lost.
import { type EventStore, openEventStore } from '@wenming/eventstore';
import { MongoReadStore, type ReadStore, SqliteReadStore } from '@wenming/readstore';
import {
  addReflection,
  type CreateModule,
  createGrpcServer,
  createHttpServer,
  createLogger,
  createTokenVerifier,
  HEALTH_SERVICE,
  LiveStreams,
  observeProjectionFailures,
  protoFilesFor,
  redactSecrets,
  registerHealthRoutes,
  type ServiceModule,
  type WenmingConfig,
} from '@wenming/service-kit';
import type { Logger } from 'pino';
import { type Messaging, openMessaging } from './messaging.js';
import { MODULES } from './modules.js';

export interface RunningPlatform {
  httpUrl: string;
  grpcAddress: string;
  store: EventStore;
  readStore: ReadStore;
  /** The modules started, in start order. */
  modules: readonly ServiceModule[];
  messaging: Messaging;
  logger: Logger;
  /** Not built yet in this version; listed so the operator sees it. */
  missingServices: string[];
  stop(): Promise<void>;
}

export interface StartPlatformOptions {
  /** Modules beyond those the configuration names (test fixtures); started after them. */
  modules?: CreateModule[];
  /** Instead of JSON lines on stdout at config.logLevel (tests read what was logged). */
  logger?: Logger;
}

const SHUTDOWN_GRACE_MS = 10_000;

/** The read store the configuration names: MongoDB (MONGODB_URL) or the embedded SQLite file in the data directory. */
export async function openReadStore(config: WenmingConfig): Promise<ReadStore> {
  const rs = config.readStore;
  if (rs.kind === 'mongodb') return MongoReadStore.connect({ url: rs.url, database: rs.database });
  return new SqliteReadStore({ path: rs.path });
}

/** Where the read models are, for operators' eyes (no password). */
export function describeReadStore(config: WenmingConfig): string {
  const rs = config.readStore;
  return rs.kind === 'mongodb' ? `MongoDB ${redactSecrets(rs.url)} database ${rs.database}` : `SQLite ${rs.path}`;
}

export async function startPlatform(config: WenmingConfig, options: StartPlatformOptions = {}): Promise<RunningPlatform> {
  const logger = options.logger ?? createLogger(config.logLevel);
  // Before the store opens: a bad key setup (unreadable secret file) fails fast.
  const auth = createTokenVerifier(config.auth);
  for (const warning of config.warnings) logger.warn(warning);
  // Opening either store already talks to it (schema, unit index, ping), so a store
  // that cannot serve fails here without a second round trip.
  const store = await openEventStore(config.eventStoreUrl);
  let readStore: ReadStore;
  try {
    readStore = await openReadStore(config);
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
  const messaging = await openMessaging(config.messaging, store, logger);
  const { bus } = messaging;
  const http = await createHttpServer(logger, { auth, limits: config.limits });
  const grpc = createGrpcServer({ auth, limits: config.limits });
  const modules: ServiceModule[] = [];
  let accepting = false;
  registerHealthRoutes(http, { store, profile: config.profile, modules: () => modules, accepting: () => accepting });

  // Modules that call this process's own gRPC server (look-back → inspection) ask
  // for the address when they call: with GRPC_PORT=0 the port is known only after bind.
  let boundGrpcPort: number | undefined;
  const grpcAddress = () => `${config.host}:${boundGrpcPort ?? config.grpcPort}`;
  const streams = new LiveStreams({ store, logger, maxPerCaller: config.maxStreamsPerCaller });
  const deps = (moduleLogger: Logger) => ({
    store,
    http,
    grpc: grpc.server,
    logger: moduleLogger,
    auth,
    bus,
    readStore,
    grpcAddress,
    streams,
  });
  const missingServices: string[] = [];
  for (const name of config.services) {
    const create = MODULES[name];
    if (!create) {
      missingServices.push(name);
      continue;
    }
    modules.push(await create(config, deps(logger.child({ service: name }))));
  }
  for (const create of options.modules ?? []) modules.push(await create(config, deps(logger)));
  // Reflection lists what this process really serves: health and the modules' own services.
  const grpcServices = [HEALTH_SERVICE, ...modules.flatMap((module) => module.grpcServices ?? [])];
  addReflection(grpc.server, protoFilesFor(grpcServices), grpcServices);
  // The modules' projection runners feed wenming.projection.failed_events (telemetry started before this).
  observeProjectionFailures();
  for (const module of modules) await module.start();
  messaging.startRelay(modules);

  const address = await http.listen({ host: config.host, port: config.httpPort });
  const grpcPort = await grpc.listen(config.host, config.grpcPort);
  boundGrpcPort = grpcPort;
  accepting = true;
  grpc.health.setStatus('', 'SERVING');

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      accepting = false;
      // Open follows would never finish on their own: end them (UNAVAILABLE, so clients reconnect) ...
      await streams.close();
      // ... stop taking requests and let those in flight finish (their appends commit) ...
      await Promise.all([http.close(), grpc.close(SHUTDOWN_GRACE_MS)]);
      // ... then the modules (subscriptions store their checkpoints) ...
      for (const module of [...modules].reverse()) await module.stop();
      // ... then the relay (it publishes what it read and stores its checkpoint) and the bus ...
      await messaging.stop();
      // ... and only then the stores.
      await readStore.close();
      await store.close();
    })();
    return stopping;
  };

  return {
    httpUrl: address,
    grpcAddress: `${config.host}:${grpcPort}`,
    store,
    readStore,
    modules,
    messaging,
    logger,
    missingServices,
    stop,
  };
}
