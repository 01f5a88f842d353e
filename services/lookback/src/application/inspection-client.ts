// The one command look-back sends to another service, inspection's
// RegressRectification, and the one read it needs first, GetRectification (whose
// rectification it is), over gRPC (services meet only through proto and gRPC).
// Both carry the caller's own bearer token: look-back acts on the caller's behalf,
// so inspection checks what the caller may do and records the caller as the actor.
// Look-back lends no privilege of its own (issue 12: the confused deputy); its own
// token, which holds no role, travels beside the caller's only so the event also
// says which service acted (Actor.via = service:lookback).
// In the embedded profile every module runs in this process, so the target is the
// platform's own gRPC port; WENMING_INSPECTION_GRPC points elsewhere in production.
import * as grpc from '@grpc/grpc-js';
import { InspectionServiceClient } from '@wenming/contracts/wenming/inspection/v1/inspection_service.js';
import { ACTING_SERVICE_METADATA, NotFoundError, PermissionDeniedError } from '@wenming/service-kit';
import type { RectificationOwner } from '../domain/review.js';

export interface RegressRequest {
  idempotencyKey: string;
  rectificationId: string;
  lookbackReviewId: string;
  recurrenceId: string;
  description: string;
  observedAt?: string;
}

export interface RegressOutcome {
  streamId: string;
  eventIds: string[];
  deduplicated: boolean;
}

/** A failed call, with the gRPC status name (UNAVAILABLE, FAILED_PRECONDITION, …) for the record. */
export class RegressCallError extends Error {
  override readonly name = 'RegressCallError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The caller look-back acts for: its `Authorization` value (`Bearer …`), forwarded as it came. */
export interface Caller {
  bearer?: string;
}

export interface InspectionPort {
  getRectification(rectificationId: string, caller: Caller): Promise<RectificationOwner>;
  regressRectification(request: RegressRequest, caller: Caller): Promise<RegressOutcome>;
  close(): void;
}

export interface InspectionClientOptions {
  /** host:port of the inspection gRPC server; a function is asked at the first call (after the server bound its port). */
  address: string | (() => string);
  /**
   * Look-back's own token (no role), sent beside the caller's so inspection records
   * which service acted (Actor.via); fetched per call so it can be renewed.
   */
  serviceToken?: () => Promise<string | undefined>;
  deadlineMs?: number;
}

export function createInspectionClient(options: InspectionClientOptions): InspectionPort {
  let client: InstanceType<typeof InspectionServiceClient> | undefined;
  const get = () => {
    client ??= new InspectionServiceClient(
      typeof options.address === 'function' ? options.address() : options.address,
      grpc.credentials.createInsecure(),
    );
    return client;
  };
  const metadataOf = async (caller: Caller) => {
    if (!caller.bearer)
      throw new RegressCallError('UNAUTHENTICATED', "no caller token to forward: look-back acts only on a caller's behalf");
    const metadata = new grpc.Metadata();
    metadata.set('authorization', caller.bearer);
    const own = await options.serviceToken?.();
    if (own) metadata.set(ACTING_SERVICE_METADATA, `Bearer ${own}`);
    return metadata;
  };

  const deadline = () => ({ deadline: Date.now() + (options.deadlineMs ?? 10_000) });
  const failed = (err: grpc.ServiceError) => new RegressCallError(grpc.status[err.code] ?? String(err.code), err.details || err.message);
  return {
    async getRectification(rectificationId, caller) {
      const metadata = await metadataOf(caller);
      return new Promise((resolve, reject) => {
        get().getRectification({ rectificationId }, metadata, deadline(), (err, response) => {
          if (err) {
            // What inspection refused the caller is refused here, as it would be there.
            if (err.code === grpc.status.NOT_FOUND) reject(new NotFoundError('rectification', rectificationId));
            else if (err.code === grpc.status.PERMISSION_DENIED) reject(new PermissionDeniedError(err.details || err.message));
            else reject(failed(err));
            return;
          }
          const r = response?.rectification;
          if (!r?.unitId) {
            reject(new NotFoundError('rectification', rectificationId));
            return;
          }
          resolve({ unitId: r.unitId, ...(r.campaignId ? { campaignId: r.campaignId } : {}) });
        });
      });
    },
    async regressRectification(request, caller) {
      const metadata = await metadataOf(caller);
      return new Promise((resolve, reject) => {
        get().regressRectification(
          {
            idempotencyKey: request.idempotencyKey,
            rectificationId: request.rectificationId,
            lookbackReviewId: request.lookbackReviewId,
            recurrenceId: request.recurrenceId,
            description: request.description,
            evidence: [],
            newDeadlineDate: '',
            observedAt: request.observedAt ? new Date(request.observedAt) : undefined,
          },
          metadata,
          deadline(),
          (err, response) => {
            if (err) {
              reject(failed(err));
              return;
            }
            const result = response?.result;
            resolve({ streamId: result?.streamId ?? '', eventIds: result?.eventIds ?? [], deduplicated: result?.deduplicated ?? false });
          },
        );
      });
    },
    close() {
      client?.close();
    },
  };
}
