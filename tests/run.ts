// `npm test`: finds or starts every real server the suites need (DESIGN §4: an
// environment variable, else Docker via testcontainers, else a local process),
// runs every *.spec.ts with node's test runner, then stops what it started. It also
// finds or builds docker compose v2 for the deployment specs (no engine needed).
// With WENMING_REQUIRE_REAL_SERVERS=1 (set by .ci/run) a server that cannot be
// had is a failure, not a skip.
//
//   npm test                      every suite
//   npm test -- libs/eventstore   only the specs under these paths
import { spawn } from 'node:child_process';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { DOCKER_COMPOSE_BIN_ENV, KAFKA_DIR_ENV, provideCompose, provideKafka, provideMongo, providePostgres } from '@wenming/testing';

const root = resolve(import.meta.dirname, '..');
const requireReal = process.env.WENMING_REQUIRE_REAL_SERVERS === '1';
// One directory per run: two runs at once (a developer's and an editor's) must not
// share, and so stop, each other's servers.
const workDir = join(root, '.wenming', 'test-servers', String(process.pid));

function specFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...specFiles(path));
    else if (name.endsWith('.spec.ts')) out.push(path);
  }
  return out;
}

const filters = process.argv.slice(2).map((p) => resolve(p));
const files = ['libs', 'services', 'tests']
  .flatMap((d) => specFiles(join(root, d)))
  .filter((f) => filters.length === 0 || filters.some((p) => f.startsWith(p)))
  .sort();
if (files.length === 0) {
  console.error(`no spec files match ${process.argv.slice(2).join(' ')}`);
  process.exit(1);
}

const stops: Array<() => Promise<void>> = [];
const env: NodeJS.ProcessEnv = { ...process.env };

console.log('Real servers for this run:');
/** A server (or tool) that could not be had: printed; with WENMING_REQUIRE_REAL_SERVERS=1 the run fails here. */
async function skipped(label: string, reason: string): Promise<void> {
  console.log(`  ${label.padEnd(14)} SKIPPED: ${reason}`);
  if (!requireReal) return;
  console.error('WENMING_REQUIRE_REAL_SERVERS=1: a skipped real server fails the run.');
  for (const stop of stops.reverse()) await stop().catch((err) => console.error('stopping a test server failed:', err));
  process.exit(1);
}
const pg = await providePostgres(workDir);
if ('skipped' in pg) {
  await skipped('PostgreSQL', pg.skipped);
} else {
  console.log(`  PostgreSQL     ${pg.source}: ${pg.url.replace(/\/\/[^@/]*@/, '//***@')}`);
  env.PG_URL = pg.url;
  stops.push(pg.stop);
}
const kafka = await provideKafka(workDir);
if ('skipped' in kafka) {
  await skipped('Kafka', kafka.skipped);
} else {
  console.log(`  Kafka          ${kafka.source}: ${kafka.brokers.join(',')}`);
  env.KAFKA_BROKERS = kafka.brokers.join(',');
  if (kafka.dir) env[KAFKA_DIR_ENV] = kafka.dir; // a local process: specs may start private brokers too
  stops.push(kafka.stop);
}
const mongo = await provideMongo(workDir);
if ('skipped' in mongo) {
  await skipped('MongoDB wire', mongo.skipped);
} else {
  console.log(`  MongoDB wire   ${mongo.source} (${mongo.server}): ${mongo.url.replace(/\/\/[^@/]*@/, '//***@')}`);
  env.MONGODB_URL = mongo.url;
  stops.push(mongo.stop);
}
// Not a server: the compose CLI that checks docker-compose.yml (`docker compose config`).
const compose = await provideCompose();
if ('skipped' in compose) {
  await skipped('docker compose', compose.skipped);
} else {
  console.log(`  docker compose ${compose.source} (v${compose.version}): ${compose.bin}`);
  env[DOCKER_COMPOSE_BIN_ENV] = compose.bin;
}
console.log(
  env.EVENTSTORE_CONNECTION_STRING
    ? '  EventStoreDB   EVENTSTORE_CONNECTION_STRING is set'
    : '  EventStoreDB   SKIPPED: EVENTSTORE_CONNECTION_STRING not set (no server can run on this machine)',
);
console.log(`Running ${files.length} spec files: ${files.map((f) => relative(root, f)).join(', ')}\n`);

const code = await new Promise<number>((done) => {
  const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-timeout=600000', ...files], {
    cwd: root,
    env,
    stdio: 'inherit',
  });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward).on('SIGTERM', forward);
  child.once('exit', (c, signal) => done(c ?? (signal ? 1 : 0)));
});

for (const stop of stops.reverse()) await stop().catch((err) => console.error('stopping a test server failed:', err));
rmSync(workDir, { recursive: true, force: true });
process.exit(code);
