// `wenming dossier`: exports a unit's dossier 创建活动档案 straight from the event store
// the configuration names (EVENTSTORE_URL / WENMING_DATA_DIR, like the server), or
// re-checks an exported one offline with --verify.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { openEventStore } from '@wenming/eventstore';
import { buildDossier, verifyDossier, writeDossier } from '@wenming/lookback';
import { loadConfig } from '@wenming/service-kit';
import { type CliIo, UsageError } from './io.js';

export const DOSSIER_USAGE = `Usage: wenming dossier --unit <unit id> [--as-of <ISO instant>] [--out <dir>]
       wenming dossier --verify <dir>

Writes events.json, report.html, manifest.json and VERIFY.txt for the unit: every
event recorded about it by --as-of (default: now), read from the event store.
--out defaults to ./dossier-<unit id>. --verify re-checks such a directory offline
(hashes, chains, digests) and exits 1 when anything does not hold.
`;

export async function dossierCommand(args: string[], io: CliIo): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      unit: { type: 'string', short: 'u' },
      'as-of': { type: 'string' },
      out: { type: 'string', short: 'o' },
      verify: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return void io.stdout(DOSSIER_USAGE);
  if (values.verify !== undefined) {
    const dir = resolve(values.verify);
    const read = (name: string) => readFile(join(dir, name), 'utf8');
    const result = verifyDossier({
      eventsJson: await read('events.json'),
      manifestJson: await read('manifest.json'),
      reportHtml: await read('report.html'),
    });
    io.stdout(`${JSON.stringify(result, null, 2)}\n`);
    if (!result.ok) throw new Error(`dossier in ${dir} does not verify (${result.problems.length} problem(s))`);
    return;
  }
  if (!values.unit) throw new UsageError('--unit <unit id> is required');
  const asOf = values['as-of'];
  if (asOf !== undefined && Number.isNaN(Date.parse(asOf)))
    throw new UsageError(`--as-of ${JSON.stringify(asOf)} is not an ISO-8601 instant`);
  const store = await openEventStore(loadConfig(io.env).eventStoreUrl);
  try {
    const dossier = await buildDossier(store, values.unit, asOf ?? new Date().toISOString());
    const files = await writeDossier(resolve(values.out ?? `dossier-${values.unit}`), dossier);
    io.stdout(
      `${dossier.manifest.eventCount} events in ${dossier.manifest.streams.length} streams; events.json sha256 ${dossier.manifest.eventsSha256}\n${files.join('\n')}\n`,
    );
  } finally {
    await store.close();
  }
}
