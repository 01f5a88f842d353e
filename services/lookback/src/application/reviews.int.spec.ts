// A recurrence found in a look-back reaches inspection over real gRPC. The server
// here is a TEST DOUBLE: a real grpc-js server implementing only RegressRectification
// and GetRectification of the generated InspectionService definition
// (FakeInspectionServer), so the path — client, the caller's forwarded token, the
// rectification's owner, idempotency key, recorded outcome, retry — is exercised
// without the inspection module.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import {
  type GetRectificationRequest,
  GetRectificationResponse,
  InspectionServiceService,
  type RegressRectificationRequest,
  type RegressRectificationResponse,
} from '@wenming/contracts/wenming/inspection/v1/inspection_service.js';
import { SqliteEventStore } from '@wenming/eventstore';
import type { Principal } from '@wenming/service-kit';
import { timelinePage } from './history.js';
import { createInspectionClient } from './inspection-client.js';
import { createReviews } from './reviews.js';

class FakeInspectionServer {
  readonly calls: { request: RegressRectificationRequest; authorization: string; acting: string }[] = [];
  readonly reads: { id: string; authorization: string }[] = [];
  failNext: grpc.status | undefined;
  private server = new grpc.Server();
  port = 0;
  async start(): Promise<void> {
    this.server.addService(InspectionServiceService, {
      // r1 is unit u1's; r2 is unit u2's (not under review); anything else is unknown.
      getRectification: (
        call: grpc.ServerUnaryCall<GetRectificationRequest, GetRectificationResponse>,
        callback: grpc.sendUnaryData<GetRectificationResponse>,
      ) => {
        this.reads.push({ id: call.request.rectificationId, authorization: String(call.metadata.get('authorization')[0] ?? '') });
        const unitId = ({ r1: 'u1', r2: 'u2' } as Record<string, string>)[call.request.rectificationId];
        if (!unitId) callback({ code: grpc.status.NOT_FOUND, details: 'rectification not found', name: 'Error', message: 'x' });
        else
          callback(
            null,
            GetRectificationResponse.fromPartial({
              rectification: { rectificationId: call.request.rectificationId, unitId, campaignId: 'c1' },
            }),
          );
      },
      regressRectification: (
        call: grpc.ServerUnaryCall<RegressRectificationRequest, RegressRectificationResponse>,
        callback: grpc.sendUnaryData<RegressRectificationResponse>,
      ) => {
        this.calls.push({
          request: call.request,
          authorization: String(call.metadata.get('authorization')[0] ?? ''),
          acting: String(call.metadata.get('x-wenming-acting-service')[0] ?? ''),
        });
        if (this.failNext !== undefined) {
          const code = this.failNext;
          this.failNext = undefined;
          callback({ code, details: 'inspection is restarting', name: 'Error', message: 'x' });
          return;
        }
        callback(null, {
          result: {
            streamId: `rectification-${call.request.rectificationId}`,
            nextExpectedRevision: 7,
            position: 99,
            eventIds: ['11111111-1111-4111-8111-111111111111'],
            deduplicated: this.calls.filter((c) => c.request.idempotencyKey === call.request.idempotencyKey).length > 1,
          },
        });
      },
    } as unknown as grpc.UntypedServiceImplementation);
    this.port = await new Promise((res, rej) =>
      this.server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))),
    );
  }
  stop(): Promise<void> {
    return new Promise((res) => this.server.tryShutdown(() => res()));
  }
}

const office: Principal = { id: 'office-1', roles: ['office'], units: [] };
const inspector: Principal = { id: 'insp-1', roles: ['inspector'], units: [] };
const auditor: Principal = { id: 'aud-1', roles: ['auditor'], units: [] };
/** The office caller's credentials, as its request carried them. */
const caller = { bearer: 'Bearer office-1-token' };

describe('look-back review regresses a rectification through inspection’s gRPC', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wenming-reviews-'));
  const store = new SqliteEventStore({ path: join(dir, 'events.db') });
  const fake = new FakeInspectionServer();
  let reviews: ReturnType<typeof createReviews>;
  let client: ReturnType<typeof createInspectionClient>;

  before(async () => {
    await fake.start();
    client = createInspectionClient({ address: `127.0.0.1:${fake.port}`, serviceToken: async () => 'lookback-own' });
    reviews = createReviews({ store, inspection: client });
  });
  after(async () => {
    client.close();
    await fake.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the office opens the review; an auditor may not', async () => {
    await assert.rejects(
      reviews.OpenLookbackReview(auditor, { idempotencyKey: 'k0', reviewId: 'lb1', title: 'x', unitIds: ['u1'] }),
      /needs one of the roles/,
    );
    const opened = await reviews.OpenLookbackReview(office, {
      idempotencyKey: 'k1',
      reviewId: 'lb1',
      title: '2025年回头看',
      unitIds: ['u1'],
    });
    assert.equal(opened.reviewId, 'lb1');
  });

  it('an inspector records a check', async () => {
    await reviews.RecordLookbackCheck(inspector, {
      idempotencyKey: 'k2',
      reviewId: 'lb1',
      unitId: 'u1',
      check: 'LOOKBACK_CHECK_PROBLEMS_SOLVED',
      result: 'CHECK_RESULT_FAILED',
      notes: '群众反映的排队问题反弹',
    });
  });

  it('an inspector may not file a recurrence (only the roles inspection lets regress may), and nothing is sent', async () => {
    await assert.rejects(
      reviews.RecordRecurrence(
        inspector,
        { idempotencyKey: 'k2b', reviewId: 'lb1', unitId: 'u1', rectificationId: 'r1', description: 'x' },
        { bearer: 'Bearer inspector-token' },
      ),
      (e: Error) => e.name === 'PermissionDeniedError',
    );
    assert.equal(fake.reads.length + fake.calls.length, 0);
  });

  it("a rectification of a unit not in the review is refused: nothing recorded, nothing regressed (issue 12's confused deputy)", async () => {
    for (const unitId of ['u1', 'u2']) {
      await assert.rejects(
        reviews.RecordRecurrence(
          office,
          { idempotencyKey: `k2c-${unitId}`, reviewId: 'lb1', unitId, rectificationId: 'r2', description: 'x' },
          { bearer: 'Bearer office-token' },
        ),
        (e: Error & { field?: string }) => e.name === 'ValidationError' && (e.field === 'rectificationId' || e.field === 'unitId'),
      );
    }
    assert.equal(fake.calls.length, 0);
    const events = [];
    for await (const e of store.readStream('lookback-review-lb1')) events.push(e.type);
    assert.deepEqual(events, ['LookbackReviewOpened', 'LookbackCheckRecorded']);
  });

  it('a failed call is recorded, and asking again retries it with the same idempotency key', async () => {
    fake.failNext = grpc.status.UNAVAILABLE;
    const first = await reviews.RecordRecurrence(
      office,
      {
        idempotencyKey: 'k3',
        reviewId: 'lb1',
        unitId: 'u1',
        rectificationId: 'r1',
        description: '公示栏又过期',
        publicConcern: true,
        observedAt: '2025-09-01T00:00:00Z',
      },
      caller,
    );
    assert.equal(first.regression.status, 'failed');
    assert.equal((first.regression as { error?: { code: string } }).error?.code, 'UNAVAILABLE');

    const retry = await reviews.RecordRecurrence(
      office,
      {
        idempotencyKey: 'k4',
        reviewId: 'lb1',
        unitId: 'u1',
        rectificationId: 'r1',
        description: '公示栏又过期',
      },
      caller,
    );
    assert.equal(retry.regression.status, 'recorded');
    // The retry appended the outcome to the review: the reply names it, and the old error is gone.
    const appended: string[] = [];
    for await (const e of store.readStream('lookback-review-lb1')) if (e.type === 'RectificationRegressionRecorded') appended.push(e.id);
    assert.equal(appended.length, 1);
    assert.ok(retry.result.eventIds.includes(appended[0]!), `${JSON.stringify(retry.result)} names ${appended[0]}`);
    assert.equal(retry.result.deduplicated, false);
    const afterRetry = await reviews.GetLookbackReview(auditor, { reviewId: 'lb1' });
    assert.equal(afterRetry.review.recurrences[0]?.regression, 'recorded');
    assert.equal(afterRetry.review.recurrences[0]?.lastError, undefined);
    assert.equal(fake.calls.length, 2);
    assert.equal(fake.calls[0]!.request.idempotencyKey, 'lookback-regress:lb1:r1');
    assert.equal(fake.calls[1]!.request.idempotencyKey, 'lookback-regress:lb1:r1');
    assert.equal(fake.calls[1]!.request.lookbackReviewId, 'lb1');
    assert.equal(fake.calls[1]!.request.recurrenceId, 'lb1.r1');
    // Look-back acts on the caller's behalf: the caller's own token, never one of its own.
    assert.equal(fake.calls[1]!.authorization, caller.bearer);
    // Its own token (no role) travels beside, only to say which service acted.
    assert.equal(fake.calls[1]!.acting, 'Bearer lookback-own');
    assert.deepEqual(
      fake.reads.slice(-2).map((r) => r.authorization),
      [caller.bearer, caller.bearer],
    );

    // Confirmed: a third request sends nothing.
    await reviews.RecordRecurrence(
      office,
      {
        idempotencyKey: 'k5',
        reviewId: 'lb1',
        unitId: 'u1',
        rectificationId: 'r1',
        description: 'x',
      },
      caller,
    );
    assert.equal(fake.calls.length, 2);
  });

  it('the review names the regressed rectification and every attempt is in the unit’s timeline', async () => {
    const { review } = await reviews.GetLookbackReview(auditor, { reviewId: 'lb1' });
    assert.equal(review.recurrences[0]?.rectificationId, 'r1');
    assert.equal(review.recurrences[0]?.regression, 'recorded');
    assert.equal(review.recurrences[0]?.attempts, 2);
    const page = await timelinePage(store, { unitId: 'u1' });
    assert.deepEqual(
      page.entries.map((e) => e.type),
      [
        'LookbackReviewOpened',
        'LookbackCheckRecorded',
        'RecurrenceFound',
        'RectificationRegressionFailed',
        'RectificationRegressionRecorded',
      ],
    );
  });
});
