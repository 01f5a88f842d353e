// A service is a module the launcher starts and stops (one process may host one
// or all of them): `createModule(config, deps) → { start, stop, ready }`.

import type * as grpc from '@grpc/grpc-js';
import type { EventStore } from '@wenming/eventstore';
import type { Context, MessageBus } from '@wenming/messaging';
import type { ReadStore } from '@wenming/readstore';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { TokenVerifier } from './auth/tokens.js';
import type { WenmingConfig } from './config.js';
import type { LiveStreams } from './streams/live-streams.js';

export interface ModuleDeps {
  store: EventStore;
  http: FastifyInstance;
  grpc: grpc.Server;
  logger: Logger;
  /** Verifies bearer tokens: HTTP routes get it through the server's hook, gRPC handlers call authenticateCall. */
  auth: TokenVerifier;
  /** The bus other services' events arrive on (consume with startEventConsumer). */
  bus: MessageBus;
  /** host:port this process's gRPC server is bound to; valid once the platform listens (GRPC_PORT=0 binds late). */
  grpcAddress?: () => string;
  /** The read-model store projections write and queries read (`<dataDir>/readmodels.db` embedded). */
  readStore: ReadStore;
  /** The process's server-stream sessions: per-caller cap, end at token expiry, follow by subscription. */
  streams: LiveStreams;
}

export interface ServiceModule {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** False while the module cannot serve (e.g. a projection still catching up). */
  ready(): boolean;
  /**
   * Fully-qualified names of the gRPC services the module registered on `deps.grpc`
   * (e.g. `wenming.inspection.v1.InspectionService`); server reflection lists exactly
   * these, so a service defined in proto/ but not served is never advertised.
   */
  readonly grpcServices?: readonly string[];
  /**
   * The stream categories this module writes (`rectification` for `rectification-42`)
   * and its context: the relay publishes their events to `wenming.<context>.events.v1`.
   */
  readonly events?: { readonly context: Context; readonly categories: readonly string[] };
}

export type CreateModule = (config: WenmingConfig, deps: ModuleDeps) => ServiceModule | Promise<ServiceModule>;
