// TEST FIXTURE: a module exposing the counter on HTTP (TypeBox-validated routes) and
// gRPC (counter.proto), both thin adapters over one application function that
// authorises, then runs handleCommand on the platform's event store. The shape a
// real service module takes, small enough for the security and telemetry specs.
import { fileURLToPath } from 'node:url';
import type * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { type Static, Type } from '@sinclair/typebox';
import type { EventStore } from '@wenming/eventstore';
import {
  authenticateCall,
  type CreateModule,
  createValidator,
  errorResponses,
  grpcHandler,
  handleCommand,
  IdempotencyHeaders,
  type Principal,
  type Role,
  requireRole,
  requireUnitAccess,
} from '@wenming/service-kit';
import { type CounterCommand, counterDecider } from './counter-decider.js';

const Id = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' });
const IdempotencyKey = Type.String({ minLength: 1, maxLength: 200 });
const Revision = Type.Integer({ minimum: 0 });
const Amount = Type.Integer({ minimum: 1, maximum: 100 });

const CounterParams = Type.Object({ unitId: Id, name: Id });
const IncrementBody = Type.Object({ amount: Amount, expectedRevision: Type.Optional(Revision) }, { additionalProperties: false });
const CounterReply = Type.Object({ total: Type.Integer(), nextExpectedRevision: Type.Integer(), eventIds: Type.Array(Type.String()) });
type CounterReply = Static<typeof CounterReply>;

// gRPC messages get the same checks, field for field (proto3 cannot say "1 to 100").
const IncrementMessage = Type.Object({
  unitId: Id,
  name: Id,
  amount: Amount,
  idempotencyKey: IdempotencyKey,
  expectedRevision: Type.Optional(Revision),
});
const CloseMessage = Type.Object({ unitId: Id, name: Id, idempotencyKey: IdempotencyKey });
const checkIncrement = createValidator(IncrementMessage);
const checkClose = createValidator(CloseMessage);

const WRITERS: Role[] = ['unit', 'office'];

export const COUNTER_PROTO = fileURLToPath(new URL('./counter.proto', import.meta.url));
export const PROTO_LOADER_OPTIONS = { keepCase: false, longs: Number, enums: String, defaults: false, oneofs: false } as const;

export function counterStreamId(unitId: string, name: string): string {
  return `counter-${unitId}.${name}`;
}

function counterApplication(store: EventStore) {
  async function run(
    principal: Principal,
    target: { unitId: string; name: string },
    command: CounterCommand,
    idempotencyKey: string,
    expectedRevision?: number,
  ): Promise<CounterReply> {
    requireRole(principal, ...WRITERS);
    requireUnitAccess(principal, target.unitId);
    const result = await handleCommand({
      store,
      streamId: counterStreamId(target.unitId, target.name),
      decider: counterDecider,
      command,
      idempotencyKey,
      ...(expectedRevision !== undefined ? { expectedRevision } : {}),
      metadata: { actor: { id: principal.id, role: principal.roles.find((r) => WRITERS.includes(r)) ?? 'unknown' }, unitId: target.unitId },
    });
    const next = result.nextExpectedRevision;
    return { total: result.state.total, nextExpectedRevision: next === 'no_stream' ? -1 : next, eventIds: result.eventIds };
  }
  return {
    increment: (principal: Principal, target: { unitId: string; name: string }, amount: number, key: string, expectedRevision?: number) =>
      run(principal, target, { type: 'Increment', data: { amount } }, key, expectedRevision),
    close: (principal: Principal, target: { unitId: string; name: string }, key: string) =>
      run(principal, target, { type: 'Close', data: {} }, key),
  };
}

export const createCounterModule: CreateModule = (_config, deps) => {
  const app = counterApplication(deps.store);

  const routeSchema = { tags: ['test fixture'], params: CounterParams, headers: IdempotencyHeaders };
  const responses = { 200: CounterReply, ...errorResponses(400, 401, 403, 409) };
  deps.http.post<{ Params: Static<typeof CounterParams>; Body: Static<typeof IncrementBody> }>(
    '/test/units/:unitId/counters/:name/increment',
    { schema: { ...routeSchema, summary: 'Add to a counter (test fixture)', body: IncrementBody, response: responses } },
    (request) =>
      app.increment(request.principal, request.params, request.body.amount, idempotencyKey(request.headers), request.body.expectedRevision),
  );
  deps.http.post<{ Params: Static<typeof CounterParams> }>(
    '/test/units/:unitId/counters/:name/close',
    { schema: { ...routeSchema, summary: 'Close a counter (test fixture)', response: responses } },
    (request) => app.close(request.principal, request.params, idempotencyKey(request.headers)),
  );

  const definition = loadSync(COUNTER_PROTO, PROTO_LOADER_OPTIONS);
  const service = definition['wenming.testfixture.counter.v1.CounterService'] as grpc.ServiceDefinition;
  const options = { logger: deps.logger };
  deps.grpc.addService(service, {
    Increment: grpcHandler(async (call: grpc.ServerUnaryCall<unknown, CounterReply>) => {
      const principal = await authenticateCall(deps.auth, call);
      const m = checkIncrement(call.request);
      return app.increment(principal, m, m.amount, m.idempotencyKey, m.expectedRevision);
    }, options),
    CloseCounter: grpcHandler(async (call: grpc.ServerUnaryCall<unknown, CounterReply>) => {
      const principal = await authenticateCall(deps.auth, call);
      const m = checkClose(call.request);
      return app.close(principal, m, m.idempotencyKey);
    }, options),
  });

  return { name: 'counter-fixture', start: async () => undefined, stop: async () => undefined, ready: () => true };
};

function idempotencyKey(headers: Record<string, unknown>): string {
  return String(headers['idempotency-key']);
}
