// The look-back module 回头看: reads every unit's history straight from the event
// store (no projection to catch up, so it is ready as soon as it starts), serves it
// on HTTP and gRPC, and keeps look-back reviews in lookback-review-<id> streams,
// which the relay publishes to wenming.lookback.events.v1, beside the audit trail of
// integrity checks and dossier exports run over HTTP or gRPC (integritycheck-<id>, dossierexport-<id>).
import {
  type CreateModule,
  hs256Secret,
  type ModuleDeps,
  type ServiceModule,
  signHs256Token,
  type WenmingConfig,
} from '@wenming/service-kit';
import { addLookbackService, LOOKBACK_SERVICE } from './api/grpc/service.js';
import { registerLookbackRoutes } from './api/http/routes.js';
import { createAuditTrail, DOSSIER_EXPORT_CATEGORY, INTEGRITY_CHECK_CATEGORY } from './application/audit-trail.js';
import { createInspectionClient } from './application/inspection-client.js';
import { createReviews, REVIEW_CATEGORY } from './application/reviews.js';

/** The streams this service writes and its context: the relay routes them to wenming.<context>.events.v1. */
export const LOOKBACK_EVENTS = {
  context: 'lookback',
  categories: [REVIEW_CATEGORY, DOSSIER_EXPORT_CATEGORY, INTEGRITY_CHECK_CATEGORY],
} as const;

/**
 * Where inspection's gRPC API is: WENMING_INSPECTION_GRPC as loadConfig read it
 * (required in production when inspection runs in another process), else this
 * process's own server, as bound (GRPC_PORT=0 picks a port only at bind time, so it
 * is asked at the first call, not at start).
 */
export function inspectionAddress(config: WenmingConfig, boundAddress?: () => string): string | (() => string) {
  if (config.inspectionGrpc) return config.inspectionGrpc;
  if (boundAddress) return () => boundAddress().replace(/^(0\.0\.0\.0|\[?::\]?):/, '127.0.0.1:');
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  return `${host}:${config.grpcPort}`;
}

/**
 * Look-back's own token, sent beside the caller's when it acts for the caller, so
 * inspection records which service acted (Actor.via). It names the service and
 * carries no role: on its own it may do nothing. WENMING_LOOKBACK_SERVICE_TOKEN when
 * set (an SSO-issued token with subject service:lookback in production), else an
 * HS256 token signed with the platform's secret, renewed before it expires; without
 * either (SSO and no token) calls carry the caller's token only.
 */
export function serviceToken(config: WenmingConfig, env: NodeJS.ProcessEnv = process.env): () => Promise<string | undefined> {
  const fixed = env.WENMING_LOOKBACK_SERVICE_TOKEN?.trim();
  if (fixed) return async () => fixed;
  const auth = config.auth;
  if (auth.mode !== 'hs256') return async () => undefined;
  let cached: { token: string; until: number } | undefined;
  return async () => {
    if (cached && cached.until > Date.now()) return cached.token;
    const ttlSec = 3600;
    const token = await signHs256Token(
      {
        sub: 'service:lookback',
        roles: [],
        ttlSec,
        ...(auth.issuer ? { issuer: auth.issuer } : {}),
        ...(auth.audience ? { audience: auth.audience } : {}),
      },
      hs256Secret(auth),
    );
    cached = { token, until: Date.now() + (ttlSec - 300) * 1000 };
    return token;
  };
}

export const createLookbackModule: CreateModule = (config: WenmingConfig, deps: ModuleDeps): ServiceModule => {
  // Every call to inspection carries the caller's token, and look-back's own only to say it acted (inspection-client.ts).
  const inspection = createInspectionClient({ address: inspectionAddress(config, deps.grpcAddress), serviceToken: serviceToken(config) });
  const reviews = createReviews({ store: deps.store, inspection });
  const audit = createAuditTrail({ store: deps.store });
  registerLookbackRoutes(deps.http, { store: deps.store, reviews, audit });
  addLookbackService(deps.grpc, { store: deps.store, reviews, audit, auth: deps.auth, logger: deps.logger, streams: deps.streams });
  let started = false;
  return {
    name: 'lookback',
    grpcServices: [LOOKBACK_SERVICE],
    events: LOOKBACK_EVENTS,
    async start() {
      started = true;
    },
    async stop() {
      started = false;
      inspection.close();
    },
    ready: () => started,
  };
};
