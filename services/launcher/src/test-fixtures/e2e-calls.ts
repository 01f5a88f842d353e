// TEST FIXTURE: the small client helpers the platform e2e specs share — a bearer
// token signed with the platform's secret, a JSON HTTP call, gRPC metadata, a
// unary call by method name, a server stream collected to an array, and the
// campaign the look-back specs start from.
import * as grpc from '@grpc/grpc-js';
import { hs256Secret, type Role, signHs256Token, type WenmingConfig } from '@wenming/service-kit';
import { runCli } from '../cli/run.js';

export function signToken(config: WenmingConfig, roles: Role[], units: string[] = [], sub = `t-${roles.join('-')}`): Promise<string> {
  if (config.auth.mode !== 'hs256') throw new Error('embedded only');
  return signHs256Token({ sub, roles, units, ttlSec: 600 }, hs256Secret(config.auth));
}

// biome-ignore lint/suspicious/noExplicitAny: JSON answers are checked field by field
export type Json = any;

export async function httpJson(
  url: string,
  method: 'GET' | 'POST',
  token: string | undefined,
  body?: unknown,
  idempotencyKey?: string,
): Promise<{ status: number; body: Json }> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (method === 'POST') headers['content-type'] = 'application/json';
  if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
  const res = await fetch(url, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

export function bearer(token: string | undefined): grpc.Metadata {
  const m = new grpc.Metadata();
  m.set('authorization', `Bearer ${token}`);
  return m;
}

/** Calls a generated client's unary method by name; rejects with the ServiceError. */
export function unaryCall<Res>(client: object, method: string, metadata: grpc.Metadata, req: object): Promise<Res> {
  const c = client as Record<string, (r: object, m: grpc.Metadata, cb: (e: grpc.ServiceError | null, r: Res) => void) => void>;
  return new Promise((resolve, reject) => c[method]!.call(client, req, metadata, (e, r) => (e ? reject(e) : resolve(r))));
}

export function collect<T>(call: grpc.ClientReadableStream<T>): Promise<T[]> {
  const out: T[] = [];
  return new Promise((resolve, reject) => {
    call.on('data', (m: T) => out.push(m));
    call.on('end', () => resolve(out));
    call.on('error', reject);
  });
}

/**
 * Where the look-back specs start, through plan-submission's API: campaign c1
 * (six-types template, 2025-2027) with unit u1 registered and enrolled. `post` sends
 * one command as the caller named ('office', 'admin') and fails the spec unless it is accepted.
 */
export async function enrolU1InCampaignC1(post: (path: string, who: string, body: unknown) => Promise<unknown>): Promise<void> {
  await post('/campaigns', 'office', {
    campaignId: 'c1',
    title: '创建六型机关',
    period: { startDate: '2025-01-01', endDate: '2027-12-31' },
    phases: [{ phase: 'CAMPAIGN_PHASE_MOBILIZATION', dates: { startDate: '2025-01-01', endDate: '2027-12-31' } }],
    template: 'six-types',
  });
  await post('/units', 'admin', { unitId: 'u1', name: '市行政审批服务中心', kind: 'UNIT_KIND_CITY' });
  await post('/campaigns/c1/enrol', 'office', { unitIds: ['u1'] });
}

/** Loads the demo city into `dir` with `wenming demo`, as a user would; fails with its output unless it succeeds. */
export async function loadDemoCity(dir: string): Promise<string> {
  let out = '';
  const code = await runCli(['demo', '--data-dir', dir], {
    env: { LOG_LEVEL: 'silent' },
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      out += t;
    },
  });
  if (code !== 0) throw new Error(`wenming demo exited ${code}:\n${out}`);
  return out;
}
