// Helpers of the system test: Wenming services as OS processes (services/launcher's
// main.ts, one per service, production profile), the `wenming` CLI as a process, and
// bounded waits. Every process started here is remembered so `killAll` can end it
// whatever happened to the test.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
export const MAIN = fileURLToPath(new URL('../../services/launcher/src/main.ts', import.meta.url));
export const CLI = fileURLToPath(new URL('../../services/launcher/src/cli/main.ts', import.meta.url));

export interface ServiceProcess {
  name: string;
  env: Record<string, string>;
  child: ChildProcess;
  httpUrl: string;
  grpcAddress: string;
  /** The last lines it printed (stdout and stderr), for failure messages. */
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<ChildProcess>();

function keepTail(output: string[], text: string): void {
  output.push(...text.split('\n').filter(Boolean));
  if (output.length > 200) output.splice(0, output.length - 200);
}

export function tail(p: { output: string[] }, n = 40): string {
  return p.output.slice(-n).join('\n');
}

/** Starts main.ts with `env` (on top of this process's environment) and waits for its addresses. */
export async function startService(name: string, env: Record<string, string>, timeoutMs = 90_000): Promise<ServiceProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  const output: string[] = [];
  child.stderr?.on('data', (chunk) => keepTail(output, String(chunk)));
  let httpUrl = '';
  let grpcAddress = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not print its addresses within ${timeoutMs} ms:\n${output.join('\n')}`));
    }, timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (code ${code}, signal ${signal}) before printing its addresses:\n${output.join('\n')}`));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      keepTail(output, line);
      httpUrl ||= /HTTP\s+(http:\/\/\S+)/.exec(line)?.[1] ?? '';
      grpcAddress ||= /gRPC\s+(\S+:\d+)/.exec(line)?.[1] ?? '';
      if (line.includes('event store')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  if (!httpUrl || !grpcAddress) throw new Error(`${name}: addresses not printed:\n${output.join('\n')}`);
  // Production binds 0.0.0.0; clients dial loopback.
  httpUrl = httpUrl.replace('//0.0.0.0:', '//127.0.0.1:');
  grpcAddress = grpcAddress.replace(/^0\.0\.0\.0:/, '127.0.0.1:');
  return { name, env, child, httpUrl, grpcAddress, output, exited };
}

/** SIGTERM (or `signal`), then SIGKILL if it has not exited within `timeoutMs`. */
export async function stopService(p: ServiceProcess, signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 20_000): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill(signal);
  const timer = setTimeout(() => p.child.kill('SIGKILL'), timeoutMs);
  await p.exited;
  clearTimeout(timer);
}

/** Ends every process this file started and has not seen exit (the `after` hook). */
export async function killAll(): Promise<void> {
  const children = [...running];
  for (const child of children) child.kill('SIGKILL');
  await Promise.all(
    children.map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)))),
  );
}

/** Runs the `wenming` CLI as a process; resolves with its exit code and output. */
export async function runCli(
  args: string[],
  env: Record<string, string>,
  timeoutMs = 120_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => {
    stdout += String(c);
  });
  child.stderr.on('data', (c) => {
    stderr += String(c);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) =>
    child.once('exit', (c, signal) => {
      running.delete(child);
      resolve(signal ? null : c);
    }),
  );
  clearTimeout(timer);
  if (code === null) stderr += `\n(wenming ${args.join(' ')} was killed after ${timeoutMs} ms or by a signal)`;
  return { code, stdout, stderr };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns a value (not undefined) or `timeoutMs` passes; then fails with `what`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `; last error: ${(last as Error).message}` : ''}`);
    }
    await sleep(everyMs);
  }
}
