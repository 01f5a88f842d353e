// The audit-trail routes against a real SQLite store when the store stops giving what
// was recorded: one stored event is edited behind the store's back. A recorded export
// then refuses to be rebuilt (409 FAILED_PRECONDITION, never other files under the
// old digest), and a new integrity check is recorded as broken, naming the event.
// Tokens are stood in for by a TEST DOUBLE verifier (token text → principal).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SqliteEventStore } from '@wenming/eventstore';
import { createHttpServer, createLogger, type Principal, UnauthenticatedError } from '@wenming/service-kit';
import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { createAuditTrail } from '../../application/audit-trail.js';
import { createReviews } from '../../application/reviews.js';
import { seedHistory } from '../../test-support/seed.js';
import { registerLookbackRoutes } from './routes.js';

const dir = mkdtempSync(join(tmpdir(), 'wenming-lookback-audit-http-'));
const path = join(dir, 'events.db');
const principals: Record<string, Principal> = { auditor: { id: 'auditor-1', roles: ['auditor'], units: [] } };
let store: SqliteEventStore;
let http: FastifyInstance;
let seeded: Awaited<ReturnType<typeof seedHistory>>;

const call = async (method: 'GET' | 'POST', url: string, body?: unknown, key?: string) => {
  const res = await http.inject({
    method,
    url: `/api/lookback${url}`,
    headers: { authorization: 'Bearer auditor', ...(key ? { 'idempotency-key': key } : {}) },
    ...(body !== undefined ? { payload: body as object } : {}),
  });
  return { status: res.statusCode, body: res.json() };
};

before(async () => {
  store = new SqliteEventStore({ path });
  seeded = await seedHistory(store, 'a');
  http = await createHttpServer(createLogger('silent'), {
    auth: {
      verify: async (token) => {
        const p = principals[token];
        if (!p) throw new UnauthenticatedError('unknown test token');
        return p;
      },
    },
  });
  const reviews = createReviews({
    store,
    inspection: {
      getRectification: () => Promise.reject(new Error('not called here')),
      regressRectification: () => Promise.reject(new Error('not called here')),
      close: () => undefined,
    },
  });
  registerLookbackRoutes(http, { store, reviews, audit: createAuditTrail({ store }) });
  await http.ready();
});

after(async () => {
  await http?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('audit-trail routes when the store no longer gives what was recorded', () => {
  it('a recorded export refuses to be rebuilt (409) and a new check is recorded as broken', async () => {
    const exported = await call('POST', '/dossier-exports', { unitId: seeded.unitId }, 'x-1');
    assert.equal(exported.status, 200, JSON.stringify(exported.body));
    const exportId = exported.body.record.data.exportId;
    assert.equal((await call('GET', `/dossier-exports/${exportId}`)).status, 200);

    const db = new Database(path);
    db.prepare(`UPDATE events SET data = json_set(data, '$.description', 'edited') WHERE id = ?`).run(seeded.ids['3']);
    db.close();

    const refused = await call('GET', `/dossier-exports/${exportId}`);
    assert.equal(refused.status, 409, JSON.stringify(refused.body));
    assert.equal(refused.body.code, 'FAILED_PRECONDITION');
    assert.match(refused.body.message, new RegExp(exported.body.record.data.sha256));
    // The same key answers with the first export, so it is refused the same way.
    assert.equal((await call('POST', '/dossier-exports', { unitId: seeded.unitId }, 'x-1')).status, 409);

    const check = await call('POST', '/integrity-checks', { scope: { unitId: seeded.unitId } }, 'ic-1');
    assert.equal(check.status, 200, JSON.stringify(check.body));
    const data = check.body.record.data;
    assert.equal(data.intact, false);
    assert.equal(data.firstBrokenLink.eventId, seeded.ids['3']);
    assert.equal(data.firstBrokenLink.problem, 'LINK_PROBLEM_HASH_MISMATCH');
    assert.deepEqual(data.brokenStreamIds, [data.firstBrokenLink.streamId]);
    const recorded = await call('GET', `/integrity-checks/${data.checkId}`);
    assert.deepEqual(recorded.body.record, check.body.record);
  });
});
