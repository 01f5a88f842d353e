// The EventStoreDB adapter's pure parts, checked without a server: revision and
// position mapping, the stored-event shape and its way back, and the unit index
// projection's query (run in a vm as the server's JS engine would run it).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runInNewContext } from 'node:vm';
import { NO_STREAM } from '@eventstore/db-client';
import { newEvent, newEvents } from '../contract/fixtures.js';
import { GENESIS_HASH, verifyChain } from '../hash-chain.js';
import { prepareAppend } from '../prepare.js';
import {
  actualRevision,
  chainBatch,
  type EsdbRecord,
  esdbConnectionString,
  expectedHead,
  isInvalidPosition,
  parseProjectionPosition,
  positionToNumber,
  retriesOnConflict,
  toEsdbPosition,
  toRecordedEvent,
} from './mapping.js';
import { UNIT_INDEX_QUERY } from './unit-index.js';

/** What the client would hand back for the chained events: ESDB keeps id, type, data and metadata as sent. */
function stored(streamId: string, data: ReturnType<typeof chainBatch>['data'], firstRevision: number, firstPosition: number): EsdbRecord[] {
  return data.map((e, i) => ({
    id: e.id,
    type: e.type,
    streamId,
    revision: BigInt(firstRevision + i),
    isJson: true,
    data: JSON.parse(JSON.stringify(e.data)),
    metadata: JSON.parse(JSON.stringify(e.metadata)),
    position: toEsdbPosition(firstPosition + i * 321),
  }));
}

async function* each<T>(items: T[]): AsyncIterable<T> {
  yield* items;
}

describe('EventStoreDB mapping', () => {
  it('sends the exact head revision it chained to, and reads ESDB revisions back', () => {
    assert.equal(expectedHead(undefined), NO_STREAM);
    assert.equal(expectedHead(0), 0n);
    assert.equal(expectedHead(41), 41n);
    assert.equal(actualRevision(NO_STREAM), 'no_stream');
    assert.equal(actualRevision(7n), 7);
  });

  it("retries a lost race only when the caller's expectation still holds on the new head", () => {
    assert.equal(retriesOnConflict('any'), true);
    assert.equal(retriesOnConflict('stream_exists'), true);
    assert.equal(retriesOnConflict('no_stream'), false);
    assert.equal(retriesOnConflict(3), false);
  });

  it('stores the chain links and times in ESDB metadata and maps them back to a verifiable stream', async () => {
    const streamId = 'rectification-42';
    const first = prepareAppend(streamId, newEvents('unit-1', 3), undefined).events;
    const a = chainBatch(streamId, first, undefined, '2026-03-01T01:00:00.000Z');
    assert.equal(a.lastRevision, 2);
    const head = toRecordedEvent(stored(streamId, a.data, 0, 5000)[2]);
    const b = chainBatch(streamId, prepareAppend(streamId, newEvents('unit-1', 2, 3), undefined).events, head, '2026-03-01T02:00:00.000Z');
    assert.equal(b.lastRevision, 4);
    const events = [...stored(streamId, a.data, 0, 5000), ...stored(streamId, b.data, 3, 9000)].map((r) => toRecordedEvent(r)!);

    const [e0, e3] = [events[0]!, events[3]!];
    assert.equal(e0.id, first[0]!.id);
    assert.equal(e0.occurredAt, '2026-03-01T09:00:00+08:00');
    assert.equal(e0.recordedAt, '2026-03-01T01:00:00.000Z');
    assert.equal(e3.recordedAt, '2026-03-01T02:00:00.000Z');
    assert.equal(e0.position, 5000);
    assert.equal(e0.metadata.prevHash, GENESIS_HASH);
    assert.equal(e3.metadata.prevHash, events[2]!.metadata.hash);
    // Only writer metadata, schemaVersion and the chain links: the times are fields of the event.
    assert.deepEqual(Object.keys(e0.metadata).sort(), ['actor', 'correlationId', 'hash', 'prevHash', 'schemaVersion', 'unitId']);
    const verified = await verifyChain(streamId, each(events));
    assert.deepEqual(verified, { ok: true, streamId, checked: 5, lastHash: events[4]!.metadata.hash });
  });

  it('a changed stored event breaks the chain at that event', async () => {
    const streamId = 'plan-7';
    const { data } = chainBatch(
      streamId,
      prepareAppend(streamId, newEvents('unit-1', 3), undefined).events,
      undefined,
      '2026-03-01T01:00:00.000Z',
    );
    const records = stored(streamId, data, 0, 100);
    (records[1]!.data as { note: string }).note = 'edited';
    const result = await verifyChain(streamId, each(records.map((r) => toRecordedEvent(r)!)));
    assert.equal(result.ok, false);
    if (!result.ok) assert.deepEqual([result.firstBroken.revision, result.firstBroken.reason], [1, 'hash-mismatch']);
  });

  it('does not deliver what Wenming did not write: links, system and internal streams, foreign events', () => {
    const { data } = chainBatch(
      'plan-1',
      prepareAppend('plan-1', [newEvent('u-1', 0)], undefined).events,
      undefined,
      '2026-03-01T01:00:00.000Z',
    );
    const ours = stored('plan-1', data, 0, 100)[0]!;
    assert.ok(toRecordedEvent(ours));
    assert.equal(toRecordedEvent(undefined), undefined);
    assert.equal(toRecordedEvent({ ...ours, type: '$>', isJson: false, data: new Uint8Array() }), undefined);
    assert.equal(toRecordedEvent({ ...ours, streamId: '$projections-x' }), undefined);
    assert.equal(toRecordedEvent({ ...ours, type: '$statsCollected' }), undefined);
    assert.equal(toRecordedEvent({ ...ours, streamId: 'wenming-unit-u-1' }), undefined);
    assert.equal(toRecordedEvent({ ...ours, streamId: 'wenming-checkpoint-relay' }), undefined);
    assert.equal(toRecordedEvent({ ...ours, metadata: { unitId: 'u-1' } }), undefined);
    assert.equal(toRecordedEvent({ ...ours, metadata: undefined }), undefined);
  });

  it('uses the commit position as the global position, and refuses a missing or unrepresentable one', () => {
    assert.deepEqual(toEsdbPosition(1234), { commit: 1234n, prepare: 1234n });
    assert.equal(positionToNumber({ commit: 1234n, prepare: 1234n }, 'e'), 1234);
    assert.throws(() => positionToNumber(undefined, 'e'), /22\.6 or newer/);
    // Servers before 22.6 send -1 as an unsigned 64-bit number on stream reads.
    assert.throws(() => positionToNumber({ commit: 18446744073709551615n, prepare: 18446744073709551615n }, 'e'), /no usable log position/);
    assert.throws(() => positionToNumber({ commit: 2n ** 53n, prepare: 2n ** 53n }, 'e'));
  });

  it('accepts KurrentDB connection strings for the 6.x client', () => {
    assert.equal(esdbConnectionString('kurrentdb://localhost:2113?tls=false'), 'esdb://localhost:2113?tls=false');
    assert.equal(esdbConnectionString('kurrentdb+discover://a,b'), 'esdb+discover://a,b');
    assert.equal(esdbConnectionString('esdb://admin:changeit@h:2113'), 'esdb://admin:changeit@h:2113');
  });

  it("reads the projection's checkpoint position, and none before its first checkpoint", () => {
    assert.equal(parseProjectionPosition('C:123456/P:123456'), 123456);
    assert.equal(parseProjectionPosition('{"$c":77,"$p":77}'), 77);
    assert.equal(parseProjectionPosition(''), undefined);
    assert.equal(parseProjectionPosition(undefined), undefined);
    assert.equal(parseProjectionPosition('C:-1/P:-1'), undefined);
  });

  it('recognises the server refusing a position that is not a record start', () => {
    assert.equal(isInvalidPosition(new Error('Trying to read from an invalid position.')), true);
    assert.equal(isInvalidPosition(new Error('Log record at actual pos 1 has too large length: 9 bytes')), true);
    assert.equal(isInvalidPosition(new Error('UNAVAILABLE')), false);
  });
});

describe('unit index projection query', () => {
  function runQuery(events: Array<{ streamId: string; eventType: string; metadata?: unknown; metadataRaw?: string }>) {
    const links: Array<[string, string]> = [];
    let handlers: Record<string, (s: unknown, e: unknown) => unknown> = {};
    runInNewContext(UNIT_INDEX_QUERY, {
      fromAll: () => ({ when: (h: typeof handlers) => (handlers = h) }),
      linkTo: (stream: string, e: { streamId: string }) => links.push([stream, e.streamId]),
    });
    for (const e of events) handlers.$any?.(undefined, e);
    return links;
  }

  it("links Wenming events by their unit, and nothing of its own, the system's or without a unit", () => {
    const ours = { unitId: 'u-1', schemaVersion: 1, hash: 'ab', prevHash: '00' };
    const links = runQuery([
      { streamId: 'plan-1', eventType: 'PlanSubmitted', metadata: ours },
      { streamId: 'plan-2', eventType: 'PlanSubmitted', metadataRaw: JSON.stringify({ ...ours, unitId: 'u-2' }) },
      { streamId: 'campaign-1', eventType: 'CampaignDefined', metadata: { schemaVersion: 1, hash: 'ab' } },
      { streamId: 'plan-3', eventType: 'Foreign', metadata: { unitId: 'u-1' } },
      { streamId: '$stats-127.0.0.1', eventType: '$statsCollected', metadata: ours },
      { streamId: 'wenming-unit-u-1', eventType: '$>', metadata: ours },
      { streamId: 'wenming-checkpoint-relay', eventType: 'CheckpointStored', metadata: ours },
      { streamId: 'plan-4', eventType: 'Broken', metadataRaw: '{not json' },
    ]);
    assert.deepEqual(links, [
      ['wenming-unit-u-1', 'plan-1'],
      ['wenming-unit-u-2', 'plan-2'],
    ]);
  });
});
