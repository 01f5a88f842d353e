// `wenming projections`: list the read models' projections with their checkpoints and
// failed events, retry the failed events, or rebuild them from zero out of the event
// store, with the stores the environment configures (MONGODB_URL or the data
// directory's SQLite file; EVENTSTORE_URL or the data directory's events). A rebuild
// starts the services that own the projections in this process (HTTP and gRPC on
// loopback, ports 0, relay off), asks each module to rebuild, prints what every
// projection holds afterwards, and stops. A retry needs no services: it opens the two
// stores and applies the recorded failed events again (retryFailedEvents).
import { parseArgs } from 'node:util';
import { openEventStore } from '@wenming/eventstore';
import { CATALOG_FEED, catalogFeedGroup, PROJECTIONS as INSPECTION_PROJECTIONS } from '@wenming/inspection';
import type { MessageBus } from '@wenming/messaging';
import { PROJECTIONS as PLAN_SUBMISSION_PROJECTIONS } from '@wenming/plan-submission';
import { type FailedEvent, type Projection, type ReadStore, type RetryReport, retryFailedEvents } from '@wenming/readstore';
import { loadConfig, type ServiceName, type WenmingConfig } from '@wenming/service-kit';
import { openBus } from '../messaging.js';
import { describeReadStore, openReadStore, startPlatform } from '../platform.js';
import { type CliIo, UsageError } from './io.js';

export const PROJECTIONS_USAGE = `Usage: wenming projections list [--failed] [--data-dir DIR]
       wenming projections retry [name|all] [--data-dir DIR]
       wenming projections rebuild <name|all> [--data-dir DIR]

list     prints each projection (read model) with the service that owns it, its
         checkpoint (the last event position it has applied), its documents and
         its failed events: events it could not apply, recorded and passed so the
         platform kept serving. --failed also lists those events (the first 100 of
         each projection): position, event id, type, stream, attempts, first
         failure and the error. A read model fed from another service's topic
         (inspection.catalogs) shows its consumer group and how many messages it
         has not handled.
retry    applies each recorded failed event again, oldest first, after a fix to
         the projection's code, and clears those that now apply; it prints how
         many still fail. One whose documents have since applied later events
         stays recorded ("moved on"): only a rebuild applies it in order. Default:
         all. It opens the stores directly, so it runs beside a running process on
         the embedded SQLite store; on MongoDB stop the owning services first, as
         for a rebuild (two writers on one document can lose a write there).
rebuild  drops a projection's collections, checkpoint and failed events and replays
         the whole event store into them (recording afresh what still fails); "all"
         rebuilds every projection. A read model fed from a topic replays the whole
         topic under a fresh consumer group. It prints each projection's documents
         and time.

The stores are the ones the environment names, as for the server: EVENTSTORE_URL
(default: events.db in the data directory), MONGODB_URL / MONGODB_DATABASE
(default: readmodels.db in the data directory), KAFKA_BROKERS (default: the
in-process bus in the data directory), WENMING_SERVICES (default all).

Stop the services whose projections you rebuild first (docker compose stop
<service>, or scale the Deployment to 0): a running process goes on writing into
the collections while they are dropped and replayed, and its documents would then
hide older events from the replay. Start them again afterwards; they resume from
the rebuilt checkpoints.
`;

/** A read model as the CLI sees it: kept from the event store by a projection, or fed from a topic. */
interface ReadModel {
  readonly name: string;
  readonly collections: readonly string[];
  /** For a read model kept from the event store: its projection (retry applies events through it). */
  readonly projection?: Projection;
  /** For a read model fed from the bus: its topics and the group it reads with now. */
  readonly feed?: { topics: readonly string[]; group(readStore: ReadStore): Promise<string | undefined> };
}

const fromEvents = (projections: readonly Projection[]): ReadModel[] =>
  projections.map((projection) => ({ name: projection.name, collections: projection.collections, projection }));

/** The read models each service keeps, in the order it declares them. */
const READ_MODELS_BY_SERVICE: Partial<Record<ServiceName, readonly ReadModel[]>> = {
  'plan-submission': fromEvents(PLAN_SUBMISSION_PROJECTIONS),
  inspection: [...fromEvents(INSPECTION_PROJECTIONS), { ...CATALOG_FEED, feed: { topics: CATALOG_FEED.topics, group: catalogFeedGroup } }],
};

/** Failed events listed per projection by `list --failed`. */
const LISTED_FAILURES = 100;

interface Owned {
  service: ServiceName;
  projection: ReadModel;
}

function ownedProjections(config: WenmingConfig): Owned[] {
  return config.services.flatMap((service) => (READ_MODELS_BY_SERVICE[service] ?? []).map((projection) => ({ service, projection })));
}

async function documents(readStore: ReadStore, projection: ReadModel): Promise<number> {
  let n = 0;
  for (const c of projection.collections) n += await readStore.collection(c).count();
  return n;
}

export async function projectionsCommand(args: string[], io: CliIo): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    options: { 'data-dir': { type: 'string' }, failed: { type: 'boolean' }, help: { type: 'boolean' } },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.stdout(PROJECTIONS_USAGE);
    return;
  }
  const [action, ...rest] = positionals;
  const env: NodeJS.ProcessEnv = { ...io.env };
  if (values['data-dir']) env.WENMING_DATA_DIR = values['data-dir'];
  if (values.failed && action !== 'list') throw new UsageError('--failed goes with list');
  if (action === 'list') {
    if (rest.length > 0) throw new UsageError('list takes no arguments');
    await list(loadConfig(env), io, values.failed ?? false);
    return;
  }
  if (action === 'retry') {
    if (rest.length > 1) throw new UsageError('retry takes one projection name, or all (the default)');
    await retry(loadConfig(env), rest[0] ?? 'all', io);
    return;
  }
  if (action === 'rebuild') {
    if (rest.length !== 1) throw new UsageError('rebuild takes one projection name, or all');
    await rebuild(env, rest[0]!, io);
    return;
  }
  throw new UsageError(
    action === undefined
      ? 'name an action: list, retry or rebuild'
      : `unknown action ${JSON.stringify(action)}; use list, retry or rebuild`,
  );
}

async function list(config: WenmingConfig, io: CliIo, showFailed: boolean): Promise<void> {
  const owned = ownedProjections(config);
  const readStore = await openReadStore(config);
  const bus: MessageBus | undefined = owned.some((o) => o.projection.feed) ? openBus(config.messaging) : undefined;
  try {
    const checkpoints = new Map<string, number | undefined>();
    for (const { projection } of owned) {
      if (!projection.feed) checkpoints.set(projection.name, await readStore.checkpoints.load(projection.name));
    }
    const eventStore = await openEventStore(config.eventStoreUrl);
    let head: number;
    try {
      head = await eventStore.headPosition();
    } finally {
      await eventStore.close();
    }
    io.stdout(`read models: ${describeReadStore(config)}; event store head: position ${head}\n`);
    const rows: string[][] = [['SERVICE', 'PROJECTION', 'CHECKPOINT', 'BEHIND', 'DOCUMENTS', 'FAILED']];
    const failures: FailedEvent[] = [];
    for (const { service, projection } of owned) {
      let checkpointCell: string;
      let behind: string;
      if (projection.feed && bus) {
        // Fed from a topic: the checkpoint is its consumer group's committed offsets.
        const group = await projection.feed.group(readStore);
        checkpointCell = group === undefined ? 'none' : `group ${group}`;
        behind = `${await bus.lag(group ?? `${projection.name}.never-started`, [...projection.feed.topics])} msg`;
      } else {
        const checkpoint = checkpoints.get(projection.name);
        checkpointCell = checkpoint === undefined ? 'none' : String(checkpoint);
        behind = String(Math.max(0, head - (checkpoint ?? 0)));
      }
      // A read model fed from a topic keeps no failed events of its own ('-').
      const failed = projection.feed ? '-' : String(await readStore.failedEvents.count(projection.name));
      rows.push([service, projection.name, checkpointCell, behind, String(await documents(readStore, projection)), failed]);
      if (showFailed && !projection.feed && failed !== '0') {
        failures.push(...(await readStore.failedEvents.list(projection.name, { limit: LISTED_FAILURES })));
      }
    }
    io.stdout(table(rows));
    if (showFailed) io.stdout(failures.length === 0 ? 'no failed events\n' : `\nfailed events:\n${failureTable(failures)}`);
  } finally {
    await bus?.close();
    await readStore.close();
  }
}

function failureTable(failures: FailedEvent[]): string {
  const rows = [['PROJECTION', 'POSITION', 'EVENT ID', 'TYPE', 'STREAM', 'ATTEMPTS', 'FIRST FAILED', 'ERROR']];
  for (const f of failures) {
    // One line each: an error message may hold newlines or be long (the store keeps 1,000 characters).
    const error = f.error.replace(/\s+/g, ' ');
    rows.push([
      f.projection,
      String(f.position),
      f.eventId,
      f.type,
      f.streamId,
      String(f.attempts),
      f.firstFailedAt,
      error.length > 200 ? `${error.slice(0, 199)}…` : error,
    ]);
  }
  return table(rows);
}

/** Applies the recorded failed events again (retryFailedEvents), projection by projection, and reports what still fails. */
async function retry(config: WenmingConfig, name: string, io: CliIo): Promise<void> {
  const all = ownedProjections(config);
  const targets = name === 'all' ? all.filter((o) => o.projection.projection) : all.filter((o) => o.projection.name === name);
  if (targets.length === 0) {
    throw new UsageError(
      `no projection is named ${JSON.stringify(name)}; use all or one of ${all.map((o) => o.projection.name).join(', ')}`,
    );
  }
  const readStore = await openReadStore(config);
  try {
    const eventStore = await openEventStore(config.eventStoreUrl);
    try {
      const reports: Array<{ service: ServiceName; report: RetryReport }> = [];
      for (const { service, projection } of targets) {
        if (!projection.projection)
          throw new UsageError(`${projection.name} is fed from a topic and keeps no failed events; rebuild it instead`);
        reports.push({ service, report: await retryFailedEvents({ eventStore, readStore, projection: projection.projection }) });
      }
      const tried = reports.filter((r) => r.report.retried > 0);
      const total = (key: 'retried' | 'applied' | 'stillFailing' | 'movedOn') => reports.reduce((n, r) => n + r.report[key], 0);
      if (tried.length === 0) {
        io.stdout(`no failed events to retry in ${describeReadStore(config)}\n`);
        return;
      }
      const rows = [['SERVICE', 'PROJECTION', 'RETRIED', 'APPLIED', 'STILL FAILING', 'MOVED ON']];
      for (const { service, report } of tried) {
        rows.push([
          service,
          report.projection,
          String(report.retried),
          String(report.applied),
          String(report.stillFailing),
          String(report.movedOn),
        ]);
      }
      io.stdout(table(rows));
      io.stdout(`retried ${total('retried')} failed event(s): ${total('applied')} applied, ${total('stillFailing')} event(s) still fail`);
      const movedOn = total('movedOn');
      io.stdout(movedOn > 0 ? ` (${movedOn} on documents that moved on: rebuild their projections to apply them in order)\n` : '\n');
    } finally {
      await eventStore.close();
    }
  } finally {
    await readStore.close();
  }
}

async function rebuild(env: NodeJS.ProcessEnv, name: string, io: CliIo): Promise<void> {
  const all = ownedProjections(loadConfig(env));
  const targets = name === 'all' ? all : all.filter((o) => o.projection.name === name);
  if (targets.length === 0) {
    throw new UsageError(
      `no projection is named ${JSON.stringify(name)}; use all or one of ${all.map((o) => o.projection.name).join(', ')}`,
    );
  }
  const services = [...new Set(targets.map((o) => o.service))];
  const config = loadConfig({
    ...env,
    // Only the owners; nobody outside this process needs to reach it; and a second
    // relay would publish everything again (harmless, consumers dedupe, but wasted).
    WENMING_SERVICES: services.join(','),
    BIND_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    GRPC_PORT: '0',
    WENMING_RELAY: 'off',
    LOG_LEVEL: env.LOG_LEVEL ?? 'warn',
  });
  io.stdout(`rebuilding ${targets.length} projection(s) into ${describeReadStore(config)}\n`);
  const platform = await startPlatform(config);
  try {
    const rows: string[][] = [['SERVICE', 'PROJECTION', 'DOCUMENTS', 'CHECKPOINT', 'MS']];
    const started = Date.now();
    for (const { service, projection } of targets) {
      const module = platform.modules.find((m) => m.name === service) as unknown as { rebuild?(name: string): Promise<void> } | undefined;
      if (!module?.rebuild) throw new Error(`service ${service} cannot rebuild its projections`);
      const t0 = Date.now();
      await module.rebuild(projection.name);
      const ms = Date.now() - t0;
      const checkpoint = projection.feed
        ? `group ${await projection.feed.group(platform.readStore)}`
        : String((await platform.readStore.checkpoints.load(projection.name)) ?? 'none');
      rows.push([service, projection.name, String(await documents(platform.readStore, projection)), checkpoint, String(ms)]);
    }
    io.stdout(table(rows));
    io.stdout(`rebuilt ${targets.length} projection(s) in ${Date.now() - started} ms\n`);
  } finally {
    await platform.stop();
  }
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return `${rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}
