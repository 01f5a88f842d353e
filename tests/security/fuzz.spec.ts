// The bounded fuzz run of issue 12's standing check: random requests for every HTTP
// route (from the platform's own OpenAPI document) and every gRPC method of every
// service it serves (from the generated service definitions), under every kind of
// caller, with a fixed seed. Whatever comes in: no 5xx and no INTERNAL/UNKNOWN, the
// process never exits, a refused request writes no event, and the process's memory
// stays under a stated bound.
//
// WENMING_FUZZ_CASES and WENMING_FUZZ_SEED change the size and the seed (a failure
// message names the seed and case number, so it can be replayed alone).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import * as inspection from '@wenming/contracts/wenming/inspection/v1/inspection_service.js';
import * as lookback from '@wenming/contracts/wenming/lookback/v1/lookback_service.js';
import * as plans from '@wenming/contracts/wenming/plansubmission/v1/plansubmission_service.js';
import { requestSchema } from '@wenming/service-kit';
import { type SecurityPlatform, startSecurityPlatform } from './platform.js';
import { fromSchema, Random, REAL_IDS, randomString, type Schema } from './random-requests.js';

const SEED = Number(process.env.WENMING_FUZZ_SEED ?? 20261205);
const CASES = Number(process.env.WENMING_FUZZ_CASES ?? 3000);
/** The platform with the demo city is ~250 MB; the bound leaves room for caches, not for leaks or 50 MB bodies held. */
const RSS_BOUND_BYTES = 768 * 1024 * 1024;

let platform: SecurityPlatform;
const callers: Array<{ name: string; token: string | undefined }> = [];

before(async () => {
  platform = await startSecurityPlatform();
  const t = platform.token;
  callers.push(
    { name: 'anonymous', token: undefined },
    { name: 'garbage', token: 'not.a.jwt' },
    { name: 'no-role', token: await t([]) },
    { name: 'office', token: await t(['office']) },
    { name: 'unit tax', token: await t(['unit'], { units: ['tax'] }) },
    { name: 'unit window', token: await t(['unit'], { units: ['tax-window-1'] }) },
    { name: 'inspector', token: await t(['inspector'], { sub: 'fuzz-inspector' }) },
    { name: 'supervisor', token: await t(['supervisor']) },
    { name: 'auditor', token: await t(['auditor']) },
    { name: 'admin', token: await t(['admin']) },
  );
});

after(async () => {
  await platform?.stop();
});

interface Route {
  method: string;
  path: string;
  params: Array<{ name: string; in: string; schema: Schema }>;
  body?: Schema;
}

async function routes(): Promise<Route[]> {
  const doc = (await (await fetch(`${platform.httpUrl}/openapi.json`)).json()) as { paths: Record<string, Record<string, Schema>> };
  const out: Route[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    if (!path.startsWith('/api/')) continue;
    for (const [method, op] of Object.entries(methods)) {
      out.push({
        method: method.toUpperCase(),
        path,
        params: (op.parameters ?? []) as Route['params'],
        body: op.requestBody?.content?.['application/json']?.schema,
      });
    }
  }
  return out;
}

/** encodeURIComponent, except that a lone surrogate becomes invalid UTF-8 on the wire (%ED%A0%80) rather than an exception here. */
function enc(text: string): string {
  return text
    .split(/([\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF])/)
    .map((part) => (part.length === 1 && /[\uD800-\uDFFF]/.test(part) ? '%ED%A0%80' : encodeURIComponent(part)))
    .join('');
}

function encodeQuery(r: Random, route: Route): string {
  const parts: string[] = [];
  for (const p of route.params.filter((x) => x.in === 'query')) {
    if (!r.chance(0.4)) continue;
    const value = fromSchema(r, p.schema, 0.2);
    for (const v of Array.isArray(value) ? value : [value])
      parts.push(`${enc(p.name)}=${enc(typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v))}`);
  }
  if (r.chance(0.05)) parts.push(`${enc(randomString(r))}=1`);
  return parts.length ? `?${parts.join('&')}` : '';
}

function fillPath(r: Random, path: string): string {
  return path.replace(/\{([^}]+)\}/g, () => enc(r.chance(0.8) ? r.pick(REAL_IDS) : randomString(r)));
}

const failures: string[] = [];
function record(failure: string): void {
  if (failures.length < 50) failures.push(failure);
}

describe(`fuzz: ${CASES} random HTTP requests and ${Math.round(CASES / 2)} gRPC calls (seed ${SEED})`, () => {
  it('HTTP: no 5xx, nothing written by a refused request, the process stays up and bounded', async () => {
    const r = new Random(SEED);
    const all = await routes();
    assert.ok(all.length > 50, `the OpenAPI document lists ${all.length} routes`);
    const statuses = new Map<number, number>();
    for (let i = 0; i < CASES; i++) {
      const route = all[i % all.length]!;
      const caller = r.pick(callers);
      const url = `${platform.httpUrl}${fillPath(r, route.path)}${encodeQuery(r, route)}`;
      const headers: Record<string, string> = {};
      if (caller.token) headers.authorization = `Bearer ${caller.token}`;
      let body: string | undefined;
      if (route.method === 'POST') {
        headers['content-type'] = r.chance(0.03) ? 'text/plain' : 'application/json';
        if (r.chance(0.9)) headers['idempotency-key'] = `fuzz-${SEED}-${i}`;
        body = r.chance(0.03) ? '{"unterminated": ' : JSON.stringify(fromSchema(r, route.body, 0.15));
      }
      const before = platform.eventCount();
      let status: number;
      let text = '';
      try {
        const res = await fetch(url, {
          method: route.method,
          headers,
          ...(body !== undefined ? { body } : {}),
          signal: AbortSignal.timeout(20_000),
        });
        status = res.status;
        text = await res.text();
      } catch (err) {
        record(`case ${i} ${route.method} ${url.slice(0, 200)} as ${caller.name}: no answer (${(err as Error).message})`);
        if (!platform.alive()) break;
        continue;
      }
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status >= 500) record(`case ${i} ${route.method} ${url.slice(0, 200)} as ${caller.name}: ${status} ${text.slice(0, 300)}`);
      if (status >= 400 && platform.eventCount() !== before) {
        record(
          `case ${i} ${route.method} ${url.slice(0, 200)} as ${caller.name}: ${status}, yet ${platform.eventCount() - before} events written`,
        );
      }
      if (!platform.alive()) break;
    }
    const rss = platform.rssBytes();
    console.log(
      `HTTP fuzz: ${CASES} cases over ${all.length} routes; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}; RSS ${(rss / 2 ** 20).toFixed(0)} MB`,
    );
    assert.ok(platform.alive(), `the platform exited:\n${platform.service.output.slice(-30).join('\n')}`);
    assert.deepEqual(failures, []);
    assert.ok(rss < RSS_BOUND_BYTES, `RSS ${rss} bytes exceeds ${RSS_BOUND_BYTES}`);
    const ready = await fetch(`${platform.httpUrl}/readyz`);
    assert.equal(ready.status, 200, await ready.text());
  });

  it('gRPC: no INTERNAL or UNKNOWN, nothing written by a refused call, the process stays up', async () => {
    const r = new Random(SEED + 1);
    const services: Array<{
      pkg: string;
      definition: grpc.ServiceDefinition;
      messages: Record<string, { fromJSON(o: unknown): unknown }>;
    }> = [
      { pkg: 'wenming.plansubmission.v1', definition: plans.PlanSubmissionServiceService, messages: plans as never },
      { pkg: 'wenming.inspection.v1', definition: inspection.InspectionServiceService, messages: inspection as never },
      { pkg: 'wenming.lookback.v1', definition: lookback.LookbackServiceService, messages: lookback as never },
    ];
    const client = new grpc.Client(platform.grpcAddress, grpc.credentials.createInsecure());
    const methods = services.flatMap((s) =>
      Object.entries(s.definition).map(([name, m]) => ({ service: s, name, method: m as grpc.MethodDefinition<unknown, unknown> })),
    );
    const codes = new Map<string, number>();
    const cases = Math.round(CASES / 2);
    let sent = 0;
    for (let i = 0; i < cases; i++) {
      const { service, method } = methods[i % methods.length]!;
      const rpc = method.path.split('/').pop()!;
      const codec = service.messages[`${rpc}Request`];
      let request: unknown;
      try {
        request = codec!.fromJSON(fromSchema(r, requestSchema(`${service.pkg}.${rpc}Request`), 0.1));
        method.requestSerialize(request);
      } catch {
        continue; // the client library could not encode it: not a case the server sees
      }
      sent++;
      const caller = r.pick(callers);
      const metadata = new grpc.Metadata();
      if (caller.token) metadata.set('authorization', `Bearer ${caller.token}`);
      const before = platform.eventCount();
      const deadline = Date.now() + (method.responseStream ? 1500 : 20_000);
      const code = await new Promise<grpc.status>((resolve) => {
        if (method.responseStream) {
          const call = client.makeServerStreamRequest(method.path, method.requestSerialize, method.responseDeserialize, request, metadata, {
            deadline,
          });
          call.on('data', () => undefined);
          call.on('error', (err: grpc.ServiceError) => resolve(err.code));
          call.on('end', () => resolve(grpc.status.OK));
        } else {
          client.makeUnaryRequest(
            method.path,
            method.requestSerialize,
            method.responseDeserialize,
            request,
            metadata,
            { deadline },
            (err) => resolve(err ? err.code : grpc.status.OK),
          );
        }
      });
      codes.set(grpc.status[code]!, (codes.get(grpc.status[code]!) ?? 0) + 1);
      if (code === grpc.status.INTERNAL || code === grpc.status.UNKNOWN || code === grpc.status.UNAVAILABLE) {
        record(`gRPC case ${i} ${method.path} as ${caller.name}: ${grpc.status[code]} ${JSON.stringify(request).slice(0, 300)}`);
      }
      if (code !== grpc.status.OK && code !== grpc.status.DEADLINE_EXCEEDED && platform.eventCount() !== before) {
        record(
          `gRPC case ${i} ${method.path} as ${caller.name}: ${grpc.status[code]}, yet ${platform.eventCount() - before} events written`,
        );
      }
      if (!platform.alive()) break;
    }
    client.close();
    console.log(`gRPC fuzz: ${sent} calls over ${methods.length} methods; codes ${JSON.stringify(Object.fromEntries([...codes].sort()))}`);
    assert.ok(platform.alive(), `the platform exited:\n${platform.service.output.slice(-30).join('\n')}`);
    assert.ok(sent > cases / 2, `only ${sent} of ${cases} requests could be encoded`);
    assert.deepEqual(failures, []);
    assert.ok(platform.rssBytes() < RSS_BOUND_BYTES);
  });
});
