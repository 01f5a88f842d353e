// The fastify instance every module registers its routes on: one error handler over
// the shared mapping (5xx details stay in the log), bearer authentication on every
// route not marked public, and the OpenAPI document of every route's schema at
// /openapi.json with a browsable UI at /docs.
//
// Hardening (issue 12): security headers on every answer, a request rate per caller
// and route, a body limit, and timeouts so a client that sends its headers or body a
// byte at a time cannot hold a connection open.
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { registerHttpAuth } from './auth/http.js';
import type { TokenVerifier } from './auth/tokens.js';
import { DEFAULT_LIMITS, type LimitsConfig } from './config.js';
import { truncateEcho } from './errors/echo.js';
import { httpErrorHandler } from './errors/http.js';
import { clientRefusal, frameworkRefusal } from './http-refusals.js';

export interface HttpServerOptions {
  /** Verifies bearer tokens; without it no route asks for one (tests of plain plumbing). */
  auth?: TokenVerifier;
  /** Rate, body and time limits (loadConfig's `limits`); fields left out keep the defaults below. */
  limits?: Partial<HttpLimits>;
  title?: string;
  version?: string;
}

export type HttpLimits = Pick<
  LimitsConfig,
  | 'rateLimitMax'
  | 'rateLimitWindowMs'
  | 'httpBodyLimit'
  | 'httpHeadersTimeoutMs'
  | 'httpRequestTimeoutMs'
  | 'httpKeepAliveTimeoutMs'
  | 'httpConnectionTimeoutMs'
>;

/** The same defaults loadConfig gives, for servers built without a configuration (tests of plumbing). */
export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  rateLimitMax: DEFAULT_LIMITS.rateLimitMax,
  rateLimitWindowMs: DEFAULT_LIMITS.rateLimitWindowMs,
  httpBodyLimit: DEFAULT_LIMITS.httpBodyLimit,
  httpHeadersTimeoutMs: DEFAULT_LIMITS.httpHeadersTimeoutMs,
  httpRequestTimeoutMs: DEFAULT_LIMITS.httpRequestTimeoutMs,
  httpKeepAliveTimeoutMs: DEFAULT_LIMITS.httpKeepAliveTimeoutMs,
  httpConnectionTimeoutMs: DEFAULT_LIMITS.httpConnectionTimeoutMs,
};

/**
 * An API answers JSON, never a page: nothing may load, frame it or submit to it. The
 * docs UI replaces this with its own policy (below).
 */
const API_CSP = {
  useDefaults: false,
  directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] },
};

export async function createHttpServer(logger: Logger, options: HttpServerOptions = {}): Promise<FastifyInstance> {
  const limits = { ...DEFAULT_HTTP_LIMITS, ...options.limits };
  const app = Fastify({
    loggerInstance: logger,
    return503OnClosing: true,
    frameworkErrors: frameworkRefusal,
    clientErrorHandler: clientRefusal,
    // Every route reads at most this much body unless it sets its own bodyLimit.
    bodyLimit: limits.httpBodyLimit,
    requestTimeout: limits.httpRequestTimeoutMs,
    keepAliveTimeout: limits.httpKeepAliveTimeoutMs,
    connectionTimeout: limits.httpConnectionTimeoutMs,
    http: {
      headersTimeout: limits.httpHeadersTimeoutMs,
      // Node enforces the two timeouts above only when it sweeps its connections,
      // every 30 s by default: sweep often enough that the limits mean what they say.
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(limits.httpHeadersTimeoutMs / 4))),
    },
  }) as unknown as FastifyInstance;
  app.setErrorHandler(httpErrorHandler);
  // Before authentication, so a refused request (401, 404, 429) carries the headers too.
  await app.register(helmet, { contentSecurityPolicy: API_CSP });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ code: 'NOT_FOUND', message: `no route ${request.method} ${truncateEcho(request.url.split('?')[0] ?? '')}` }),
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
  // The limiter runs as each route's own onRequest hook, which fastify runs after the
  // server-wide ones: authentication has set request.principal by then, so a caller is
  // counted by its token's subject wherever it connects from (an anonymous caller of a
  // public route by its address). Routes count apart: a burst of reads does not use
  // up the caller's writes. Probes opt out with `config: { rateLimit: false }`.
  await app.register(rateLimit, {
    max: limits.rateLimitMax,
    timeWindow: limits.rateLimitWindowMs,
    keyGenerator: (request) => {
      const caller = (request.principal as { id?: string } | null | undefined)?.id;
      return `${caller !== undefined ? `sub:${caller}` : `ip:${request.ip}`} ${request.method} ${request.routeOptions.url}`;
    },
    errorResponseBuilder: (_request, context) =>
      Object.assign(new Error(`too many requests: at most ${context.max} per caller and route; retry in ${context.after}`), {
        statusCode: context.statusCode,
        code: 'RESOURCE_EXHAUSTED',
      }),
  });

  app.get('/openapi.json', { schema: { hide: true }, config: { public: true } }, () => app.swagger());
  await app.register(async (docs) => {
    // The UI's own routes and static files are public, like the document they show.
    docs.addHook('onRoute', (route) => {
      route.config = { ...route.config, public: true };
    });
    // The UI is a page: it gets swagger-ui's own policy (its scripts and styles by
    // hash), without upgrade-insecure-requests, which would break it over plain HTTP.
    await docs.register(swaggerUi, {
      routePrefix: '/docs',
      staticCSP: true,
      transformStaticCSP: (header) => header.replace(/\s*upgrade-insecure-requests;?/, ''),
    });
  });
  return app;
}
