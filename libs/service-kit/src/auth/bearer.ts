import { UnauthenticatedError } from '../errors/domain-errors.js';

/** The token of an `Authorization: Bearer <token>` value (RFC 6750 §2.1), the same on HTTP and gRPC. */
export function bearerToken(header: unknown): string {
  if (header === undefined || header === null || header === '') {
    throw new UnauthenticatedError('a bearer token is required (Authorization: Bearer <token>)', 'missing');
  }
  const match = typeof header === 'string' ? /^Bearer[ \t]+([A-Za-z0-9\-._~+/]+=*)[ \t]*$/i.exec(header) : null;
  if (!match?.[1]) throw new UnauthenticatedError('the Authorization value is not "Bearer <token>"');
  return match[1];
}
