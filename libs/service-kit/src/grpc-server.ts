// A grpc-js server with grpc.health.v1, so orchestrators and grpcurl can probe it.
// Hardening (issue 12): a bound on the size of a message it will read, and a call
// rate per caller and method, checked before the call reaches its handler.
import * as grpc from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { bearerToken } from './auth/bearer.js';
import type { TokenVerifier } from './auth/tokens.js';
import { DEFAULT_LIMITS, type LimitsConfig } from './config.js';
import { createRateLimiter } from './rate-limiter.js';

export interface GrpcServer {
  server: grpc.Server;
  health: HealthImplementation;
  /** Binds and starts; resolves to the bound port (useful when asked for port 0). */
  listen(host: string, port: number): Promise<number>;
  /** Refuses new calls, lets calls in flight finish, then forces the rest after `graceMs`. */
  close(graceMs: number): Promise<void>;
}

export type GrpcLimits = Pick<LimitsConfig, 'rateLimitMax' | 'rateLimitWindowMs' | 'grpcMaxReceiveMessageBytes'>;

/** The same defaults loadConfig gives, for servers built without a configuration (tests of plumbing). */
export const DEFAULT_GRPC_LIMITS: GrpcLimits = {
  rateLimitMax: DEFAULT_LIMITS.rateLimitMax,
  rateLimitWindowMs: DEFAULT_LIMITS.rateLimitWindowMs,
  grpcMaxReceiveMessageBytes: DEFAULT_LIMITS.grpcMaxReceiveMessageBytes,
};

export interface GrpcServerOptions {
  /** Counts calls by the token's subject; without it (or with a token that fails) by the peer's address. */
  auth?: TokenVerifier;
  limits?: Partial<GrpcLimits>;
}

const HEALTH_PREFIX = '/grpc.health.v1.Health/';

export function createGrpcServer(options: GrpcServerOptions = {}): GrpcServer {
  const limits = { ...DEFAULT_GRPC_LIMITS, ...options.limits };
  const server = new grpc.Server({
    // A larger message is refused with RESOURCE_EXHAUSTED before it is decoded.
    'grpc.max_receive_message_length': limits.grpcMaxReceiveMessageBytes,
    interceptors: [rateLimitInterceptor(limits, options.auth)],
  });
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

/**
 * Every call but health probes spends a token of its caller's bucket for its method;
 * an empty bucket ends the call with RESOURCE_EXHAUSTED before the handler runs. The
 * caller is the verified token's subject, so one user is one caller wherever it
 * connects from, and nobody can spend another's tokens by naming them; a call
 * without a valid token counts against its address (its handler refuses it anyway).
 */
function rateLimitInterceptor(limits: GrpcLimits, auth: TokenVerifier | undefined): grpc.ServerInterceptor {
  const limiter = createRateLimiter({ max: limits.rateLimitMax, windowMs: limits.rateLimitWindowMs });
  const callerOf = async (metadata: grpc.Metadata, peer: string): Promise<string> => {
    if (auth) {
      const [value] = metadata.get('authorization');
      try {
        const principal = await auth.verify(bearerToken(typeof value === 'string' ? value : value?.toString('utf8')));
        return `sub:${principal.id}`;
      } catch {
        // Counted by address below; the handler answers UNAUTHENTICATED.
      }
    }
    // ipv4:1.2.3.4:5678 / ipv6:[::1]:5678: the address without the port.
    return `ip:${peer.replace(/:\d+$/, '')}`;
  };
  return (method, call) => {
    if (method.path.startsWith(HEALTH_PREFIX)) return new grpc.ServerInterceptingCall(call);
    return new grpc.ServerInterceptingCall(call, {
      start: (next) => {
        next({
          onReceiveMetadata: (metadata, proceed) => {
            callerOf(metadata, call.getPeer()).then((caller) => {
              const decision = limiter.take(`${caller} ${method.path}`);
              if (decision.allowed) return proceed(metadata);
              const retryAfterSec = Math.ceil(decision.retryAfterMs / 1000);
              const trailer = new grpc.Metadata();
              trailer.set('retry-after', String(retryAfterSec));
              call.sendStatus({
                code: grpc.status.RESOURCE_EXHAUSTED,
                details: `too many calls: at most ${limits.rateLimitMax} per caller and method every ${limits.rateLimitWindowMs / 1000} s; retry in ${retryAfterSec} s`,
                metadata: trailer,
              });
            });
          },
        });
      },
    });
  };
}
