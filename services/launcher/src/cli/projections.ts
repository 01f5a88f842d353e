// `wenming projections`: list the read models' projections with their checkpoints,
// or rebuild them from zero out of the event store, with the stores the environment
// configures (MONGODB_URL or the data directory's SQLite file; EVENTSTORE_URL or the
// data directory's events). A rebuild starts the services that own the projections
// in this process (HTTP and gRPC on loopback, ports 0, relay off), asks each module
// to rebuild, prints what every projection holds afterwards, and stops.
import { parseArgs } from 'node:util';
import { openEventStore } from '@wenming/eventstore';
import { CATALOG_FEED, catalogFeedGroup, PROJECTIONS as INSPECTION_PROJECTIONS } from '@wenming/inspection';
import type { MessageBus } from '@wenming/messaging';
import { PROJECTIONS as PLAN_SUBMISSION_PROJECTIONS } from '@wenming/plan-submission';
import type { ReadStore } from '@wenming/readstore';
import { loadConfig, type ServiceName, type WenmingConfig } from '@wenming/service-kit';
import { openBus } from '../messaging.js';
import { describeReadStore, openReadStore, startPlatform } from '../platform.js';
import { type CliIo, UsageError } from './io.js';

export const PROJECTIONS_USAGE = `Usage: wenming projections list [--data-dir DIR]
       wenming projections rebuild <name|all> [--data-dir DIR]

list     prints each projection (read model) with the service that owns it, its
         checkpoint (the last event position it has applied) and its documents.
         A read model fed from another service's topic (inspection.catalogs)
         shows its consumer group and how many messages it has not handled.
rebuild  drops a projection's collections and checkpoint and replays the whole
         event store into them; "all" rebuilds every projection. A read model fed
         from a topic replays the whole topic under a fresh consumer group. It
         prints each projection's documents and time.

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

/** A read model as the CLI sees it: kept from the event store, or fed from a topic. */
interface ReadModel {
  readonly name: string;
  readonly collections: readonly string[];
  /** For a read model fed from the bus: its topics and the group it reads with now. */
  readonly feed?: { topics: readonly string[]; group(readStore: ReadStore): Promise<string | undefined> };
}

/** The read models each service keeps, in the order it declares them. */
const READ_MODELS_BY_SERVICE: Partial<Record<ServiceName, readonly ReadModel[]>> = {
  'plan-submission': PLAN_SUBMISSION_PROJECTIONS,
  inspection: [...INSPECTION_PROJECTIONS, { ...CATALOG_FEED, feed: { topics: CATALOG_FEED.topics, group: catalogFeedGroup } }],
};

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
    options: { 'data-dir': { type: 'string' }, help: { type: 'boolean' } },
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
  if (action === 'list') {
    if (rest.length > 0) throw new UsageError('list takes no arguments');
    await list(loadConfig(env), io);
    return;
  }
  if (action === 'rebuild') {
    if (rest.length !== 1) throw new UsageError('rebuild takes one projection name, or all');
    await rebuild(env, rest[0]!, io);
    return;
  }
  throw new UsageError(
    action === undefined ? 'name an action: list or rebuild' : `unknown action ${JSON.stringify(action)}; use list or rebuild`,
  );
}

async function list(config: WenmingConfig, io: CliIo): Promise<void> {
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
    const rows: string[][] = [['SERVICE', 'PROJECTION', 'CHECKPOINT', 'BEHIND', 'DOCUMENTS']];
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
      rows.push([service, projection.name, checkpointCell, behind, String(await documents(readStore, projection))]);
    }
    io.stdout(table(rows));
  } finally {
    await bus?.close();
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
