// `wenming verify`: re-verifies the hash chain of every stream in the event store the
// configuration names (or only the streams given), the whole-store check the IT
// department or an auditor with access to the store runs; the look-back service
// checks one unit or one stream over its API and records the check. This reads the
// store directly and records nothing: it is the tool for when the services are down.
import { parseArgs } from 'node:util';
import { openEventStore, type VerifyResult } from '@wenming/eventstore';
import { loadConfig } from '@wenming/service-kit';
import { type CliIo, CommandFailed, UsageError } from './io.js';

export const VERIFY_USAGE = `Usage: wenming verify [--stream <stream id>]... [--data-dir DIR] [--json]

Recomputes the hash chain of every stream in the event store (or only the named
streams) and names each broken link: the stream, the revision, the event id and
why (hash-mismatch: the event was edited; prev-hash-mismatch or revision-gap: an
event was removed or inserted). Exit status 0 when every chain holds, 1 when one
does not. The store is the one the server uses: EVENTSTORE_URL, else events.db in
the data directory. --json prints one JSON object instead of the text report.

A chain cannot show events cut off the end of a stream; compare the heads with a
dossier's manifest (its lastHash per stream) for that.
`;

export async function verifyCommand(args: string[], io: CliIo): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      stream: { type: 'string', multiple: true },
      'data-dir': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return void io.stdout(VERIFY_USAGE);
  const env: NodeJS.ProcessEnv = { ...io.env };
  if (values['data-dir']) env.WENMING_DATA_DIR = values['data-dir'];
  for (const s of values.stream ?? []) if (s.trim() === '') throw new UsageError('--stream needs a stream id');
  const started = Date.now();
  const store = await openEventStore(loadConfig(env).eventStoreUrl);
  const results: VerifyResult[] = [];
  let head = 0;
  try {
    let streams = values.stream;
    if (streams === undefined) {
      // Every stream that holds an event, in the order it first appeared.
      const seen = new Set<string>();
      for await (const e of store.readAll({ fromPosition: 0 })) {
        seen.add(e.streamId);
        head = e.position;
      }
      streams = [...seen];
    }
    for (const streamId of streams) {
      if (values.stream !== undefined && (await store.streamRevision(streamId)) === undefined) {
        throw new UsageError(`stream ${JSON.stringify(streamId)} does not exist`);
      }
      results.push(await store.verify(streamId));
    }
  } finally {
    await store.close();
  }
  const broken = results.filter((r) => !r.ok);
  const events = results.reduce((n, r) => n + r.checked, 0);
  if (values.json) {
    io.stdout(
      `${JSON.stringify({ intact: broken.length === 0, streamsChecked: results.length, eventsChecked: events, ...(values.stream ? {} : { asOfPosition: head }), broken: broken.map((r) => ({ streamId: r.streamId, ...(!r.ok ? r.firstBroken : {}) })) })}\n`,
    );
  } else {
    for (const r of broken) {
      if (r.ok) continue;
      const b = r.firstBroken;
      io.stdout(
        `BROKEN  ${r.streamId}  revision ${b.revision}  event ${b.eventId}  ${b.reason}  (expected ${b.expected}, found ${b.actual})\n`,
      );
    }
    io.stdout(
      `${results.length} stream(s), ${events} event(s) checked${values.stream ? '' : ` up to position ${head}`} in ${Date.now() - started} ms: ${broken.length === 0 ? 'every chain holds' : `${broken.length} broken`}\n`,
    );
  }
  if (broken.length > 0) throw new CommandFailed(`${broken.length} of ${results.length} stream(s) have a broken hash chain`);
}
