// HTTP schemas derived from the proto request messages: the proto3 JSON mapping,
// and what a fastify route using them answers when the input breaks the contract.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { httpErrorHandler } from './errors/http.js';
import { protoRouteValidator, querySchema, queryToRequest, requestSchema } from './proto-json-schema.js';

const PS = 'wenming.plansubmission.v1';
const INS = 'wenming.inspection.v1';
// biome-ignore lint/suspicious/noExplicitAny: schemas are checked property by property
type Schema = any;

describe('requestSchema', () => {
  it('maps the fields of a request message by json name, none required, unknown ones refused', () => {
    const s: Schema = requestSchema(`${PS}.ReturnPlanRequest`);
    assert.deepEqual(Object.keys(s.properties), ['idempotencyKey', 'expectedRevision', 'planId', 'comments']);
    assert.equal(s.type, 'object');
    assert.equal(s.additionalProperties, false);
    assert.equal(s.required, undefined);
  });

  it('omits the fields that travel in the path or headers, and requires only what the caller names', () => {
    const s: Schema = requestSchema(`${PS}.ReturnPlanRequest`, { omit: ['planId', 'idempotencyKey'], required: ['comments'] });
    assert.deepEqual(Object.keys(s.properties), ['expectedRevision', 'comments']);
    assert.deepEqual(s.required, ['comments']);
  });

  it('types follow proto3 JSON: int64 as integer or digits, int32 as integer, enums by name or number, repeated messages as arrays', () => {
    const s: Schema = requestSchema(`${INS}.RecordFindingRequest`);
    assert.deepEqual(s.properties.expectedRevision.anyOf, [{ type: 'integer' }, { type: 'string', pattern: '^-?[0-9]+$' }]);
    assert.ok(s.properties.severity.enum.includes('SEVERITY_GENERAL'));
    assert.ok(s.properties.severity.enum.includes(2));
    const evidence = s.properties.evidence;
    assert.equal(evidence.type, 'array');
    assert.equal(evidence.items.properties.attachedAt.format, 'date-time');
    assert.equal(evidence.items.properties.attachedBy.additionalProperties, false);
    const score: Schema = requestSchema(`${INS}.ScoreCriterionRequest`);
    assert.equal(score.properties.score.properties.points.properties.hundredths.type, 'integer');
  });

  it('is cached per type name and options', () => {
    assert.equal(requestSchema(`${PS}.SubmitPlanRequest`), requestSchema(`${PS}.SubmitPlanRequest`));
    assert.notEqual(requestSchema(`${PS}.SubmitPlanRequest`), requestSchema(`${PS}.SubmitPlanRequest`, { omit: ['planId'] }));
  });

  it('names a message that is not in the descriptor sets', () => {
    assert.throws(() => requestSchema(`${PS}.NoSuchRequest`), /no message wenming\.plansubmission\.v1\.NoSuchRequest/);
  });
});

describe('querySchema', () => {
  it('flattens a nested message into parameters by their own names, and nests them back', () => {
    const s: Schema = querySchema(`${INS}.ListInspectionsRequest`);
    assert.deepEqual(Object.keys(s.properties).sort(), [
      'campaignId',
      'endDate',
      'kind',
      'pageSize',
      'pageToken',
      'startDate',
      'status',
      'unitId',
    ]);
    assert.deepEqual(queryToRequest(`${INS}.ListInspectionsRequest`, { pageSize: 5, startDate: '2025-01-01', unitId: 'u1' }), {
      page: { pageSize: 5 },
      dates: { startDate: '2025-01-01' },
      unitId: 'u1',
    });
  });
});

describe('a route validated with the derived schemas', () => {
  const server = async () => {
    const app = Fastify();
    app.setErrorHandler(httpErrorHandler);
    app.post(
      '/plans',
      { schema: { body: requestSchema(`${PS}.DraftPlanRequest`, { omit: ['idempotencyKey'] }) }, validatorCompiler: protoRouteValidator },
      (r) => r.body,
    );
    app.get(
      '/rectifications',
      { schema: { querystring: querySchema(`${INS}.ListRectificationsRequest`) }, validatorCompiler: protoRouteValidator },
      (r) => queryToRequest(`${INS}.ListRectificationsRequest`, r.query as Record<string, unknown>),
    );
    return app;
  };
  const post = async (body: unknown) => {
    const res = await (await server()).inject({ method: 'POST', url: '/plans', payload: body as object });
    return { status: res.statusCode, body: res.json() };
  };
  const get = async (query: string) => {
    const res = await (await server()).inject({ method: 'GET', url: `/rectifications?${query}` });
    return { status: res.statusCode, body: res.json() };
  };

  it('accepts a body in the contract as it is', async () => {
    const body = { planId: 'p1', content: { title: 't', tasks: [{ taskId: 't1', deadlineDate: '2025-06-30' }] } };
    assert.deepEqual(await post(body), { status: 200, body });
  });

  it('an unknown field is 400 naming its path, not silently dropped', async () => {
    const res = await post({ planId: 'p1', content: { tasks: [{ taskId: 't1', due: 'x' }] } });
    assert.equal(res.status, 400);
    assert.equal(res.body.field, 'content.tasks[0].due');
    assert.equal(res.body.message, 'body.content.tasks[0].due: is not a known field');
  });

  it('a wrong type is 400 naming its path; body values are not coerced', async () => {
    const res = await post({ planId: 'p1', content: { tasks: [{ deadlineDate: 20250630 }] } });
    assert.equal(res.status, 400);
    assert.equal(res.body.field, 'content.tasks[0].deadlineDate');
    assert.equal(res.body.code, 'INVALID_ARGUMENT');
  });

  it('query strings are coerced to the declared types; a single repeated value is a list', async () => {
    const res = await get('openOnly=true&pageSize=10&statuses=RECTIFICATION_STATUS_ORDERED&severity=SEVERITY_MINOR');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, {
      openOnly: true,
      page: { pageSize: 10 },
      statuses: ['RECTIFICATION_STATUS_ORDERED'],
      severity: 'SEVERITY_MINOR',
    });
  });

  it('an unknown enum name, a non-number or an unknown parameter in a query string is 400 naming it', async () => {
    assert.equal((await get('severity=SEVERITY_HUGE')).body.field, 'severity');
    assert.equal((await get('pageSize=ten')).body.field, 'pageSize');
    const unknown = await get('colour=red');
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.field, 'colour');
  });
});
