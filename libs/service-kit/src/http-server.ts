// The fastify instance every module registers its routes on. 5xx details stay in
// the log, never in the response.
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';

export function createHttpServer(logger: Logger): FastifyInstance {
  const app = Fastify({ loggerInstance: logger, return503OnClosing: true });
  app.setErrorHandler((error: Error & { statusCode?: number; validation?: unknown }, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return reply.code(status).send({ error: 'internal', message: 'internal error; see the server log' });
    }
    return reply.code(status).send({ error: error.validation ? 'invalid_argument' : 'bad_request', message: error.message });
  });
  return app as unknown as FastifyInstance;
}
