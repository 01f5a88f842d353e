// /healthz says whether the process can serve at all (it really reaches the event
// store); /readyz says whether every module is ready to take traffic. gRPC callers
// get the same answers from grpc.health.v1.
import { Type } from '@sinclair/typebox';
import type { EventStore } from '@wenming/eventstore';
import type { FastifyInstance } from 'fastify';
import type { ServiceModule } from './module.js';
import { redactSecrets } from './redact.js';

const HealthBody = Type.Object(
  {
    status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]),
    profile: Type.Optional(Type.String()),
    eventStore: Type.Object({
      kind: Type.String(),
      ok: Type.Boolean(),
      error: Type.Optional(Type.String()),
      latencyMs: Type.Optional(Type.Number()),
    }),
  },
  { title: 'Health' },
);

const ReadyBody = Type.Object({ ready: Type.Boolean(), modules: Type.Record(Type.String(), Type.Boolean()) }, { title: 'Readiness' });

export function registerHealthRoutes(
  app: FastifyInstance,
  options: { store: EventStore; profile: string; modules: () => ServiceModule[]; accepting: () => boolean },
): void {
  app.get(
    '/healthz',
    {
      // Probes carry no token: orchestrators call them, and they reveal nothing private.
      // Nor are they rate-limited: an orchestrator polling them must never see a 429.
      config: { public: true, rateLimit: false },
      schema: {
        summary: 'Can the process serve (it reaches the event store)?',
        tags: ['health'],
        response: { 200: HealthBody, 503: HealthBody },
      },
    },
    async (_request, reply) => {
      const started = performance.now();
      try {
        await options.store.ping();
        const latencyMs = Math.round((performance.now() - started) * 100) / 100;
        return { status: 'ok', profile: options.profile, eventStore: { kind: options.store.kind, ok: true, latencyMs } };
      } catch (err) {
        reply.code(503);
        return {
          status: 'unavailable',
          profile: options.profile,
          eventStore: { kind: options.store.kind, ok: false, error: redactSecrets(String(err)) },
        };
      }
    },
  );

  app.get(
    '/readyz',
    {
      config: { public: true, rateLimit: false },
      schema: { summary: 'Is every module ready to take traffic?', tags: ['health'], response: { 200: ReadyBody, 503: ReadyBody } },
    },
    async (_request, reply) => {
      const modules = Object.fromEntries(options.modules().map((m) => [m.name, m.ready()]));
      const ready = options.accepting() && Object.values(modules).every(Boolean);
      if (!ready) reply.code(503);
      return { ready, modules };
    },
  );
}
