// grpc-js edge of the mapping table: a handler is an async function that returns
// the response or throws; grpcHandler sends the right status code and message,
// and puts `field` / `current-state` in trailing metadata for programs to read.
import { type handleUnaryCall, Metadata, type ServerUnaryCall, type ServiceError } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { createLogger } from '../logger.js';
import { mapError } from './mapping.js';

export const FIELD_METADATA_KEY = 'wenming-field';
export const CURRENT_STATE_METADATA_KEY = 'wenming-current-state';

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
  return Object.assign(new Error(mapped.message), { code: mapped.grpcCode, details: mapped.message, metadata });
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
