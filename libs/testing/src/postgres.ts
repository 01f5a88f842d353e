// Finds or starts a real PostgreSQL server for the suites, in DESIGN §4's order:
// the server named by PG_URL; else Docker through testcontainers; else a throwaway
// cluster run as a plain local process (infra/local/postgres.sh, Debian's package);
// else a skip whose reason says what each way found. Never a mock.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { containerOrLocalProcess, freePort, runScript, scriptAnswer } from './local-server.js';

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
  return containerOrLocalProcess(IMAGE, fromContainer, 'PostgreSQL', () => fromLocalProcess(join(workDir, 'postgres')));
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
  // When a cluster already runs in `dir` the script reuses it (and its port), so a run
  // that died without stopping leaves nothing to clean up.
  const url = await scriptAnswer(SCRIPT, ['start', dir, String(await freePort())], 300_000, /^postgresql:\/\//, 'URL');
  return {
    url,
    source: 'local-process',
    stop: async () => {
      await runScript(SCRIPT, ['stop', dir], 60_000);
    },
  };
}
