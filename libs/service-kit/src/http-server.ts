// The fastify instance every module registers its routes on: one error handler over
// the shared mapping (5xx details stay in the log), bearer authentication on every
// route not marked public, and the OpenAPI document of every route's schema at
// /openapi.json with a browsable UI at /docs.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { registerHttpAuth } from './auth/http.js';
import type { TokenVerifier } from './auth/tokens.js';
import { httpErrorHandler } from './errors/http.js';

export interface HttpServerOptions {
  /** Verifies bearer tokens; without it no route asks for one (tests of plain plumbing). */
  auth?: TokenVerifier;
  title?: string;
  version?: string;
}

export async function createHttpServer(logger: Logger, options: HttpServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: logger, return503OnClosing: true }) as unknown as FastifyInstance;
  app.setErrorHandler(httpErrorHandler);
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ code: 'NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` }),
  );
  // Awaited before any route exists: swagger collects routes as they are declared.
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: options.title ?? 'Wenming',
        version: options.version ?? '0.1.0',
        description:
          'Civilized-agency / efficient-government campaigns. Every call needs a bearer token (`wenming token --role …` in the embedded profile) unless marked otherwise.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ bearer: [] }],
    },
  });
  if (options.auth) registerHttpAuth(app, options.auth);

  app.get('/openapi.json', { schema: { hide: true }, config: { public: true } }, () => app.swagger());
  await app.register(async (docs) => {
    // The UI's own routes and static files are public, like the document they show.
    docs.addHook('onRoute', (route) => {
      route.config = { ...route.config, public: true };
    });
    await docs.register(swaggerUi, { routePrefix: '/docs' });
  });
  return app;
}
