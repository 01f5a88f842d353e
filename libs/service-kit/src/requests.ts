// What the application layers receive: the proto3 JSON of a gRPC request message,
// from gRPC (the generated toJSON) and from HTTP (bodies and query strings in the
// same JSON) alike, so both edges run the same handler and query code.
import { ValidationError } from './errors/domain-errors.js';

// biome-ignore lint/suspicious/noExplicitAny: proto3 JSON requests, checked field by field where they are used
export type Json = Record<string, any>;

/** An aggregate or document id: what stream ids and HTTP path parameters allow. */
export const ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$';
const ID = new RegExp(ID_PATTERN);

export function checkId(field: string, value: unknown): string {
  if (typeof value !== 'string' || !ID.test(value)) {
    throw new ValidationError(field, `must be 1-100 letters, digits, '_', '.', ':' or '-' (got ${JSON.stringify(value ?? '')})`);
  }
  return value;
}

/** One page of a list by the request's `page` (common.v1.PageRequest); the token is the offset of the next page. */
export function page<T>(items: T[], req: Json): { items: T[]; page: { nextPageToken: string } } {
  const size = Math.min(Math.max(Number(req.page?.pageSize) || 100, 1), 1000);
  const start = Number(req.page?.pageToken || 0) || 0;
  return { items: items.slice(start, start + size), page: { nextPageToken: start + size < items.length ? String(start + size) : '' } };
}
