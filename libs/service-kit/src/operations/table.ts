// A service's operations, once: each rpc of its gRPC service and where HTTP serves
// it. registerOperationRoutes and operationHandlers turn the table into both edges,
// which call the same application function (a command handler or a query, named
// like the rpc) with the request's proto3 JSON.
import type { Principal } from '../auth/principal.js';
import type { Json } from '../requests.js';
import { checkRequestText } from '../text-guard.js';

export type HttpMethod = 'GET' | 'POST';

export interface Operation {
  rpc: string;
  method: HttpMethod;
  /** Under the service's HTTP prefix; `:name` params are fields of the request. */
  path: string;
  kind: 'command' | 'query';
  /** A convenience over the same read models that only HTTP serves (gRPC has a filter of another rpc for it). */
  httpOnly?: boolean;
  /** The request message (`GetInspectionRequest`) an HTTP-only operation takes its parameters from. */
  request?: string;
}

/** A command: POST, its body the rpc's request message. */
export const command = (rpc: string, path: string): Operation => ({ rpc, method: 'POST', path, kind: 'command' });

/** A query: GET, its query string the rpc's request message; `like` makes it HTTP-only, taking `<like>Request`. */
export const query = (rpc: string, path: string, like?: string): Operation => ({
  rpc,
  method: 'GET',
  path,
  kind: 'query',
  ...(like ? { httpOnly: true, request: `${like}Request` } : {}),
});

/** What runs an operation: the application's command handlers and queries, by rpc name. */
export interface OperationTargets {
  commands: object;
  queries: object;
}

export type OperationFn = (principal: Principal, request: Json) => Promise<unknown>;

/**
 * The application function of an operation, behind the one text check both edges
 * share: whatever a request carries must be text every read model can hold
 * (checkRequestText), refused with INVALID_ARGUMENT before anything is read or written.
 */
export function operationFn(op: Operation, targets: OperationTargets): OperationFn {
  const target = (op.kind === 'command' ? targets.commands : targets.queries) as Record<string, OperationFn | undefined>;
  const fn = target[op.rpc];
  if (!fn) throw new Error(`no ${op.kind} ${op.rpc} in the application`);
  return (principal, request) => {
    checkRequestText(request);
    return fn.call(target, principal, request);
  };
}
