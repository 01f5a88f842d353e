// What the local-server harnesses share: DESIGN §4's order after the environment
// variable (a container, else a local process, else a skip saying why), a free
// loopback port, and running an infra/local script.
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';

/**
 * A server from testcontainers when a container engine answers, else from a local
 * process; else a skip whose reason says what each way found. `image` and `local`
 * name the two in that reason.
 */
export async function containerOrLocalProcess<T>(
  image: string,
  fromContainer: () => Promise<T>,
  local: string,
  fromLocalProcess: () => Promise<T>,
): Promise<T | { skipped: string }> {
  const reasons: string[] = [];
  const docker = await dockerEngine();
  if (docker === true) {
    try {
      return await fromContainer();
    } catch (err) {
      reasons.push(`testcontainers could not start ${image}: ${message(err)}`);
    }
  } else {
    reasons.push(`no Docker engine (${docker})`);
  }
  try {
    return await fromLocalProcess();
  } catch (err) {
    reasons.push(`no local ${local} process (${message(err)})`);
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

/**
 * A port free right now on 127.0.0.1, below Linux's ephemeral range (32768+): a
 * server keeps it across a bounce, and meanwhile the kernel will not hand it to an
 * outgoing connection. Falls back to a port the kernel picks.
 */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await listenable(port)) return port;
  }
  const port = await listenable(0);
  if (port === false) throw new Error('no free port on 127.0.0.1');
  return port;
}

/** The port (the kernel's pick for 0) when a listener can bind it on 127.0.0.1, else false. */
function listenable(port: number): Promise<number | false> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', () => (port === 0 ? reject(new Error('no port')) : resolve(false)));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Runs a bash script; resolves to its stdout, rejects with the tail of its stderr. */
export function runScript(script: string, args: string[], timeout: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('bash', [script, ...args], { timeout, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        const tail = stderr.trim().split('\n').slice(-5).join(' | ');
        reject(new Error(`${script} ${args[0]} failed: ${tail || err.message}`));
      } else {
        resolve(stdout);
      }
    });
  });
}

/**
 * Runs a script that prints its answer (a server's address, a binary's path) as the
 * last line of its stdout; rejects unless that line matches `expected`.
 */
export async function scriptAnswer(script: string, args: string[], timeout: number, expected: RegExp, what: string): Promise<string> {
  const stdout = await runScript(script, args, timeout);
  const answer = stdout.trim().split('\n').pop() ?? '';
  if (!expected.test(answer)) throw new Error(`${script} printed no ${what}: ${stdout.slice(-300)}`);
  return answer;
}

export function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
