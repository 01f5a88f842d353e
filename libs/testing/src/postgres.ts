// Finds or starts a real PostgreSQL server for the suites, in DESIGN §4's order:
// the server named by PG_URL; else Docker through testcontainers; else a throwaway
// cluster run as a plain local process (infra/local/postgres.sh, Debian's package);
// else a skip whose reason says what each way found. Never a mock.
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ProvidedPostgres {
  url: string;
  source: 'env' | 'testcontainers' | 'local-process';
  /** Stops what this call started (nothing for PG_URL). */
  stop(): Promise<void>;
}

/** The image docker-compose.yml runs, so tests and deployments share a version. */
const IMAGE = 'postgres:15';
const SCRIPT = fileURLToPath(new URL('../../../infra/local/postgres.sh', import.meta.url));

export async function providePostgres(workDir: string): Promise<ProvidedPostgres | { skipped: string }> {
  const fromEnv = process.env.PG_URL;
  if (fromEnv) return { url: fromEnv, source: 'env', stop: async () => undefined };

  const reasons: string[] = [];
  const docker = await dockerEngine();
  if (docker === true) {
    try {
      return await fromContainer();
    } catch (err) {
      reasons.push(`testcontainers could not start ${IMAGE}: ${message(err)}`);
    }
  } else {
    reasons.push(`no Docker engine (${docker})`);
  }
  try {
    return await fromLocalProcess(join(workDir, 'postgres'));
  } catch (err) {
    reasons.push(`no local PostgreSQL process (${message(err)})`);
  }
  return { skipped: reasons.join('; ') };
}

/** True when a container engine answers; otherwise why not. Without an engine testcontainers rejects within a second. */
async function dockerEngine(): Promise<true | string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('no answer within 5 s')), 5000);
      timer.unref();
    });
    await Promise.race([getContainerRuntimeClient(), timeout]);
    return true;
  } catch (err) {
    return message(err);
  } finally {
    clearTimeout(timer);
  }
}

async function fromContainer(): Promise<ProvidedPostgres> {
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const container = await new PostgreSqlContainer(IMAGE).withDatabase('wenming').withUsername('postgres').withPassword('postgres').start();
  return {
    url: container.getConnectionUri(),
    source: 'testcontainers',
    stop: async () => {
      await container.stop();
    },
  };
}

async function fromLocalProcess(dir: string): Promise<ProvidedPostgres> {
  mkdirSync(dir, { recursive: true });
  // The script prints the URL last; when a cluster already runs in `dir` it reuses it
  // (and its port), so a run that died without stopping leaves nothing to clean up.
  const stdout = await script(['start', dir, String(await freePort())], 300_000);
  const url = stdout.trim().split('\n').pop() ?? '';
  if (!url.startsWith('postgresql://')) throw new Error(`${SCRIPT} printed no URL: ${stdout.slice(-300)}`);
  return {
    url,
    source: 'local-process',
    stop: async () => {
      await script(['stop', dir], 60_000);
    },
  };
}

/** A port free right now on 127.0.0.1 (the kernel picks it; a race with another process is unlikely). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function script(args: string[], timeout: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('bash', [SCRIPT, ...args], { timeout, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        const tail = stderr.trim().split('\n').slice(-5).join(' | ');
        reject(new Error(`${SCRIPT} ${args[0]} failed: ${tail || err.message}`));
      } else {
        resolve(stdout);
      }
    });
  });
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
