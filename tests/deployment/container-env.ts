// What the deployment specs share: the environment a Wenming container really starts
// with (the image's ENV under the deployment's), read by the real config loader, and
// which variable names a Wenming process reads at all.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, SERVICE_NAMES, type WenmingConfig } from '@wenming/service-kit';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The services built so far (a directory under services/ named in SERVICE_NAMES): each must be deployable. */
export function builtServices(): string[] {
  return readdirSync(join(ROOT, 'services'))
    .filter((name) => (SERVICE_NAMES as readonly string[]).includes(name))
    .sort();
}

/** The ENV of the Dockerfile's last stage: what every container has before compose or Kubernetes adds to it. */
export function imageEnv(): Record<string, string> {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const lastStage = dockerfile.split(/^FROM /m).at(-1) ?? '';
  const env: Record<string, string> = {};
  for (const [, rest] of lastStage.matchAll(/^ENV\s+(.+)$/gm)) {
    for (const [, name, value] of (rest ?? '').matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S+)/g)) {
      env[name!] = value!.replace(/^"(.*)"$/, '$1');
    }
  }
  return env;
}

/**
 * Runs the real loader on a container's environment and records every variable it
 * reads on the way (a Proxy sees each lookup): a variable the deployment sets but the
 * loader never reads is either misspelt or has no effect there.
 */
export function loadRecording(env: Record<string, string>): { config: WenmingConfig; read: Set<string> } {
  const read = new Set<string>();
  const recording = new Proxy(env, {
    get(target, name) {
      if (typeof name === 'string') read.add(name);
      return Reflect.get(target, name);
    },
  });
  return { config: loadConfig(recording), read };
}

let telemetryNames: Set<string> | undefined;

/**
 * The variables telemetry reads: service-kit's own (`env.OTEL_…` in its telemetry
 * code) and the OpenTelemetry SDK's standard ones (the OTEL_… names the installed
 * SDK packages look up). Read from the sources, so a misspelt name is not in it.
 */
export function telemetryVariables(): Set<string> {
  if (telemetryNames) return telemetryNames;
  const names = new Set<string>();
  const telemetryDir = join(ROOT, 'libs/service-kit/src/telemetry');
  for (const file of readdirSync(telemetryDir).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))) {
    for (const [, name] of readFileSync(join(telemetryDir, file), 'utf8').matchAll(/\benv\.([A-Z][A-Z0-9_]+)/g)) names.add(name!);
  }
  const require = createRequire(join(ROOT, 'libs/service-kit/package.json'));
  const scope = dirname(dirname(require.resolve('@opentelemetry/sdk-node/package.json')));
  for (const pkg of readdirSync(scope)) {
    for (const file of jsFiles(join(scope, pkg, 'build', 'src'))) {
      for (const [, name] of readFileSync(file, 'utf8').matchAll(/['"](OTEL_[A-Z0-9_]+)['"]/g)) names.add(name!);
    }
  }
  telemetryNames = names;
  return names;
}

function jsFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? jsFiles(path) : name.endsWith('.js') ? [path] : [];
  });
}

/** The variables in `names` that neither the config loader (on this environment) nor telemetry reads. */
export function unreadVariables(names: Iterable<string>, readByLoader: Set<string>): string[] {
  const telemetry = telemetryVariables();
  return [...names].filter((name) => !readByLoader.has(name) && !telemetry.has(name)).sort();
}
