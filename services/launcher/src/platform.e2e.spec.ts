// `npm start` as a user runs it: a real process, real HTTP and gRPC clients.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { loadConfig } from '@wenming/service-kit';
import { service as healthService } from 'grpc-health-check';
import { type RunningPlatform, startPlatform } from './platform.js';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));
const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The embedded profile as a new user has it: without the servers npm test provides to other specs. */
function embeddedEnv(): NodeJS.ProcessEnv {
  const { KAFKA_BROKERS: _k, MONGODB_URL: _m, MONGODB_DATABASE: _d, EVENTSTORE_URL: _e, PG_URL: _p, ...rest } = process.env;
  return rest;
}

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wenming-launcher-'));
  dirs.push(dir);
  return dir;
}

interface Started {
  child: ChildProcess;
  httpUrl: string;
  grpcAddress: string;
  output: string[];
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function start(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    env: { ...embeddedEnv(), HTTP_PORT: '0', GRPC_PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const output: string[] = [];
  child.stderr?.on('data', (chunk) => output.push(String(chunk)));
  let httpUrl = '';
  let grpcAddress = '';
  await new Promise<void>((resolve, reject) => {
    child.once('exit', () => reject(new Error(`exited before printing its addresses:\n${output.join('\n')}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output.push(line);
      httpUrl ||= /HTTP\s+(http:\/\/\S+)/.exec(line)?.[1] ?? '';
      grpcAddress ||= /gRPC\s+(\S+:\d+)/.exec(line)?.[1] ?? '';
      if (line.includes('event store')) resolve();
    });
  });
  assert.ok(httpUrl && grpcAddress, `addresses not printed:\n${output.join('\n')}`);
  return { child, httpUrl, grpcAddress, output, exit };
}

function grpcHealth(address: string): Promise<string> {
  const Health = grpc.makeClientConstructor(healthService, 'grpc.health.v1.Health');
  const client = new Health(address, grpc.credentials.createInsecure()) as unknown as grpc.Client & {
    check(req: { service: string }, cb: (err: grpc.ServiceError | null, res: { status: string }) => void): void;
  };
  return new Promise((resolve, reject) =>
    client.check({ service: '' }, (err, res) => {
      client.close();
      if (err) reject(err);
      else resolve(res.status);
    }),
  );
}

describe('npm start (embedded profile)', () => {
  it('prints its addresses, answers /healthz, /readyz and gRPC health, and stops cleanly on SIGTERM', async () => {
    const dir = dataDir();
    const running = await start({ WENMING_DATA_DIR: dir });
    const health = await fetch(`${running.httpUrl}/healthz`);
    assert.equal(health.status, 200);
    const body = (await health.json()) as { status: string; eventStore: { kind: string; ok: boolean } };
    assert.equal(body.status, 'ok');
    assert.deepEqual([body.eventStore.kind, body.eventStore.ok], ['sqlite', true]);
    assert.equal((await fetch(`${running.httpUrl}/readyz`)).status, 200);
    assert.equal(await grpcHealth(running.grpcAddress), 'SERVING');
    running.child.kill('SIGTERM');
    const { code } = await running.exit;
    assert.equal(code, 0, running.output.join('\n'));
    assert.ok(running.output.some((l) => l.includes('stopped cleanly')));
  });

  it('refuses a bad configuration by naming the variable', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', main], {
      env: { ...embeddedEnv(), WENMING_DATA_DIR: dataDir(), HTTP_PORT: 'eighty' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c) => {
      stderr += String(c);
    });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    assert.equal(code, 2);
    assert.match(stderr, /HTTP_PORT: "eighty" is not a port number/);
  });

  it('reports 503 on /healthz when the event store cannot serve', async () => {
    const config = loadConfig({ WENMING_DATA_DIR: dataDir(), HTTP_PORT: '0', GRPC_PORT: '0', LOG_LEVEL: 'silent' });
    const platform = await startPlatform(config);
    try {
      assert.equal((await fetch(`${platform.httpUrl}/healthz`)).status, 200);
      await platform.store.close();
      const res = await fetch(`${platform.httpUrl}/healthz`);
      assert.equal(res.status, 503);
      const body = (await res.json()) as { status: string; eventStore: { ok: boolean; error: string } };
      assert.equal(body.status, 'unavailable');
      assert.equal(body.eventStore.ok, false);
    } finally {
      await platform.stop().catch(() => undefined);
    }
  });
});

describe('the relay in the embedded platform', () => {
  it('publishes every appended event to its topic on the in-process bus, and resumes after a restart without republishing', async () => {
    const dir = dataDir();
    const env = { WENMING_DATA_DIR: dir, HTTP_PORT: '0', GRPC_PORT: '0', LOG_LEVEL: 'silent' };
    const first = await startPlatform(loadConfig(env));
    const ids: string[] = [];
    const append = async (platform: RunningPlatform, n: number) => {
      for (let i = 0; i < n; i++) {
        const id = randomUUID();
        ids.push(id);
        await platform.store.append(`relaycheck-${i % 3}`, [
          { id, type: 'PlanSubmitted', occurredAt: '2026-02-01T09:00:00+08:00', data: { n: i }, metadata: { unitId: `unit-${i % 3}` } },
        ]);
      }
    };
    await append(first, 20);
    await first.messaging.relay()?.caughtUp;
    await first.stop();
    const second = await startPlatform(loadConfig(env));
    await append(second, 5);
    const received: string[] = [];
    const consumer = await second.messaging.bus.consume({
      groupId: 'e2e-check',
      topics: ['wenming.platform.events.v1'],
      handler: async (m) => {
        received.push(m.headers['wenming-event-id']!);
      },
    });
    const deadline = Date.now() + 10_000;
    while (received.length < 25 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await consumer.stop();
    await second.stop();
    assert.deepEqual(received, ids);
  });
});
