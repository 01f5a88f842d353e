// docker-compose.yml, checked by the real Docker Compose v2 (`docker compose config`,
// which needs no container engine; `npm test` finds or builds one and names it in
// DOCKER_COMPOSE_BIN): the file parses and interpolates for the city deployment and
// for the embedded, postgres and eventstoredb profiles, refuses to run without
// WENMING_JWT_SECRET or WENMING_POSTGRES_PASSWORD, and every Wenming container's
// environment (the image's ENV under the file's) is accepted by the real config
// loader for exactly its service, sets only variables something reads, and starts
// after the servers it names. The city runs on PostgreSQL, the event store tested
// here; EventStoreDB only under its opt-in profile (issue 13 item 16).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, test } from 'node:test';
import { ConfigError, SERVICE_NAMES, type WenmingConfig } from '@wenming/service-kit';
import { builtServices, imageEnv, loadRecording, ROOT, unreadVariables } from './container-env.js';

const COMPOSE_FILE = join(ROOT, 'docker-compose.yml');
/** The servers a Wenming container may need before it can start: each must be healthy first. */
const DATA_SERVERS = ['kafka', 'eventstoredb', 'mongodb', 'postgres'];
/** Wenming containers the city deployment (no profile) runs: one per built service. */
const CITY = builtServices();

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  profiles?: string[];
  command?: string[];
  environment?: Record<string, string | null>;
  healthcheck?: { test?: string[]; disable?: boolean; interval?: string; timeout?: string; retries?: number };
  depends_on?: Record<string, { condition: string; required?: boolean }>;
  ports?: Array<{ target: number; published?: string; protocol?: string }>;
  volumes?: Array<{ type: string; source?: string; target: string }>;
}
interface Project {
  services: Record<string, Service>;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const bin = process.env.DOCKER_COMPOSE_BIN;
const missing = 'DOCKER_COMPOSE_BIN not set: no docker compose v2 to check docker-compose.yml with (npm test finds or builds one)';
const secret = randomBytes(36).toString('base64'); // 48 characters, as the README generates it
const pgPassword = randomBytes(24).toString('hex'); // URL-safe, as the README generates it
/** What the shell must give compose for any profile: the file is read whole. */
const required = { WENMING_JWT_SECRET: secret, WENMING_POSTGRES_PASSWORD: pgPassword };
/** The city's event store: the `postgres` container, with the password from the shell. */
const CITY_STORE = `postgresql://wenming:${pgPassword}@postgres:5432/wenming`;
const ESDB_STORE = 'esdb://eventstoredb:2113?tls=false';

let scratch = '';
let emptyEnvFile = '';
before(() => {
  scratch = mkdtempSync(join(tmpdir(), 'wenming-compose-'));
  emptyEnvFile = join(scratch, 'empty.env');
  writeFileSync(emptyEnvFile, '');
});
after(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/**
 * Runs compose on the repository's file with nothing from this process's
 * environment but PATH and HOME (no COMPOSE_PROFILES or a developer's
 * WENMING_JWT_SECRET leaking in) and an empty env file instead of a local `.env`.
 */
function compose(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const base = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: scratch, DOCKER_CONFIG: join(scratch, 'docker') };
  return new Promise((resolve, reject) => {
    execFile(
      bin!,
      ['--file', COMPOSE_FILE, '--project-directory', ROOT, '--env-file', emptyEnvFile, ...args],
      { env: { ...base, ...env }, timeout: 60_000, maxBuffer: 32 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') reject(err);
        else resolve({ code: err ? (err.code as number) : 0, stdout, stderr });
      },
    );
  });
}

async function project(profiles: string[], env: Record<string, string> = {}): Promise<Project> {
  const run = await compose([...profiles.flatMap((p) => ['--profile', p]), 'config', '--format', 'json'], { ...required, ...env });
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as Project;
}

/** The Wenming containers of a project: those built from this repository's Dockerfile. */
function wenmingServices(p: Project): Array<[string, Service]> {
  return Object.entries(p.services).filter(([, s]) => s.build !== undefined || s.image?.startsWith('wenming'));
}

/** What a container starts with: the image's ENV, then the compose file's environment over it. */
function containerEnv(service: Service): Record<string, string> {
  const env: Record<string, string> = { ...imageEnv() };
  for (const [name, value] of Object.entries(service.environment ?? {})) {
    // A bare `- NAME` takes the value from compose's environment; here every one has a value.
    assert.ok(value !== null, `${name} has no value`);
    env[name] = value;
  }
  return env;
}

/** The compose services a container's configuration points at (host names of its URLs). */
function serversNamed(config: WenmingConfig, env: Record<string, string>): string[] {
  const hosts = new Set<string>();
  const host = (url: string) => /^[a-z+]+:\/\/(?:[^@/]*@)?([^/:?,]+)/.exec(url)?.[1];
  if (!config.eventStoreUrl.startsWith('sqlite:')) hosts.add(host(config.eventStoreUrl) ?? config.eventStoreUrl);
  if (config.messaging.kind === 'kafka') for (const b of config.messaging.brokers) hosts.add(b.split(':')[0]!);
  if (config.readStore.kind === 'mongodb') {
    for (const h of (/^mongodb(?:\+srv)?:\/\/(?:[^@/]*@)?([^/?]+)/.exec(config.readStore.url)?.[1] ?? '').split(','))
      hosts.add(h.split(':')[0]!);
  }
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT) hosts.add(new URL(env.OTEL_EXPORTER_OTLP_ENDPOINT).hostname);
  if (config.inspectionGrpc) hosts.add(config.inspectionGrpc.replace(/:\d+$/, ''));
  return [...hosts].sort();
}

if (bin === undefined && process.env.WENMING_REQUIRE_REAL_SERVERS === '1') {
  test('docker-compose.yml needs docker compose to be checked', () => {
    throw new Error(`${missing}, and WENMING_REQUIRE_REAL_SERVERS=1 forbids skipping`);
  });
} else {
  if (bin === undefined) console.log(`docker-compose.yml checks SKIPPED: ${missing}`);
  describe('docker-compose.yml, by docker compose config', { skip: bin === undefined ? missing : false }, () => {
    let city: Project;
    let all: Project;
    /** The city deployment on EventStoreDB: its profile, and the services pointed at it. */
    let esdb: Project;
    before(async () => {
      city = await project([]);
      all = await project(['embedded', 'postgres', 'eventstoredb']);
      esdb = await project(['eventstoredb'], { WENMING_EVENTSTORE_URL: ESDB_STORE });
    });

    it('is valid for the city deployment and for the embedded, postgres and eventstoredb profiles, without warnings', async () => {
      for (const profiles of [
        [],
        ['--profile', 'embedded', '--profile', 'postgres', '--profile', 'eventstoredb'],
        ['--profile', 'eventstoredb'],
      ]) {
        const run = await compose([...profiles, 'config', '-q'], required);
        assert.equal(run.code, 0, `config -q ${profiles.join(' ')}: ${run.stderr}`);
        assert.equal(run.stderr.trim(), '', `config -q ${profiles.join(' ')} warns`);
      }
      assert.deepEqual(Object.keys(city.services).sort(), [...CITY, 'jaeger', 'kafka', 'mongodb', 'otel-collector', 'postgres'].sort());
      assert.deepEqual(
        Object.keys(all.services)
          .filter((name) => !(name in city.services))
          .sort(),
        ['eventstoredb', 'wenming', 'wenming-pg'],
      );
    });

    it('refuses to run without WENMING_JWT_SECRET or WENMING_POSTGRES_PASSWORD, naming it', async () => {
      for (const variable of ['WENMING_JWT_SECRET', 'WENMING_POSTGRES_PASSWORD'] as const) {
        const { [variable]: _, ...others } = required;
        for (const env of [others, { ...others, [variable]: '' }]) {
          for (const profiles of [[], ['--profile', 'embedded'], ['--profile', 'eventstoredb']]) {
            const run = await compose([...profiles, 'config', '-q'], env);
            assert.notEqual(run.code, 0, `config -q ${profiles.join(' ')} with ${JSON.stringify(env)} passed`);
            assert.match(run.stderr, new RegExp(`required variable ${variable} is missing a value`));
          }
        }
      }
    });

    it('runs the city deployment on PostgreSQL, the event store tested here (issue 13 item 16)', () => {
      for (const name of CITY) {
        const service = city.services[name]!;
        const { config } = loadRecording(containerEnv(service));
        assert.equal(config.eventStoreUrl, CITY_STORE, `${name}: EVENTSTORE_URL`);
        assert.equal(service.depends_on?.postgres?.condition, 'service_healthy', `${name} waits for postgres`);
        assert.notEqual(service.depends_on?.postgres?.required, false, `${name}: postgres is required`);
      }
      const postgres = city.services.postgres!;
      assert.equal(postgres.profiles, undefined, 'postgres runs in the city deployment, under no profile');
      assert.ok(postgres.healthcheck?.test?.length && !postgres.healthcheck.disable, 'postgres has a health check');
      assert.equal(postgres.environment?.POSTGRES_PASSWORD, pgPassword, 'the password comes from the shell');
      assert.deepEqual(
        postgres.volumes?.map((v) => [v.type, v.target]),
        [['volume', '/var/lib/postgresql/data']],
        'the events live on a named volume',
      );
      // The event store refuses synchronous_commit=off; the server is started with it on, explicitly.
      assert.ok(postgres.command?.join(' ').includes('synchronous_commit=on'), 'postgres runs with synchronous_commit=on');
      assert.ok(!('eventstoredb' in city.services), 'EventStoreDB is not part of the default city deployment');
    });

    it('keeps EventStoreDB behind its opt-in profile, the services following WENMING_EVENTSTORE_URL to it', () => {
      for (const p of [all, esdb]) assert.deepEqual(p.services.eventstoredb?.profiles, ['eventstoredb']);
      for (const [name, service] of Object.entries(all.services)) {
        if (name === 'eventstoredb') continue;
        assert.ok(!JSON.stringify(service.environment ?? {}).includes('esdb://'), `${name} names EventStoreDB outside its profile`);
      }
      for (const name of CITY) {
        const service = esdb.services[name]!;
        assert.equal(loadRecording(containerEnv(service)).config.eventStoreUrl, ESDB_STORE, `${name} on EventStoreDB`);
        assert.equal(service.depends_on?.eventstoredb?.condition, 'service_healthy', `${name} waits for eventstoredb`);
        // Only a dependency when its profile is on: the default city has no eventstoredb.
        assert.equal(service.depends_on?.eventstoredb?.required, false, `${name}: eventstoredb is optional`);
      }
    });

    it('builds every Wenming container from the one Dockerfile, as one image', () => {
      const wenming = wenmingServices(all);
      assert.deepEqual(wenming.map(([name]) => name).sort(), [...CITY, 'wenming', 'wenming-pg'].sort());
      for (const [name, service] of wenming) {
        assert.deepEqual(service.build, { context: ROOT.replace(/\/$/, ''), dockerfile: 'Dockerfile' }, name);
        assert.equal(service.image, 'wenming:local', name);
      }
    });

    it('runs each built service in its own container, accepted by the config loader for exactly that service', () => {
      const relays: string[] = [];
      for (const name of CITY) {
        const service = city.services[name];
        assert.ok(service, `no container for the ${name} service`);
        const { config, read } = loadRecording(containerEnv(service));
        assert.deepEqual(config.services, [name], `${name}: WENMING_SERVICES`);
        assert.equal(config.profile, 'production', name);
        assert.equal(config.messaging.kind, 'kafka', name);
        assert.equal(config.readStore.kind, 'mongodb', `${name}: read models shared by its replicas`);
        assert.deepEqual(
          config.auth,
          { mode: 'hs256', secret, secretFile: '/data/jwt-secret', maxTtlSec: 12 * 3600 },
          `${name}: the secret from the shell`,
        );
        assert.deepEqual(config.warnings, [], name);
        assert.deepEqual(unreadVariables(Object.keys(service.environment ?? {}), read), [], `${name} sets variables nothing reads`);
        if (config.messaging.relay) relays.push(name);
      }
      assert.deepEqual(relays, ['plan-submission'], 'the relay runs in exactly one container');
    });

    it("points look-back at inspection's container, on the gRPC port inspection listens on (issue 13)", () => {
      const { config } = loadRecording(containerEnv(city.services.lookback!));
      const inspection = loadRecording(containerEnv(city.services.inspection!)).config;
      assert.equal(config.inspectionGrpc, `inspection:${inspection.grpcPort}`, 'WENMING_INSPECTION_GRPC of lookback');
      // Without it the loader refuses to start look-back alone: it would call its own port.
      const { WENMING_INSPECTION_GRPC: _, ...without } = containerEnv(city.services.lookback!);
      assert.throws(
        () => loadRecording(without),
        (err) => err instanceof ConfigError && err.variable === 'WENMING_INSPECTION_GRPC',
      );
    });

    it('gives the embedded and PostgreSQL containers an environment the loader accepts, one relay per event store', () => {
      const relayByStore = new Map<string, string[]>();
      for (const [name, service] of wenmingServices(all)) {
        const { config, read } = loadRecording(containerEnv(service));
        if (!CITY.includes(name)) assert.deepEqual(config.services, [...SERVICE_NAMES], `${name} runs every service`);
        assert.deepEqual(unreadVariables(Object.keys(service.environment ?? {}), read), [], `${name} sets variables nothing reads`);
        if (config.messaging.relay) relayByStore.set(config.eventStoreUrl, [...(relayByStore.get(config.eventStoreUrl) ?? []), name]);
      }
      assert.deepEqual(Object.fromEntries(relayByStore), {
        [CITY_STORE]: ['plan-submission'],
        // The one-process variant keeps its events apart from the city's, in a schema of its own.
        [`postgresql://wenming:${pgPassword}@postgres:5432/wenming?schema=wenming_single`]: ['wenming-pg'],
        'sqlite:/data/events.db': ['wenming'],
      });
    });

    it('health-checks every Wenming container on its HTTP port', () => {
      const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
      for (const [name, service] of wenmingServices(all)) {
        const { config } = loadRecording(containerEnv(service));
        if (CITY.includes(name)) {
          // The city's start order waits on these: they must be declared, not only inherited.
          const check = service.healthcheck;
          assert.ok(check?.test && !check.disable, `${name} has no health check`);
          assert.match(check.test.join(' '), new RegExp(`http://127\\.0\\.0\\.1:${config.httpPort}/healthz\\b`), name);
        } else {
          assert.ok(!service.healthcheck?.disable, `${name} disables the image's health check`);
        }
      }
      // The image's own check, which the profile containers inherit, follows HTTP_PORT.
      assert.match(dockerfile, /^HEALTHCHECK .*127\.0\.0\.1:'\+\(process\.env\.HTTP_PORT\|\|8080\)\+'\/healthz/m);
    });

    it('starts every Wenming container after the servers its environment names, healthy', () => {
      for (const p of [all, esdb]) {
        for (const [name, service] of wenmingServices(p)) {
          const env = containerEnv(service);
          const named = serversNamed(loadRecording(env).config, env);
          const deps = service.depends_on ?? {};
          for (const server of named) {
            assert.ok(server in p.services, `${name} points at ${server}, which is not a service of the file`);
            assert.ok(deps[server], `${name} does not wait for ${server}`);
            if (DATA_SERVERS.includes(server)) assert.equal(deps[server].condition, 'service_healthy', `${name} on ${server}`);
          }
        }
      }
      // What the file declares for the city, as the README describes it (eventstoredb
      // only counts under its profile: required: false, checked above).
      const infra = {
        kafka: 'service_healthy',
        postgres: 'service_healthy',
        eventstoredb: 'service_healthy',
        mongodb: 'service_healthy',
        'otel-collector': 'service_started',
      };
      for (const name of CITY) {
        const conditions = Object.fromEntries(Object.entries(city.services[name]!.depends_on ?? {}).map(([dep, d]) => [dep, d.condition]));
        // The consumers of plan-submission's topic wait for it (it runs the relay and creates the topic);
        // look-back starts after inspection, which it calls for regressions.
        const expected =
          name === 'plan-submission'
            ? infra
            : name === 'lookback'
              ? { ...infra, 'plan-submission': 'service_healthy', inspection: 'service_started' }
              : { ...infra, 'plan-submission': 'service_healthy' };
        assert.deepEqual(conditions, expected, name);
      }
    });

    it('waits only on health checks that exist: every service_healthy dependency declares one', () => {
      for (const p of [city, all, esdb]) {
        for (const [name, service] of Object.entries(p.services)) {
          for (const [dep, { condition, required }] of Object.entries(service.depends_on ?? {})) {
            if (condition !== 'service_healthy') continue;
            // An optional dependency on a service whose profile is off: nothing to wait for.
            if (required === false && !(dep in p.services)) continue;
            const check = p.services[dep]?.healthcheck;
            assert.ok(check?.test?.length && !check.disable, `${name} waits for ${dep} to be healthy, but ${dep} has no health check`);
          }
        }
      }
    });

    it('health-checks the infrastructure servers that have a way to', () => {
      for (const name of DATA_SERVERS) {
        const check = all.services[name]?.healthcheck;
        assert.ok(check?.test?.length && !check.disable, `${name} has no health check`);
        assert.ok(check.interval && check.timeout && check.retries, `${name}: interval, timeout and retries`);
      }
      // The collector and Jaeger images have no shell or HTTP client for a check:
      // they are depended on only as started (the previous test holds that).
      for (const name of ['otel-collector', 'jaeger']) assert.ok(all.services[name], name);
    });

    it("lets the image's unprivileged user write the data directory the embedded containers keep their files in", () => {
      const lastStage =
        readFileSync(join(ROOT, 'Dockerfile'), 'utf8')
          .split(/^FROM /m)
          .at(-1) ?? '';
      const user = /^USER\s+(\S+)/m.exec(lastStage)?.[1];
      const dataDir = imageEnv().WENMING_DATA_DIR;
      assert.ok(user && user !== 'root' && dataDir, 'the image runs as an unprivileged user with WENMING_DATA_DIR set');
      // A volume new to the engine takes the image directory's owner; a directory the
      // image lacks is created root's, and the user could not write it.
      const created = lastStage.search(new RegExp(`^RUN .*\\bmkdir .*${dataDir}.*\\bchown ${user}(:\\S+)? .*${dataDir}\\b`, 'm'));
      const volume = lastStage.search(new RegExp(`^VOLUME .*${dataDir}\\b`, 'm'));
      assert.ok(created >= 0 && (volume < 0 || created < volume), `the Dockerfile does not create ${dataDir} for ${user}`);
      for (const [name, service] of wenmingServices(all)) {
        const { config } = loadRecording(containerEnv(service));
        assert.equal(config.dataDir, dataDir, name);
      }
      assert.deepEqual(
        all.services.wenming?.volumes?.map((v) => [v.type, v.target]),
        [['volume', dataDir]],
        'the embedded platform keeps its data on a named volume',
      );
    });

    it('publishes each container port it maps to a host port no other container takes', () => {
      const taken = new Map<string, string>();
      for (const [name, service] of Object.entries(all.services)) {
        for (const port of service.ports ?? []) {
          if (port.published === undefined) continue;
          const key = `${port.published}/${port.protocol ?? 'tcp'}`;
          assert.equal(taken.get(key), undefined, `${name} and ${taken.get(key)} both publish ${key}`);
          taken.set(key, name);
        }
      }
      for (const [name, service] of wenmingServices(all)) {
        const { config } = loadRecording(containerEnv(service));
        assert.deepEqual(
          (service.ports ?? []).map((p) => p.target).sort((a, b) => a - b),
          [config.httpPort, config.grpcPort].sort((a, b) => a - b),
          `${name} maps the ports it listens on`,
        );
      }
    });
  });
}
