// TEST FIXTURE: the real clients the e2e specs use against a running platform, a
// fetch-based HTTP client and a grpc-js client of counter.proto, plus tokens signed
// with the platform's own secret (as `wenming token` does).
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { RecordedEvent } from '@wenming/eventstore';
import { hs256Secret, type Role, signHs256Token, type WenmingConfig } from '@wenming/service-kit';
import { COUNTER_PROTO, PROTO_LOADER_OPTIONS } from './counter/counter-module.js';

export function tokens(config: WenmingConfig) {
  if (config.auth.mode !== 'hs256') throw new Error('the e2e specs run the embedded profile');
  const secret = hs256Secret(config.auth);
  return (roles: Role[], options: { units?: string[]; sub?: string; ttlSec?: number; now?: Date } = {}) =>
    signHs256Token(
      { sub: options.sub ?? `tester-${roles.join('-')}`, roles, units: options.units ?? [], ttlSec: options.ttlSec ?? 600 },
      secret,
      options.now,
    );
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: JSON bodies are checked field by field in the specs
  body: any;
}

export async function post(
  baseUrl: string,
  path: string,
  options: { token?: string; key?: string; body?: unknown; rawBody?: string } = {},
): Promise<HttpAnswer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.key !== undefined) headers['idempotency-key'] = options.key;
  const res = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers,
    body: options.rawBody ?? JSON.stringify(options.body ?? {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

export interface CounterReply {
  total: number;
  nextExpectedRevision: number;
  eventIds: string[];
}

export type RpcAnswer = { ok: true; reply: CounterReply } | { ok: false; error: grpc.ServiceError };

type Unary = (request: object, metadata: grpc.Metadata, callback: (err: grpc.ServiceError | null, reply: CounterReply) => void) => void;

export function counterClient(address: string) {
  const definition = grpc.loadPackageDefinition(loadSync(COUNTER_PROTO, PROTO_LOADER_OPTIONS));
  const pkg = definition.wenming as unknown as { testfixture: { counter: { v1: { CounterService: grpc.ServiceClientConstructor } } } };
  const client = new pkg.testfixture.counter.v1.CounterService(address, grpc.credentials.createInsecure()) as unknown as grpc.Client &
    Record<'Increment' | 'CloseCounter', Unary>;
  const call = (method: 'Increment' | 'CloseCounter', request: object, token?: string): Promise<RpcAnswer> => {
    const metadata = new grpc.Metadata();
    if (token !== undefined) metadata.set('authorization', `Bearer ${token}`);
    return new Promise((resolve) =>
      client[method](request, metadata, (error, reply) => resolve(error ? { ok: false, error } : { ok: true, reply })),
    );
  };
  return {
    increment: (request: object, token?: string) => call('Increment', request, token),
    closeCounter: (request: object, token?: string) => call('CloseCounter', request, token),
    dispose: () => client.close(),
  };
}

export async function streamEvents(store: { readStream(id: string): AsyncIterable<RecordedEvent> }, streamId: string) {
  const events: RecordedEvent[] = [];
  for await (const event of store.readStream(streamId)) events.push(event);
  return events;
}
