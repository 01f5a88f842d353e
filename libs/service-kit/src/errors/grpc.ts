// grpc-js edge of the mapping table: a handler is an async function that returns
// the response or throws; grpcHandler sends the right status code and message,
// and puts `field` / `current-state` in trailing metadata for programs to read.
// Bad input also carries every violation the standard way: a google.rpc.Status in
// `grpc-status-details-bin` whose details hold a google.rpc.BadRequest
// (grpc_status.rpc_status.from_call in Python, StatusProto.fromThrowable in Java).

import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { type handleUnaryCall, Metadata, type ServerUnaryCall, type ServiceError } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { createLogger } from '../logger.js';
import type { FieldViolation } from './domain-errors.js';
import { MAX_ECHO, truncateEcho } from './echo.js';
import { mapError } from './mapping.js';

export const FIELD_METADATA_KEY = 'wenming-field';
export const CURRENT_STATE_METADATA_KEY = 'wenming-current-state';
export const STATUS_DETAILS_METADATA_KEY = 'grpc-status-details-bin';
export const BAD_REQUEST_TYPE_URL = 'type.googleapis.com/google.rpc.BadRequest';
/**
 * Bytes of field violations a status carries at most: trailers share the peer's
 * header-list limit (8 KiB in several clients) with the status message, and a call
 * whose trailers exceed it never ends. The HTTP body lists up to MAX_VIOLATIONS.
 */
export const MAX_STATUS_DETAILS_BYTES = 2048;

let fallbackLogger: Logger | undefined;

export function toServiceError(error: unknown, logger?: Logger): ServiceError {
  const mapped = mapError(error);
  if (mapped.internal) {
    fallbackLogger ??= createLogger('info', 'wenming-grpc');
    (logger ?? fallbackLogger).error({ err: error }, 'gRPC call failed');
  }
  const metadata = new Metadata();
  if (mapped.field !== undefined) metadata.set(FIELD_METADATA_KEY, asciiMetadataValue(mapped.field));
  if (mapped.currentState !== undefined) metadata.set(CURRENT_STATE_METADATA_KEY, asciiMetadataValue(mapped.currentState));
  if (mapped.violations !== undefined && mapped.violations.length > 0) {
    metadata.set(STATUS_DETAILS_METADATA_KEY, Buffer.from(badRequestStatus(mapped.grpcCode, mapped.message, mapped.violations)));
  }
  return Object.assign(new Error(mapped.message), { code: mapped.grpcCode, details: mapped.message, metadata });
}

/**
 * google.rpc.Status { code = 1; message = 2; repeated Any details = 3 } with one
 * Any { type_url = 1; value = 2 } holding google.rpc.BadRequest { repeated
 * FieldViolation field_violations = 1 }, FieldViolation { field = 1; description = 2 },
 * written field by field (neither message is in @bufbuild/protobuf's well-known types).
 * As many violations as fit in MAX_STATUS_DETAILS_BYTES, in order; the first always.
 */
export function badRequestStatus(code: number, message: string, violations: readonly FieldViolation[]): Uint8Array {
  const encoded = violations.map((v) =>
    new BinaryWriter()
      .tag(1, WireType.LengthDelimited)
      .string(truncateEcho(v.field, MAX_ECHO))
      .tag(2, WireType.LengthDelimited)
      .string(truncateEcho(v.message, MAX_ECHO * 2))
      .finish(),
  );
  const badRequest = new BinaryWriter();
  let bytes = 0;
  for (const [i, violation] of encoded.entries()) {
    bytes += violation.length + 4;
    if (i > 0 && bytes > MAX_STATUS_DETAILS_BYTES) break;
    badRequest.tag(1, WireType.LengthDelimited).bytes(violation);
  }
  const any = new BinaryWriter()
    .tag(1, WireType.LengthDelimited)
    .string(BAD_REQUEST_TYPE_URL)
    .tag(2, WireType.LengthDelimited)
    .bytes(badRequest.finish())
    .finish();
  return new BinaryWriter()
    .tag(1, WireType.Varint)
    .int32(code)
    .tag(2, WireType.LengthDelimited)
    .string(truncateEcho(message, MAX_ECHO))
    .tag(3, WireType.LengthDelimited)
    .bytes(any)
    .finish();
}

/**
 * Text metadata values are printable ASCII (gRPC over HTTP/2); grpc-js throws on
 * anything else, and a throw here would leave the call without a status. Other
 * characters are sent as \uXXXX escapes. (The status message itself is
 * percent-encoded by grpc-js, so it may hold any text.)
 */
function asciiMetadataValue(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function grpcHandler<Req, Res>(
  fn: (call: ServerUnaryCall<Req, Res>) => Promise<Res>,
  options: { logger?: Logger } = {},
): handleUnaryCall<Req, Res> {
  return (call, callback) => {
    fn(call).then(
      (response) => callback(null, response),
      (error: unknown) => callback(toServiceError(error, options.logger)),
    );
  };
}
