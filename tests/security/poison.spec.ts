// Issue 12, item 1 as a property: random Unicode (every UTF-16 code unit, so NUL,
// the other control characters and lone surrogates among them) in the free text of
// commands of every service, over HTTP and gRPC. Each answer is either a typed
// INVALID_ARGUMENT naming the field — exactly when the shared text check says the
// text cannot be stored — or an event that every projection applied: the text reads
// back unchanged from the read model, and the platform stays ready. Then every
// command of every service (from the OpenAPI document) with poison planted in each of
// its string fields in turn: refused naming that field, nothing written.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { UnitKind } from '@wenming/contracts/wenming/plansubmission/v1/events.js';
import * as plans from '@wenming/contracts/wenming/plansubmission/v1/plansubmission_service.js';
import { textProblem } from '@wenming/service-kit';
import fc from 'fast-check';
import { type SecurityPlatform, startSecurityPlatform } from './platform.js';
import { Random, REAL_IDS, type Schema } from './random-requests.js';

const SEED = 1205;
const RUNS = Number(process.env.WENMING_POISON_RUNS ?? 40);

let platform: SecurityPlatform;
let admin: string;
let inspector: string;
let office: string;

before(async () => {
  platform = await startSecurityPlatform();
  admin = await platform.token(['admin']);
  office = await platform.token(['office']);
  inspector = await platform.token(['inspector'], { sub: 'insp-li' });
});

after(async () => {
  await platform?.stop();
});

/** Text from every UTF-16 code unit (controls and lone surrogates included), Chinese, and whole code points. */
const anyText = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) },
      { weight: 3, arbitrary: fc.integer({ min: 0x4e00, max: 0x9fff }).map((c) => String.fromCharCode(c)) },
      { weight: 2, arbitrary: fc.constantFrom('\u0000', '\u0001', '\u001b', '\u007f', '\uD800', '\uDFFF', '\u202E', '\t', '\n', ' ') },
      { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 3 }) },
    ),
    { minLength: 1, maxLength: 24 },
  )
  .map((parts) => parts.join(''));

async function http(method: 'GET' | 'POST', path: string, token: string, body?: unknown, key?: string) {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (key) headers['idempotency-key'] = key;
  const res = await fetch(`${platform.httpUrl}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** Polls a read until it gives a value: projections apply asynchronously. */
async function eventually<T>(read: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not in the read model after 10 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

type Outcome = { accepted: true } | { accepted: false; code: string; field: string; message: string };

/** One free-text field of one command, and how to read it back. */
interface Case {
  name: string;
  field: string;
  /** What the text becomes on the way: gRPC carries UTF-8, so a lone surrogate arrives as U+FFFD. */
  wire?: (text: string) => string;
  send(text: string, n: number): Promise<Outcome | { error: string }>;
  readBack(n: number): Promise<string | undefined>;
}

function httpOutcome(res: { status: number; body: { code?: string; field?: string; message?: string } }): Outcome | { error: string } {
  if (res.status === 200) return { accepted: true };
  if (res.status >= 500 || res.status !== 400) return { error: `${res.status} ${JSON.stringify(res.body)}` };
  return { accepted: false, code: res.body.code ?? '', field: res.body.field ?? '', message: res.body.message ?? '' };
}

let grpcClient: InstanceType<typeof plans.PlanSubmissionServiceClient>;
let n = 0;

const CASES: Case[] = [
  {
    name: 'plan-submission RegisterUnit (HTTP)',
    field: 'name',
    send: async (text, i) =>
      httpOutcome(
        await http(
          'POST',
          '/api/plan-submission/units',
          admin,
          { unitId: `pz-h-${i}`, name: text, kind: 'UNIT_KIND_WINDOW', parentUnitId: 'tax' },
          `pz-h-${i}`,
        ),
      ),
    readBack: async (i) => {
      const res = await http('GET', `/api/plan-submission/units/pz-h-${i}`, admin);
      return res.status === 200 ? res.body.unit.name : undefined;
    },
  },
  {
    name: 'plan-submission RegisterUnit (gRPC)',
    field: 'name',
    wire: (text) => Buffer.from(text, 'utf8').toString('utf8'),
    send: (text, i) =>
      new Promise((resolve) => {
        const metadata = new grpc.Metadata();
        metadata.set('authorization', `Bearer ${admin}`);
        grpcClient.registerUnit(
          plans.RegisterUnitRequest.fromPartial({
            idempotencyKey: `pz-g-${i}`,
            unitId: `pz-g-${i}`,
            name: text,
            kind: UnitKind.UNIT_KIND_WINDOW,
            parentUnitId: 'tax',
          }),
          metadata,
          (err) => {
            if (!err) resolve({ accepted: true });
            else if (err.code !== grpc.status.INVALID_ARGUMENT) resolve({ error: `${grpc.status[err.code]} ${err.details}` });
            else
              resolve({
                accepted: false,
                code: 'INVALID_ARGUMENT',
                field: err.metadata.get('wenming-field')[0]?.toString() ?? '',
                message: err.details,
              });
          },
        );
      }),
    readBack: async (i) => {
      const res = await http('GET', `/api/plan-submission/units/pz-g-${i}`, admin);
      return res.status === 200 ? res.body.unit.name : undefined;
    },
  },
  {
    name: 'inspection RecordFinding (HTTP)',
    field: 'description',
    send: async (text, i) =>
      httpOutcome(
        await http(
          'POST',
          '/api/inspection/inspections/demo-2026-unannounced-windows/findings',
          inspector,
          {
            findingId: `pz-f-${i}`,
            unitId: 'approval-window-3',
            criterionId: 'efficiency.2',
            severity: 'SEVERITY_MINOR',
            description: text,
          },
          `pz-f-${i}`,
        ),
      ),
    readBack: async (i) => {
      const res = await http('GET', '/api/inspection/findings?inspectionId=demo-2026-unannounced-windows&pageSize=1000', office);
      return res.body?.findings?.find((f: { findingId: string }) => f.findingId === `pz-f-${i}`)?.description;
    },
  },
  {
    name: 'look-back OpenLookbackReview (HTTP)',
    field: 'title',
    send: async (text, i) =>
      httpOutcome(
        await http(
          'POST',
          '/api/lookback/reviews',
          office,
          {
            reviewId: `pz-r-${i}`,
            campaignId: 'demo-2026',
            title: text,
            unitIds: ['tax'],
            reviewedPeriod: { startDate: '2026-01-01', endDate: '2026-06-30' },
          },
          `pz-r-${i}`,
        ),
      ),
    readBack: async (i) => {
      const res = await http('GET', `/api/lookback/reviews/pz-r-${i}`, office);
      return res.status === 200 ? (res.body.review?.title ?? res.body.title) : undefined;
    },
  },
];

describe(`poison text in every service's commands (${RUNS} runs each, seed ${SEED})`, () => {
  before(() => {
    grpcClient = new plans.PlanSubmissionServiceClient(platform.grpcAddress, grpc.credentials.createInsecure());
  });
  after(() => grpcClient?.close());

  for (const c of CASES) {
    it(`${c.name}: ${c.field} is refused naming it exactly when it cannot be stored, else it reads back unchanged`, async () => {
      // The case itself works: plain text is accepted and reads back.
      const plain = ++n;
      assert.deepEqual(await c.send('文明窗口 plain text', plain), { accepted: true }, `${c.name} does not accept a plain request`);
      assert.equal(await eventually(() => c.readBack(plain), c.name), '文明窗口 plain text');
      let accepted = 0;
      let refused = 0;
      await fc.assert(
        fc.asyncProperty(anyText, async (sent) => {
          const i = ++n;
          const text = c.wire ? c.wire(sent) : sent;
          const before = platform.eventCount();
          const outcome = await c.send(sent, i);
          assert.ok(!('error' in outcome), `${JSON.stringify(text)}: ${'error' in outcome ? outcome.error : ''}`);
          const problem = text.trim() === '' ? 'blank' : textProblem(text);
          if (outcome.accepted) {
            accepted++;
            assert.equal(problem, undefined, `${JSON.stringify(text)} was accepted although ${problem}`);
            assert.equal(await eventually(() => c.readBack(i), `${c.name} #${i}`), text);
          } else {
            refused++;
            assert.notEqual(problem, undefined, `${JSON.stringify(text)} was refused (${outcome.message}) although it can be stored`);
            assert.equal(outcome.code, 'INVALID_ARGUMENT');
            assert.match(`${outcome.field} ${outcome.message}`, new RegExp(c.field), outcome.message);
            assert.equal(platform.eventCount(), before, 'a refused command wrote an event');
          }
        }),
        { seed: SEED, numRuns: RUNS },
      );
      console.log(`${c.name}: ${accepted} accepted and read back, ${refused} refused`);
      assert.ok(accepted > 0 && refused > 0, 'both outcomes were exercised');
      const ready = await fetch(`${platform.httpUrl}/readyz`);
      assert.equal(ready.status, 200, await ready.text());
    });
  }
});

// ─── Every command ──────────────────────────────────────────────────────────

type Path = Array<string | number>;

/** Where a string can stand in a request message's JSON Schema (lists by their first item), a few levels deep. */
function stringPaths(schema: Schema | undefined, path: Path = [], depth = 0): Path[] {
  if (!schema || depth > 4) return [];
  if (schema.type === 'string' && !schema.enum) return [path];
  if (schema.type === 'array') return stringPaths(schema.items, [...path, 0], depth + 1);
  if (schema.type === 'object' && schema.properties) {
    return Object.entries(schema.properties as Record<string, Schema>).flatMap(([name, sub]) =>
      stringPaths(sub, [...path, name], depth + 1),
    );
  }
  return [];
}

/** The fields a route requires, each with a plain valid value; everything else left out. */
function requiredOnly(schema: Schema | undefined): unknown {
  if (!schema) return {};
  if (schema.enum) return schema.enum[0];
  if (schema.anyOf) return requiredOnly(schema.anyOf[0]);
  switch (schema.type) {
    case 'object':
      return Object.fromEntries(((schema.required ?? []) as string[]).map((name) => [name, requiredOnly(schema.properties?.[name])]));
    case 'array':
      return [];
    case 'string':
      return schema.format === 'date-time' ? '2026-05-01T08:00:00Z' : schema.format === 'date' ? '2026-05-01' : 'tax';
    case 'integer':
    case 'number':
      return 0;
    case 'boolean':
      return false;
    default:
      return {};
  }
}

function plant(body: Record<string, unknown>, path: Path, value: string): Record<string, unknown> {
  let at: Record<string | number, unknown> = body;
  path.forEach((key, i) => {
    if (i === path.length - 1) at[key] = value;
    else {
      const next = typeof path[i + 1] === 'number' ? [] : {};
      if (typeof at[key] !== 'object' || at[key] === null || Array.isArray(at[key]) !== Array.isArray(next)) at[key] = next;
      at = at[key] as Record<string | number, unknown>;
    }
  });
  return body;
}

describe('every command of every service refuses text no read model can hold, wherever it stands', () => {
  it('a NUL, a lone surrogate or a bidi override in any string field of any command: 400 naming that field, nothing written', async () => {
    const doc = (await (await fetch(`${platform.httpUrl}/openapi.json`)).json()) as { paths: Record<string, Record<string, Schema>> };
    const everyRole = await platform.token(['office', 'admin', 'inspector', 'supervisor', 'unit'], { units: ['tax'], sub: 'insp-zhang' });
    const r = new Random(SEED);
    let commands = 0;
    let cases = 0;
    for (const [route, methods] of Object.entries(doc.paths)) {
      const schema = methods.post?.requestBody?.content?.['application/json']?.schema as Schema | undefined;
      // The dossier check reads whole files and writes nothing: any byte may be what it must report on.
      if (!route.startsWith('/api/') || !schema || route === '/api/lookback/dossiers/verify') continue;
      const paths = stringPaths(schema);
      if (paths.length === 0) continue;
      commands++;
      for (const path of paths) {
        const poison = r.pick(['a\u0000b', 'x\uD800', 'abc\u202Edcb', '\u001b[2J']);
        // The poisoned field and what the route requires: nothing else that could be refused first.
        const body = plant(requiredOnly(schema) as Record<string, unknown>, path, poison);
        const url = `${platform.httpUrl}${route.replace(/\{[^}]+\}/g, () => r.pick(REAL_IDS))}`;
        const before = platform.eventCount();
        const res = await fetch(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${everyRole}`, 'content-type': 'application/json', 'idempotency-key': `every-${cases}` },
          body: JSON.stringify(body),
        });
        const answer = (await res.json()) as { code?: string; field?: string; message?: string };
        const leaf = String(path.filter((p) => typeof p === 'string').at(-1));
        assert.equal(
          res.status,
          400,
          `${route} with ${JSON.stringify(poison)} at ${path.join('.')}: ${res.status} ${JSON.stringify(answer)}`,
        );
        assert.ok(`${answer.field} ${answer.message}`.includes(leaf), `${route}: the refusal names ${leaf}: ${JSON.stringify(answer)}`);
        assert.equal(platform.eventCount(), before, `${route}: a refused command wrote an event`);
        cases++;
      }
    }
    console.log(`${commands} commands, ${cases} string fields poisoned, every one refused naming its field`);
    assert.ok(commands > 40, `only ${commands} commands found`);
  });
});
