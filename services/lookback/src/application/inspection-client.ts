// The one command look-back sends to another service: inspection's
// RegressRectification, over gRPC (services meet only through proto and gRPC).
// In the embedded profile every module runs in this process, so the target is the
// platform's own gRPC port; WENMING_INSPECTION_GRPC points elsewhere in production.
import * as grpc from '@grpc/grpc-js';
import { InspectionServiceClient } from '@wenming/contracts/wenming/inspection/v1/inspection_service.js';

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

export interface InspectionPort {
  regressRectification(request: RegressRequest): Promise<RegressOutcome>;
  close(): void;
}

export interface InspectionClientOptions {
  /** host:port of the inspection gRPC server; a function is asked at the first call (after the server bound its port). */
  address: string | (() => string);
  /** A bearer token for the service (roles office + inspector), fetched per call so it can be renewed. */
  token: () => Promise<string>;
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
  return {
    async regressRectification(request) {
      const metadata = new grpc.Metadata();
      metadata.set('authorization', `Bearer ${await options.token()}`);
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
          { deadline: Date.now() + (options.deadlineMs ?? 10_000) },
          (err, response) => {
            if (err) {
              reject(new RegressCallError(grpc.status[err.code] ?? String(err.code), err.details || err.message));
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
