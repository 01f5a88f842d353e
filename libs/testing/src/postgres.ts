// Finds or starts a real PostgreSQL server for the suites, in DESIGN §4's order:
// the server named by PG_URL; else Docker through testcontainers; else a throwaway
// cluster run as a plain local process (infra/local/postgres.sh, Debian's package);
// else a skip whose reason says what each way found. Never a mock.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dockerEngine, freePort, message, runScript } from './local-server.js';

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
  const stdout = await runScript(SCRIPT, ['start', dir, String(await freePort())], 300_000);
  const url = stdout.trim().split('\n').pop() ?? '';
  if (!url.startsWith('postgresql://')) throw new Error(`${SCRIPT} printed no URL: ${stdout.slice(-300)}`);
  return {
    url,
    source: 'local-process',
    stop: async () => {
      await runScript(SCRIPT, ['stop', dir], 60_000);
    },
  };
}
