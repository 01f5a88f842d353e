// Finds or builds Docker Compose v2 for the deployment specs, which check
// docker-compose.yml with `docker compose config` (no container engine needed): the
// binary named by DOCKER_COMPOSE_BIN; else an installed docker-compose or `docker
// compose` plugin of v2 or later; else the pinned version built from the Go module
// proxy (infra/local/compose/compose.sh, about two minutes the first time); else a
// skip whose reason says why.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { message, scriptAnswer } from './local-server.js';

/** The variable that names the binary, for this harness and for the specs. */
export const DOCKER_COMPOSE_BIN_ENV = 'DOCKER_COMPOSE_BIN';

export interface ProvidedCompose {
  /** An executable that runs as `docker compose` does: `<bin> config -q`. */
  bin: string;
  source: 'env' | 'installed' | 'built';
  /** What `<bin> version --short` says, e.g. 2.40.3. */
  version: string;
}

const SCRIPT = fileURLToPath(new URL('../../../infra/local/compose/compose.sh', import.meta.url));
const BUILT = fileURLToPath(new URL('../../../.wenming/go-bin/', import.meta.url));
/** The first run builds compose from source (about two minutes; more on a slow link). */
const BUILD_TIMEOUT_MS = 20 * 60_000;

/** Compose keeps nothing per run: the build is cached per repository. */
export async function provideCompose(): Promise<ProvidedCompose | { skipped: string }> {
  let bin: string;
  try {
    // The script honours DOCKER_COMPOSE_BIN itself (it checks it is an executable).
    bin = await scriptAnswer(SCRIPT, ['path'], BUILD_TIMEOUT_MS, /^\//, 'path');
  } catch (err) {
    return { skipped: `no docker compose v2 (${message(err)})` };
  }
  let version: string;
  try {
    version = await versionOf(bin);
  } catch (err) {
    return { skipped: `${bin} does not run: ${message(err)}` };
  }
  const source = process.env[DOCKER_COMPOSE_BIN_ENV] ? 'env' : bin.startsWith(BUILT) ? 'built' : 'installed';
  return { bin, source, version };
}

function versionOf(bin: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(bin, ['version', '--short'], { timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(stderr.trim() || err.message));
      else resolve(stdout.trim());
    });
  });
}
