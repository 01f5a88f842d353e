// Finds or starts a real MongoDB-wire server for the suites, in DESIGN §4's order: the
// server named by MONGODB_URL; else MongoDB in Docker through testcontainers; else
// FerretDB v1.24 on its SQLite backend run as a plain local process
// (infra/local/ferretdb/ferretdb.sh, built from the Go module proxy on first use);
// else a skip whose reason says what each way found. Never a mock.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { containerOrLocalProcess, freePort, runScript, scriptAnswer } from './local-server.js';

export interface ProvidedMongo {
  /** A mongodb:// URL without a database: suites pick (and drop) their own. */
  url: string;
  source: 'env' | 'testcontainers' | 'local-process';
  /** What answers on the URL, for the run's summary line. */
  server: string;
  /** Stops what this call started (nothing for MONGODB_URL). */
  stop(): Promise<void>;
}

/** MongoDB as users deploy it; the container is a single-node replica set. */
const IMAGE = 'mongo:7.0';
const SCRIPT = fileURLToPath(new URL('../../../infra/local/ferretdb/ferretdb.sh', import.meta.url));
/** The first start builds FerretDB from source (a few minutes on a cold Go cache). */
const START_TIMEOUT_MS = 20 * 60_000;

export async function provideMongo(workDir: string): Promise<ProvidedMongo | { skipped: string }> {
  const fromEnv = process.env.MONGODB_URL;
  if (fromEnv) return { url: fromEnv, source: 'env', server: 'MONGODB_URL', stop: async () => undefined };
  return containerOrLocalProcess(IMAGE, fromContainer, 'FerretDB', () => fromLocalProcess(join(workDir, 'ferretdb')));
}

async function fromContainer(): Promise<ProvidedMongo> {
  const { MongoDBContainer } = await import('@testcontainers/mongodb');
  const container = await new MongoDBContainer(IMAGE).start();
  // The container's replica set knows itself by a name only the container resolves:
  // talk to the one node directly.
  return {
    // mongodb://host:port (no credentials were set, so no query string).
    url: `${container.getConnectionString()}/?directConnection=true`,
    source: 'testcontainers',
    server: IMAGE,
    stop: async () => {
      await container.stop();
    },
  };
}

async function fromLocalProcess(dir: string): Promise<ProvidedMongo> {
  // When a server already runs in `dir` the script reuses it (and its port), so a run
  // that died without stopping leaves nothing to clean up.
  const url = await scriptAnswer(SCRIPT, ['start', dir, String(await freePort())], START_TIMEOUT_MS, /^mongodb:\/\//, 'URL');
  return {
    url,
    source: 'local-process',
    server: 'FerretDB v1.24.1 (SQLite)',
    stop: async () => {
      await runScript(SCRIPT, ['stop', dir], 60_000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
