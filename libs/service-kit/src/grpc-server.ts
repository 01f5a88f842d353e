// A grpc-js server with grpc.health.v1, so orchestrators and grpcurl can probe it.
import * as grpc from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';

export interface GrpcServer {
  server: grpc.Server;
  health: HealthImplementation;
  /** Binds and starts; resolves to the bound port (useful when asked for port 0). */
  listen(host: string, port: number): Promise<number>;
  /** Refuses new calls, lets calls in flight finish, then forces the rest after `graceMs`. */
  close(graceMs: number): Promise<void>;
}

export function createGrpcServer(): GrpcServer {
  const server = new grpc.Server();
  // '' is the whole server's status, as the health protocol defines.
  const health = new HealthImplementation({ '': 'NOT_SERVING' });
  health.addToServer(server);
  return {
    server,
    health,
    listen: (host, port) =>
      new Promise((resolve, reject) => {
        server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound)));
      }),
    close: (graceMs) =>
      new Promise((resolve) => {
        health.setStatus('', 'NOT_SERVING');
        const force = setTimeout(() => server.forceShutdown(), graceMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}
