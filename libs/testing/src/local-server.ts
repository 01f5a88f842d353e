// What the local-server harnesses share: whether a container engine answers, a
// free loopback port, and running an infra/local script.
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';

/** True when a container engine answers; otherwise why not. Without an engine testcontainers rejects within a second. */
export async function dockerEngine(): Promise<true | string> {
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

export function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
