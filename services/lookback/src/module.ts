// The look-back module 回头看: reads every unit's history straight from the event
// store (no projection to catch up, so it is ready as soon as it starts), serves it
// on HTTP and gRPC, and keeps look-back reviews in lookback-review-<id> streams,
// which the relay publishes to wenming.lookback.events.v1, beside the audit trail of
// integrity checks and dossier exports run over HTTP or gRPC (integritycheck-<id>, dossierexport-<id>).
import type { CreateModule, ModuleDeps, ServiceModule, WenmingConfig } from '@wenming/service-kit';
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
 * Where inspection's gRPC API is: WENMING_INSPECTION_GRPC when set (its own
 * process), else this process's own server, as bound (GRPC_PORT=0 picks a port
 * only at bind time, so it is asked at the first call, not at start).
 */
export function inspectionAddress(
  config: WenmingConfig,
  boundAddress?: () => string,
  env: NodeJS.ProcessEnv = process.env,
): string | (() => string) {
  const configured = env.WENMING_INSPECTION_GRPC?.trim();
  if (configured) return configured;
  if (boundAddress) return () => boundAddress().replace(/^(0\.0\.0\.0|\[?::\]?):/, '127.0.0.1:');
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  return `${host}:${config.grpcPort}`;
}

export const createLookbackModule: CreateModule = (config: WenmingConfig, deps: ModuleDeps): ServiceModule => {
  // No token of its own: every call to inspection carries the caller's (inspection-client.ts).
  const inspection = createInspectionClient({ address: inspectionAddress(config, deps.grpcAddress) });
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
