// Every error leaves through the one mapping: a body over the limit in its shape, a
// field too large named as the caller wrote it, and bad input with every violation at
// once (HTTP `violations`, gRPC google.rpc.BadRequest in grpc-status-details-bin).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BinaryReader } from '@bufbuild/protobuf/wire';
import * as grpc from '@grpc/grpc-js';
import { openEventStore } from '@wenming/eventstore';
import pino from 'pino';
import { createHttpServer } from '../http-server.js';
import { protoRouteValidator, requestSchema } from '../proto-json-schema.js';
import { checkRequestText } from '../text-guard.js';
import { MAX_VIOLATIONS, ValidationError } from './domain-errors.js';
import { BAD_REQUEST_TYPE_URL, grpcHandler, STATUS_DETAILS_METADATA_KEY } from './grpc.js';
import { errorResponses } from './http.js';
import { mapError } from './mapping.js';

const silent = pino({ level: 'silent' });
const INS = 'wenming.inspection.v1';

async function app(bodyLimit = 1024 * 1024) {
  const server = await createHttpServer(silent, { limits: { httpBodyLimit: bodyLimit } });
  server.post(
    '/findings',
    {
      schema: { body: requestSchema(`${INS}.RecordFindingRequest`), response: errorResponses(400, 413) },
      validatorCompiler: protoRouteValidator,
    },
    async (request) => {
      checkRequestText(request.body);
      return {};
    },
  );
  await server.ready();
  return server;
}

describe('HTTP: bad input reports every field violation at once', () => {
  it('lists each wrong field of the body, keeping field and message of the first', async () => {
    const server = await app();
    const res = await server.inject({
      method: 'POST',
      url: '/findings',
      payload: { severity: 'SEVERITY_NONSENSE', expectedRevision: true, colour: 'red' },
    });
    await server.close();
    assert.equal(res.statusCode, 400);
    const body = res.json();
    assert.equal(body.code, 'INVALID_ARGUMENT');
    assert.deepEqual(body.violations.map((v: { field: string }) => v.field).sort(), ['colour', 'expectedRevision', 'severity']);
    assert.equal(body.field, body.violations[0].field);
    assert.equal(body.message, `body.${body.violations[0].field}: ${body.violations[0].message}`);
    const colour = body.violations.find((v: { field: string }) => v.field === 'colour');
    assert.equal(colour.message, 'is not a known field');
  });

  it('every field whose text no store can hold, named, after the schema passed', async () => {
    const server = await app();
    const res = await server.inject({ method: 'POST', url: '/findings', payload: { findingId: 'f\u0000', description: 'x\u202ey' } });
    await server.close();
    assert.equal(res.statusCode, 400);
    assert.deepEqual(
      res.json().violations.map((v: { field: string }) => v.field),
      ['findingId', 'description'],
    );
  });

  it('field names that are Object.prototype members are fields like any other (400, not 500)', async () => {
    const server = await app();
    const res = await server.inject({
      method: 'POST',
      url: '/findings',
      headers: { 'content-type': 'application/json' },
      payload: '{"constructor":1,"evidence":[{"attachedBy":{"hasOwnProperty":3}}],"toString":{}}',
    });
    await server.close();
    assert.equal(res.statusCode, 400);
    assert.deepEqual(
      res.json().violations.map((v: { field: string }) => v.field),
      ['constructor', 'evidence[0].attachedBy.hasOwnProperty', 'toString'],
    );
  });

  it('hostile input: thousands of wrong items give at most MAX_VIOLATIONS, quickly', async () => {
    const server = await app();
    const started = performance.now();
    const res = await server.inject({ method: 'POST', url: '/findings', payload: { evidence: Array.from({ length: 20_000 }, () => 1) } });
    const elapsed = performance.now() - started;
    await server.close();
    assert.equal(res.statusCode, 400);
    const { violations } = res.json();
    assert.equal(violations.length, MAX_VIOLATIONS);
    assert.equal(violations[0].field, 'evidence[0]');
    assert.ok(elapsed < 2000, `${elapsed} ms`);
  });
});

describe('HTTP: a body over the limit', () => {
  it('is 413 in the mapping shape {code, message}, not a framework code', async () => {
    const server = await app(1024);
    const res = await server.inject({ method: 'POST', url: '/findings', payload: { description: 'x'.repeat(4096) } });
    await server.close();
    assert.equal(res.statusCode, 413);
    assert.deepEqual(res.json(), { code: 'RESOURCE_EXHAUSTED', message: 'body: is larger than the limit of 1024 bytes' });
  });
});

describe('a field too large for one event', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wenming-violations-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is named as the request wrote it, not by an event id the caller never saw', async () => {
    const store = await openEventStore(`sqlite:${join(dir, 'events.db')}`);
    const id = '0190f4a2-3c4d-7e5f-8a9b-0c1d2e3f4a5b';
    const data = { planId: 'p1', content: { title: 't', tasks: [{ title: 'a' }, { title: 'b', description: '多'.repeat(400_000) }] } };
    const error = await store
      .append('plan-p1', [{ id, type: 'PlanDrafted', occurredAt: '2025-01-01T00:00:00Z', data, metadata: { unitId: 'u1' } }])
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    await store.close();
    const mapped = mapError(error);
    assert.equal(mapped.code, 'INVALID_ARGUMENT');
    assert.equal(mapped.field, 'content.tasks[1].description');
    assert.doesNotMatch(mapped.message, new RegExp(id));
    assert.match(
      mapped.message,
      /^content\.tasks\[1\]\.description: is too large: it makes an event of \d+ bytes of JSON, over the limit of 1048576/,
    );
    assert.deepEqual(
      mapped.violations?.map((v) => v.field),
      ['content.tasks[1].description'],
    );
  });
});

/** google.rpc.Status → its code, message and the BadRequest's field violations. */
function decodeStatus(bytes: Uint8Array): { code: number; message: string; typeUrls: string[]; violations: Array<[string, string]> } {
  const out = { code: 0, message: '', typeUrls: [] as string[], violations: [] as Array<[string, string]> };
  const status = new BinaryReader(bytes);
  while (status.pos < status.len) {
    const [field] = status.tag();
    if (field === 1) out.code = status.int32();
    else if (field === 2) out.message = status.string();
    else if (field === 3) {
      const any = new BinaryReader(status.bytes());
      let typeUrl = '';
      let value: Uint8Array = new Uint8Array();
      while (any.pos < any.len) {
        const [f] = any.tag();
        if (f === 1) typeUrl = any.string();
        else value = any.bytes();
      }
      out.typeUrls.push(typeUrl);
      const badRequest = new BinaryReader(value);
      while (badRequest.pos < badRequest.len) {
        badRequest.tag();
        const violation = new BinaryReader(badRequest.bytes());
        let name = '';
        let description = '';
        while (violation.pos < violation.len) {
          const [f] = violation.tag();
          if (f === 1) name = violation.string();
          else description = violation.string();
        }
        out.violations.push([name, description]);
      }
    }
  }
  return out;
}

describe('gRPC: bad input reports every field violation in the status details', () => {
  const json = {
    requestSerialize: (v: unknown) => Buffer.from(JSON.stringify(v)),
    requestDeserialize: (b: Buffer) => JSON.parse(b.toString()),
    responseSerialize: (v: unknown) => Buffer.from(JSON.stringify(v)),
    responseDeserialize: (b: Buffer) => JSON.parse(b.toString()),
  };
  const definition = { check: { path: '/test.Violations/Check', requestStream: false, responseStream: false, ...json } };

  it('sends google.rpc.BadRequest in grpc-status-details-bin, and the first field in wenming-field as before', async () => {
    const server = new grpc.Server();
    server.addService(definition as never, {
      check: grpcHandler(
        async (call) => {
          checkRequestText(call.request);
          return {};
        },
        { logger: silent },
      ),
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    const Client = grpc.makeGenericClientConstructor(definition as never, 'Violations');
    const client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as unknown as {
      check(req: unknown, cb: (err: grpc.ServiceError | null) => void): void;
      close(): void;
    };
    const error = await new Promise<grpc.ServiceError | null>((resolve) =>
      client.check({ title: 'nul\u0000', tasks: [{ note: 'ok' }, { note: 'bidi\u202e' }], owner: 'esc\u001b[31m' }, resolve),
    );
    client.close();
    server.forceShutdown();
    assert.ok(error);
    assert.equal(error.code, grpc.status.INVALID_ARGUMENT);
    assert.deepEqual(error.metadata.get('wenming-field'), ['title']);
    const [details] = error.metadata.get(STATUS_DETAILS_METADATA_KEY);
    assert.ok(details instanceof Buffer, 'grpc-status-details-bin is sent');
    const status = decodeStatus(details);
    assert.equal(status.code, grpc.status.INVALID_ARGUMENT);
    assert.deepEqual(status.typeUrls, [BAD_REQUEST_TYPE_URL]);
    assert.deepEqual(
      status.violations.map(([field]) => field),
      ['title', 'tasks[1].note', 'owner'],
    );
    assert.match(status.violations[1]?.[1] ?? '', /U\+202E/);
  });

  it('keeps the trailer bounded however many violations there are', async () => {
    const many = ValidationError.of(Array.from({ length: 500 }, (_, i) => ({ field: `f${i}`.repeat(20), message: 'x'.repeat(2000) })));
    assert.equal(many.violations.length, MAX_VIOLATIONS);
    const { toServiceError } = await import('./grpc.js');
    const [details] = toServiceError(many, silent).metadata.get(STATUS_DETAILS_METADATA_KEY);
    assert.ok(details instanceof Buffer && details.length <= 3000, `${(details as Buffer).length} bytes`);
    assert.ok(decodeStatus(details).violations.length >= 1);
  });
});
