// What the application layers receive: the proto3 JSON of a gRPC request message,
// from gRPC (the generated toJSON) and from HTTP (bodies and query strings in the
// same JSON) alike, so both edges run the same handler and query code.
import { ValidationError } from './errors/domain-errors.js';
import { truncateEcho } from './errors/echo.js';

// biome-ignore lint/suspicious/noExplicitAny: proto3 JSON requests, checked field by field where they are used
export type Json = Record<string, any>;

/** An aggregate or document id: what stream ids and HTTP path parameters allow. */
export const ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$';
const ID = new RegExp(ID_PATTERN);

export function checkId(field: string, value: unknown): string {
  if (typeof value !== 'string' || !ID.test(value)) {
    throw new ValidationError(
      field,
      `must be 1-100 letters, digits, '_', '.', ':' or '-' (got ${truncateEcho(JSON.stringify(value ?? '') ?? '')})`,
    );
  }
  return value;
}

/**
 * common.v1.PageRequest: 0 means the server's default; the server caps the size.
 * (common.proto says 50/500; the services have answered 100/1000 since they were
 * built and callers rely on it — one of them internally — so aligning is its own change.)
 */
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;
/** Page tokens are offsets the server gave out; nothing a client may invent is read as one. */
const PAGE_TOKEN = /^(0|[1-9][0-9]{0,8})$/;

/**
 * One page of a list by the request's `page` (common.v1.PageRequest); the token is the
 * offset of the next page. A token that is not one this server gives out (not digits,
 * too long, negative) is a ValidationError rather than silently the first page.
 */
export function page<T>(items: T[], req: Json): { items: T[]; page: { nextPageToken: string } } {
  const rawSize = req.page?.pageSize;
  const size = rawSize === undefined || rawSize === null || Number(rawSize) === 0 ? DEFAULT_PAGE_SIZE : Number(rawSize);
  if (!Number.isInteger(size) || size < 0) throw new ValidationError('page.pageSize', `must be 0 or more (got ${JSON.stringify(rawSize)})`);
  const token = req.page?.pageToken ?? '';
  if (token !== '' && (typeof token !== 'string' || !PAGE_TOKEN.test(token))) {
    throw new ValidationError(
      'page.pageToken',
      'is not a page token this server gave out; send the nextPageToken of the previous page, or none',
    );
  }
  const start = token === '' ? 0 : Number(token);
  const capped = Math.min(size, MAX_PAGE_SIZE);
  return {
    items: items.slice(start, start + capped),
    page: { nextPageToken: start + capped < items.length ? String(start + capped) : '' },
  };
}
