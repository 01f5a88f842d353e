// The dossier 创建活动档案 leaves the system: a second auditor re-checks it offline
// from its files alone. Exported from a real SQLite store; written to disk and read
// back, as the auditor would receive it.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SqliteEventStore } from '@wenming/eventstore';
import { seedHistory } from '../test-support/seed.js';
import { buildDossier, writeDossier } from './export.js';
import { verifyDossier } from './verify.js';

const dir = mkdtempSync(join(tmpdir(), 'wenming-dossier-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('unit dossier', () => {
  let day = 0;
  const store = new SqliteEventStore({ path: join(dir, 'events.db'), now: () => new Date(Date.UTC(2025, 2, 1 + day++, 9)) });
  let seeded: Awaited<ReturnType<typeof seedHistory>>;
  const out = join(dir, 'dossier');
  const read = (name: string) => readFileSync(join(out, name), 'utf8');
  const files = () => ({ eventsJson: read('events.json'), manifestJson: read('manifest.json'), reportHtml: read('report.html') });

  before(async () => {
    seeded = await seedHistory(store, 'd');
    await writeDossier(out, await buildDossier(store, seeded.unitId));
  });
  after(() => store.close());

  it('holds every event of the unit with its full envelope, and verifies offline', () => {
    const events = JSON.parse(read('events.json'));
    assert.equal(events.length, 7);
    assert.ok(events.every((e: { metadata: { hash?: string; prevHash?: string } }) => e.metadata.hash && e.metadata.prevHash));
    const result = verifyDossier(files());
    assert.deepEqual(result.problems, []);
    assert.equal(result.ok, true);
    assert.equal(result.streamsChecked, 3);
    const manifest = JSON.parse(read('manifest.json'));
    assert.equal(
      manifest.streams.find((s: { streamId: string }) => s.streamId === seeded.streams[1]).contiguousFromGenesis,
      false,
      'the other unit’s finding is not in this dossier',
    );
    assert.match(read('VERIFY.txt'), /RFC 8785/);
  });

  it('the report is self-contained and escapes recorded text', () => {
    const html = read('report.html');
    assert.ok(!html.includes('<script>'), 'recorded text is escaped');
    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt; 公示栏过期'));
    assert.ok(!/\b(src|href)=/.test(html), 'no external asset');
    assert.ok(html.includes('RectificationAcknowledged'), 'every rectification step is shown');
  });

  it('an edited events.json fails verification, naming the edited event', () => {
    const events = JSON.parse(read('events.json'));
    const target = events.find((e: { type: string }) => e.type === 'RectificationOrdered');
    target.data.deadlineDate = '2025-12-31';
    const edited = { ...files(), eventsJson: `${JSON.stringify(events, null, 2)}\n` };
    const result = verifyDossier(edited);
    assert.equal(result.ok, false);
    assert.deepEqual(result.firstBrokenEvent, {
      streamId: target.streamId,
      revision: target.revision,
      eventId: target.id,
      kind: 'hash-mismatch',
    });
    assert.ok(result.problems.some((p) => p.kind === 'events-digest'));
  });

  it('an event removed from the middle of a stream, with the manifest rewritten to match the file, still fails', () => {
    const events = JSON.parse(read('events.json'));
    const manifest = JSON.parse(read('manifest.json'));
    const removed = events.findIndex((e: { type: string }) => e.type === 'RectificationAcknowledged');
    events.splice(removed, 1);
    const eventsJson = `${JSON.stringify(events, null, 2)}\n`;
    manifest.eventsSha256 = createHash('sha256').update(eventsJson).digest('hex');
    manifest.eventCount = events.length;
    const result = verifyDossier({ eventsJson, manifestJson: JSON.stringify(manifest) });
    assert.equal(result.ok, false);
    assert.ok(
      result.problems.some((p) => p.kind === 'manifest-stream' && p.streamId === seeded.streams[2]),
      JSON.stringify(result.problems),
    );
  });

  it('as of an instant: only what had been recorded by then', async () => {
    const all = JSON.parse(read('events.json'));
    const asOf = all[2].recordedAt;
    const dossier = await buildDossier(store, seeded.unitId, asOf);
    // The inspection's events were appended in one batch: recorded at the same instant.
    assert.equal(dossier.manifest.eventCount, 4);
    assert.equal(verifyDossier({ eventsJson: dossier.files['events.json'], manifestJson: dossier.files['manifest.json'] }).ok, true);
  });
});
