// Finds or starts a real MongoDB-wire server for the suites, in DESIGN §4's order: the
// server named by MONGODB_URL; else MongoDB in Docker through testcontainers; else
// FerretDB v1.24 on its SQLite backend run as a plain local process
// (infra/local/ferretdb/ferretdb.sh, built from the Go module proxy on first use);
// else a skip whose reason says what each way found. Never a mock.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dockerEngine, freePort, message, runScript } from './local-server.js';

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
    return await fromLocalProcess(join(workDir, 'ferretdb'));
  } catch (err) {
    reasons.push(`no local FerretDB process (${message(err)})`);
  }
  return { skipped: reasons.join('; ') };
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
  mkdirSync(dir, { recursive: true });
  // The script prints the URL last; when a server already runs in `dir` it reuses it
  // (and its port), so a run that died without stopping leaves nothing to clean up.
  const stdout = await runScript(SCRIPT, ['start', dir, String(await freePort())], START_TIMEOUT_MS);
  const url = stdout.trim().split('\n').pop() ?? '';
  if (!url.startsWith('mongodb://')) throw new Error(`${SCRIPT} printed no URL: ${stdout.slice(-300)}`);
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
