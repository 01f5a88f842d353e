export * from './domain-errors.js';
export { MAX_ECHO, MAX_ERROR_MESSAGE, truncateEcho } from './echo.js';
export {
  BAD_REQUEST_TYPE_URL,
  badRequestStatus,
  CURRENT_STATE_METADATA_KEY,
  FIELD_METADATA_KEY,
  grpcHandler,
  STATUS_DETAILS_METADATA_KEY,
  toServiceError,
} from './grpc.js';
export { ErrorBody, errorResponses, httpErrorHandler, toHttpError } from './http.js';
export { ERROR_MAPPING, INTERNAL_MESSAGE, type MappedError, mapError } from './mapping.js';
export { createValidator, type Validate } from './validate.js';
