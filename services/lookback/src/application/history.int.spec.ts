// The look-back reads against real adapters: SQLite always, PostgreSQL when PG_URL
// names a server (npm test starts one). Integrity: one stored event is edited
// directly in the database, behind the store's back, and the check names it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type EventStore, SqliteEventStore } from '@wenming/eventstore';
import Database from 'better-sqlite3';
import pg from 'pg';
import { seedHistory } from '../test-support/seed.js';
import { diffAsOf, stateAsOf, timeline, timelinePage, verifyUnit } from './history.js';

interface Adapter {
  name: string;
  skip?: string;
  open(now: () => Date): Promise<EventStore>;
  tamper(streamId: string, revision: number): Promise<void>;
}

const dir = mkdtempSync(join(tmpdir(), 'wenming-lookback-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const sqlitePath = join(dir, 'events.db');

const adapters: Adapter[] = [
  {
    name: 'SQLite',
    open: async (now) => new SqliteEventStore({ path: sqlitePath, now }),
    tamper: async (streamId, revision) => {
      const db = new Database(sqlitePath);
      db.prepare(`UPDATE events SET data = json_set(data, '$.description', 'edited') WHERE stream_id = ? AND revision = ?`).run(
        streamId,
        revision,
      );
      db.close();
    },
  },
];

const pgUrl = process.env.PG_URL;
const schema = `wenming_lookback_${randomBytes(6).toString('hex')}`;
async function pgSql(text: string, values: unknown[] = []): Promise<void> {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    await client.query(text, values);
  } finally {
    await client.end();
  }
}
if (pgUrl === undefined && process.env.WENMING_REQUIRE_REAL_SERVERS === '1') {
  it('look-back against PostgreSQL needs a server', () => assert.fail('PG_URL not set and WENMING_REQUIRE_REAL_SERVERS=1'));
}
if (pgUrl === undefined) console.log('look-back PostgreSQL tests SKIPPED: PG_URL not set (npm test starts a server)');
else after(() => pgSql(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`));
adapters.push({
  name: 'PostgreSQL',
  ...(pgUrl === undefined ? { skip: 'PG_URL not set' } : {}),
  open: async (now) => {
    const { PostgresEventStore } = await import('@wenming/eventstore/postgres');
    return PostgresEventStore.connect({ connectionString: pgUrl!, schema, now });
  },
  tamper: async (streamId, revision) => {
    await pgSql(
      `UPDATE ${pg.escapeIdentifier(schema)}.events SET data = jsonb_set(data::jsonb, '{description}', '"edited"')::json WHERE stream_id = $1 AND revision = $2`,
      [streamId, revision],
    );
  },
});

for (const adapter of adapters) {
  describe(`look-back on ${adapter.name}`, { skip: adapter.skip }, () => {
    // A clock one day per append, so every event has its own recorded day.
    let day = 0;
    const now = () => new Date(Date.UTC(2025, 2, 1 + day++, 9));
    const prefix = `t${randomBytes(3).toString('hex')}`;
    let store: EventStore;
    let seeded: Awaited<ReturnType<typeof seedHistory>>;

    it('seeds a history across services', async () => {
      store = await adapter.open(now);
      seeded = await seedHistory(store, prefix);
    });

    it('the timeline holds the unit’s events only, in global order, with summaries', async () => {
      const entries: { type: string; position: number; actor?: { id: string }; context: string; summary: string }[] = [];
      for await (const e of timeline(store, { unitId: seeded.unitId })) entries.push(e);
      assert.deepEqual(
        entries.map((e) => e.type),
        [
          'PlanDrafted',
          'PlanSubmitted',
          'FindingRecorded',
          'CriterionScored',
          'RectificationOrdered',
          'RectificationAcknowledged',
          'BrandNewEventType',
        ],
      );
      assert.ok(entries.every((e, i) => i === 0 || e.position > entries[i - 1]!.position));
      assert.equal(entries[0]!.actor?.id, 'insp-1');
      assert.equal(entries[4]!.context, 'inspection');
      assert.equal(entries[6]!.summary, 'Brand New Event Type (note=x, rectificationId=r1)');
    });

    it('pages by cursor and filters by type, stream and recorded time', async () => {
      const first = await timelinePage(store, { unitId: seeded.unitId }, 0, 3);
      assert.equal(first.entries.length, 3);
      const second = await timelinePage(store, { unitId: seeded.unitId }, first.nextCursor, 3);
      const third = await timelinePage(store, { unitId: seeded.unitId }, second.nextCursor, 3);
      assert.equal(third.entries.length, 1);
      assert.equal(third.nextCursor, undefined);
      const byType = await timelinePage(store, { unitId: seeded.unitId, types: ['RectificationOrdered', 'PlanSubmitted'] });
      assert.deepEqual(
        byType.entries.map((e) => e.type),
        ['PlanSubmitted', 'RectificationOrdered'],
      );
      const byStream = await timelinePage(store, { unitId: seeded.unitId, streams: [seeded.streams[0]!] });
      assert.equal(byStream.entries.length, 2);
      const recordedAt = first.entries.map((e) => e.recordedAt);
      const ranged = await timelinePage(store, { unitId: seeded.unitId, from: recordedAt[1], to: recordedAt[2] });
      assert.deepEqual(
        ranged.entries.map((e) => e.type),
        ['PlanSubmitted'],
      );
    });

    it('state as of an instant and the difference between two', async () => {
      const all: { recordedAt: string }[] = [];
      for await (const e of timeline(store, { unitId: seeded.unitId })) all.push(e);
      const submittedAt = all[1]!.recordedAt;
      const early = await stateAsOf(store, seeded.unitId, submittedAt);
      assert.equal(early.plans.p1?.status, 'submitted');
      assert.deepEqual(early.rectifications, {});
      const diff = await diffAsOf(store, seeded.unitId, submittedAt, all.at(-1)!.recordedAt);
      assert.equal(diff.eventsBetween, 5);
      const added = diff.changes.find((c) => c.path === 'rectifications[r1]');
      assert.equal(added?.kind, 'added');
      assert.deepEqual(
        added?.causedBy.map((e) => e.type),
        ['RectificationOrdered', 'RectificationAcknowledged'],
      );
      const unknown = diff.changes.find((c) => c.path === 'other[BrandNewEventType]');
      assert.equal(unknown?.kind, 'added');
      assert.deepEqual(
        unknown?.causedBy.map((e) => e.type),
        ['BrandNewEventType'],
      );
    });

    it('integrity: every stream of the unit verifies, then an edited event is named with stream and revision', async () => {
      const intact = await verifyUnit(store, seeded.unitId);
      assert.equal(intact.intact, true);
      assert.equal(intact.streamsChecked, 3);
      // The inspection stream is verified whole, the other unit's finding included.
      assert.equal(intact.eventsChecked, 8);

      const inspection = seeded.streams[1]!;
      await adapter.tamper(inspection, 1);
      const broken = await verifyUnit(store, seeded.unitId);
      assert.equal(broken.intact, false);
      assert.equal(broken.firstBroken?.streamId, inspection);
      assert.equal(broken.firstBroken?.revision, 1);
      assert.equal(broken.firstBroken?.eventId, seeded.ids['4']);
      assert.equal(broken.firstBroken?.reason, 'hash-mismatch');
      // The edited event is the other unit's, in a stream both share: the check of either unit names it.
      assert.equal((await verifyUnit(store, seeded.other)).firstBroken?.eventId, seeded.ids['4']);
      await store.close();
    });
  });
}
