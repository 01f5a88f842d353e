// A service is a module the launcher starts and stops (one process may host one
// or all of them): `createModule(config, deps) → { start, stop, ready }`.

import type * as grpc from '@grpc/grpc-js';
import type { EventStore } from '@wenming/eventstore';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { WenmingConfig } from './config.js';

export interface ModuleDeps {
  store: EventStore;
  http: FastifyInstance;
  grpc: grpc.Server;
  logger: Logger;
}

export interface ServiceModule {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** False while the module cannot serve (e.g. a projection still catching up). */
  ready(): boolean;
}

export type CreateModule = (config: WenmingConfig, deps: ModuleDeps) => ServiceModule | Promise<ServiceModule>;
