// Envelopes on gRPC are the events HTTP shows (issue 13, item 3). The demo city is
// loaded through the public API; then, for every unit, look-back's HTTP timeline
// (withData) gives each event as stored, and every history stream that holds one of
// them (plan-submission's StreamPlanHistory, inspection's StreamRectificationSteps
// and StreamInspectionRecord) is read over gRPC. Every envelope must carry every
// field of the HTTP answer under the proto3 JSON mapping: actor.role as the Role
// enum's name (the store keeps 'unit', the proto says ROLE_UNIT; never -1), via as is.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { EventEnvelope } from '@wenming/contracts/wenming/common/v1/envelope.js';
import * as insp from '@wenming/contracts/wenming/inspection/v1/inspection_service.js';
import * as lb from '@wenming/contracts/wenming/lookback/v1/lookback_service.js';
import * as plans from '@wenming/contracts/wenming/plansubmission/v1/plansubmission_service.js';
import { type RecordedEvent, SqliteEventStore } from '@wenming/eventstore';
import { loadConfig } from '@wenming/service-kit';
import { type RunningPlatform, startPlatform } from './platform.js';
import { bearer, collect, httpJson, type Json, loadDemoCity, signToken, unaryCall } from './test-fixtures/e2e-calls.js';

const dir = mkdtempSync(join(tmpdir(), 'wenming-envelopes-'));
let platform: RunningPlatform;
let token: string;
const stored: RecordedEvent[] = [];
let planClient: plans.PlanSubmissionServiceClient;
let inspClient: insp.InspectionServiceClient;
let lookbackClient: lb.LookbackServiceClient;

before(async () => {
  await loadDemoCity(dir);
  const store = new SqliteEventStore({ path: join(dir, 'events.db') });
  for await (const e of store.readAll()) stored.push(e);
  await store.close();
  const config = loadConfig({ WENMING_DATA_DIR: dir, HTTP_PORT: '0', GRPC_PORT: '0', LOG_LEVEL: 'silent' });
  platform = await startPlatform(config);
  token = await signToken(config, ['office', 'auditor', 'admin'], [], 'envelopes-reader');
  planClient = new plans.PlanSubmissionServiceClient(platform.grpcAddress, grpc.credentials.createInsecure());
  inspClient = new insp.InspectionServiceClient(platform.grpcAddress, grpc.credentials.createInsecure());
  lookbackClient = new lb.LookbackServiceClient(platform.grpcAddress, grpc.credentials.createInsecure());
});
after(async () => {
  planClient?.close();
  inspClient?.close();
  lookbackClient?.close();
  await platform?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Every event of the unit's timeline, as HTTP shows it (withData), by event id. */
async function httpTimeline(unitId: string): Promise<Json[]> {
  const events: Json[] = [];
  let after = 0;
  for (;;) {
    const page = await httpJson(
      `${platform.httpUrl}/api/lookback/units/${unitId}/timeline?withData=true&limit=500&after=${after}`,
      'GET',
      token,
    );
    assert.equal(page.status, 200, JSON.stringify(page.body));
    for (const entry of page.body.entries) events.push(entry.event);
    if (page.body.nextCursor === undefined) return events;
    after = page.body.nextCursor;
  }
}

/** The stream's envelopes over gRPC, as proto3 JSON; undefined for a stream no history rpc serves. */
async function grpcStream(streamId: string): Promise<Json[] | undefined> {
  const [, kind, id] = /^(plan|rectification|inspection)-(.+)$/.exec(streamId) ?? [];
  if (!kind || !id) return undefined;
  const call =
    kind === 'plan'
      ? planClient.streamPlanHistory({ planId: id, fromRevision: 0, follow: false }, bearer(token))
      : kind === 'rectification'
        ? inspClient.streamRectificationSteps({ rectificationId: id, fromRevision: 0, follow: false }, bearer(token))
        : inspClient.streamInspectionRecord({ inspectionId: id, fromRevision: 0, follow: false }, bearer(token));
  const replies = (await collect(call as grpc.ClientReadableStream<{ event?: EventEnvelope }>)) as { event?: EventEnvelope }[];
  return replies.map((r) => EventEnvelope.toJSON(r.event!));
}

/** Metadata fields of EventMetadata, as proto3 JSON names them. */
const METADATA_FIELDS = [
  'unitId',
  'campaignId',
  'actor',
  'correlationId',
  'causationId',
  'traceparent',
  'schemaVersion',
  'prevHash',
  'hash',
];

/** Asserts the gRPC envelope carries every field of the HTTP event, under the proto3 JSON mapping. */
function assertSame(http: Json, wire: Json): void {
  const at = `${http.type} ${http.streamId}@${http.revision}`;
  assert.equal(wire.id, http.id, at);
  assert.equal(wire.type, http.type, at);
  assert.equal(wire.streamId, http.streamId, at);
  assert.equal(Number(wire.revision ?? 0), http.revision, at); // proto3 JSON omits a 0
  assert.equal(Number(wire.position ?? 0), http.position, at);
  assert.equal(Date.parse(wire.occurredAt), Date.parse(http.occurredAt), `${at} occurredAt`);
  assert.equal(Date.parse(wire.recordedAt), Date.parse(http.recordedAt), `${at} recordedAt`);
  assert.deepEqual(wire.data, http.data, `${at} data`);
  for (const key of Object.keys(http.metadata)) {
    assert.ok(METADATA_FIELDS.includes(key), `${at}: metadata.${key} has no field in EventMetadata`);
    if (key === 'actor') continue;
    assert.deepEqual(wire.metadata?.[key], http.metadata[key], `${at} metadata.${key}`);
  }
  const actor = http.metadata.actor;
  if (actor) {
    assert.equal(wire.metadata.actor.id, actor.id, `${at} actor.id`);
    assert.equal(wire.metadata.actor.role, `ROLE_${actor.role.toUpperCase()}`, `${at} actor.role (stored ${actor.role})`);
    assert.equal(wire.metadata.actor.via, actor.via, `${at} actor.via`);
  }
}

describe('gRPC envelopes equal the HTTP answer for the same event', () => {
  it('every event of every unit, in every history stream that serves it', async () => {
    const units = [...new Set(stored.map((e) => e.metadata.unitId).filter((u): u is string => !!u))];
    assert.ok(units.length >= 12, `${units.length} units`);
    const http = new Map<string, Json>();
    for (const unitId of units) for (const e of await httpTimeline(unitId)) http.set(e.id, e);
    const streams = [...new Set([...http.values()].map((e) => e.streamId as string))];
    const compared = new Map<string, number>();
    const roles = new Set<string>();
    for (const streamId of streams) {
      const wire = await grpcStream(streamId);
      if (!wire) continue;
      assert.deepEqual(
        wire.map((e) => e.id),
        stored.filter((e) => e.streamId === streamId).map((e) => e.id),
        `${streamId}: the stream, whole and in order`,
      );
      for (const envelope of wire) {
        const shown = http.get(envelope.id);
        if (!shown) continue; // an event about no unit: not in any unit's timeline
        assertSame(shown, envelope);
        compared.set(shown.type, (compared.get(shown.type) ?? 0) + 1);
        if (shown.metadata.actor) roles.add(shown.metadata.actor.role);
      }
    }
    // Every event type these streams hold that is about a unit was compared.
    const served = new Set(
      stored
        .filter((e) => (e.metadata.unitId || http.has(e.id)) && /^(plan|rectification|inspection)-/.test(e.streamId))
        .map((e) => e.type),
    );
    assert.deepEqual([...compared.keys()].sort(), [...served].sort());
    assert.ok(roles.has('unit') && roles.has('office') && roles.has('inspector'), [...roles].join());
  });
});

// Issue 13, item 4: every event that concerns a unit names it where look-back finds it.
// The event types are read from proto/ (each context's events.proto): every message with
// a unit_id or unit_ids field. Each such event the demo stored must be in the timeline of
// every unit it names — except an unannounced visit's InspectionScheduled, which its
// units are not told of (the visit's InspectionStarted names the unit when the team arrives).
const PROTO_DIR = new URL('../../../proto/', import.meta.url).pathname;
const CONTEXTS = ['plansubmission', 'inspection', 'supervision', 'awards', 'lookback'];

function unitNamingEventTypes(): Set<string> {
  const definition = loadSync(
    CONTEXTS.map((c) => `wenming/${c}/v1/events.proto`),
    { includeDirs: [PROTO_DIR] },
  );
  const types = new Set<string>();
  for (const c of CONTEXTS)
    for (const [name, def] of Object.entries(definition)) {
      const prefix = `wenming.${c}.v1.`;
      if (!name.startsWith(prefix) || name.slice(prefix.length).includes('.')) continue;
      const fields = ((def as { type?: { field?: { name: string }[] } }).type?.field ?? []).map((f) => f.name);
      if (fields.includes('unitId') || fields.includes('unitIds')) types.add(name.slice(prefix.length));
    }
  return types;
}

describe('look-back’s GetEvent on gRPC equals its HTTP timeline', () => {
  it('every event of every unit, whatever service wrote it', async () => {
    const units = [...new Set(stored.map((e) => e.metadata.unitId).filter((u): u is string => !!u))];
    const types = new Set<string>();
    for (const unitId of units)
      for (const shown of await httpTimeline(unitId)) {
        const reply = await unaryCall<lb.GetEventResponse>(lookbackClient, 'getEvent', bearer(token), { eventId: shown.id });
        assertSame(shown, EventEnvelope.toJSON(reply.entry!.event!));
        types.add(shown.type);
      }
    assert.ok(types.size >= 20, [...types].join());
  });
});

describe('every event that concerns a unit is in that unit’s timeline', () => {
  it('each event of a type whose proto names a unit, for every unit it names', async () => {
    const types = unitNamingEventTypes();
    assert.ok(types.has('InspectionScheduled') && types.has('CampaignUnitsEnrolled') && types.has('PlanDrafted'), [...types].join());
    const timelines = new Map<string, Set<string>>();
    const timelineOf = async (unitId: string) => {
      let ids = timelines.get(unitId);
      if (!ids) {
        ids = new Set((await httpTimeline(unitId)).map((e) => e.id as string));
        timelines.set(unitId, ids);
      }
      return ids;
    };
    const checked = new Set<string>();
    let hiddenVisits = 0;
    for (const e of stored) {
      if (!types.has(e.type)) continue;
      const d = e.data as { unitId?: string; unitIds?: string[]; announced?: boolean };
      const named = new Set([...(d.unitId ? [d.unitId] : []), ...(d.unitIds ?? [])]);
      for (const unitId of named) {
        const shown = (await timelineOf(unitId)).has(e.id);
        if (e.type === 'InspectionScheduled' && d.announced === false) {
          assert.equal(shown, false, `unannounced ${e.streamId} told to ${unitId} in advance`);
          hiddenVisits++;
        } else {
          assert.ok(shown, `${e.type} ${e.streamId}@${e.revision} names ${unitId}, but is not in its timeline`);
          checked.add(e.type);
        }
      }
    }
    assert.ok(checked.has('InspectionScheduled') && checked.has('CampaignUnitsEnrolled'), [...checked].join());
    assert.ok(hiddenVisits > 0, 'the demo has an unannounced visit');
  });

  it('an announced inspection’s events about no one unit (rescheduled, cancelled, completed) are in each of its units’ timelines', async () => {
    let checked = 0;
    for (const scheduled of stored.filter((e) => e.type === 'InspectionScheduled')) {
      const d = scheduled.data as { unitIds: string[]; announced?: boolean };
      if (d.announced === false) continue;
      const whole = stored.filter((e) => e.streamId === scheduled.streamId && !e.metadata.unitId && e.id !== scheduled.id);
      for (const unitId of d.unitIds) {
        const ids = new Set((await httpTimeline(unitId)).map((e) => e.id as string));
        for (const e of whole) {
          assert.ok(ids.has(e.id), `${e.type} ${e.streamId}@${e.revision} is about ${unitId}, but is not in its timeline`);
          checked++;
        }
      }
    }
    assert.ok(checked > 0, 'the demo completes or reschedules an announced inspection');
  });

  it('the unit’s timeline shows the InspectionScheduled of every announced inspection of it', async () => {
    const scheduled = stored.filter((e) => e.type === 'InspectionScheduled' && (e.data as { announced?: boolean }).announced !== false);
    assert.ok(scheduled.length > 0);
    for (const e of scheduled)
      for (const unitId of (e.data as { unitIds: string[] }).unitIds) {
        const page = await httpJson(`${platform.httpUrl}/api/lookback/units/${unitId}/timeline?type=InspectionScheduled`, 'GET', token);
        assert.equal(page.status, 200, JSON.stringify(page.body));
        assert.ok(
          page.body.entries.some((entry: Json) => entry.id === e.id),
          `${e.streamId} in ${unitId}'s timeline: ${JSON.stringify(page.body.entries)}`,
        );
      }
  });
});
