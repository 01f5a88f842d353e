// /healthz says whether the process can serve at all (it really reaches the event
// store); /readyz says whether every module is ready to take traffic. gRPC callers
// get the same answers from grpc.health.v1.
import type { EventStore } from '@wenming/eventstore';
import type { FastifyInstance } from 'fastify';
import type { ServiceModule } from './module.js';

const healthBody = {
  type: 'object',
  required: ['status', 'eventStore'],
  properties: {
    status: { type: 'string', enum: ['ok', 'unavailable'] },
    profile: { type: 'string' },
    eventStore: {
      type: 'object',
      required: ['kind', 'ok'],
      properties: { kind: { type: 'string' }, ok: { type: 'boolean' }, error: { type: 'string' }, latencyMs: { type: 'number' } },
    },
  },
} as const;

const readyBody = {
  type: 'object',
  required: ['ready', 'modules'],
  properties: {
    ready: { type: 'boolean' },
    modules: { type: 'object', additionalProperties: { type: 'boolean' } },
  },
} as const;

export function registerHealthRoutes(
  app: FastifyInstance,
  options: { store: EventStore; profile: string; modules: () => ServiceModule[]; accepting: () => boolean },
): void {
  app.get('/healthz', { schema: { response: { 200: healthBody, 503: healthBody } } }, async (_request, reply) => {
    const started = performance.now();
    try {
      await options.store.ping();
      const latencyMs = Math.round((performance.now() - started) * 100) / 100;
      return { status: 'ok', profile: options.profile, eventStore: { kind: options.store.kind, ok: true, latencyMs } };
    } catch (err) {
      reply.code(503);
      return { status: 'unavailable', profile: options.profile, eventStore: { kind: options.store.kind, ok: false, error: String(err) } };
    }
  });

  app.get('/readyz', { schema: { response: { 200: readyBody, 503: readyBody } } }, async (_request, reply) => {
    const modules = Object.fromEntries(options.modules().map((m) => [m.name, m.ready()]));
    const ready = options.accepting() && Object.values(modules).every(Boolean);
    if (!ready) reply.code(503);
    return { ready, modules };
  });
}
