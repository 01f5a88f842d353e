// The HTTP edge: every route requires a verified bearer token unless it declares
// `config: { public: true }` (health probes, the OpenAPI document and its UI).
// Default-deny means a route someone forgets to mark is closed, not open.
//
// It runs onRequest, before the body is parsed and validated: an anonymous caller
// learns nothing about the schema and cannot make the server parse a large body.
import type { FastifyInstance } from 'fastify';
import { bearerToken } from './bearer.js';
import type { Principal } from './principal.js';
import type { TokenVerifier } from './tokens.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set before any handler of a non-public route runs; public routes must not read it. */
    principal: Principal;
  }
  interface FastifyContextConfig {
    /** Serve without a token. */
    public?: boolean;
  }
}

export function registerHttpAuth(app: FastifyInstance, verifier: TokenVerifier): void {
  app.decorateRequest('principal', null as unknown as Principal);
  // Public routes say so in the OpenAPI document too, so its UI offers them without a token.
  app.addHook('onRoute', (route) => {
    if (route.config?.public) route.schema = { ...route.schema, security: [] };
  });
  app.addHook('onRequest', async (request) => {
    // No matched route: let the 404 handler answer rather than ask for a token.
    if (request.routeOptions.url === undefined || request.routeOptions.config.public) return;
    request.principal = await verifier.verify(bearerToken(request.headers.authorization));
  });
}
