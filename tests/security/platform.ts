// The platform the security suite probes: the embedded profile as its own OS process
// (so a crash is an exit we can see, and its memory is its own), on a fresh data
// directory holding the demo city (loaded by `wenming demo` through the public API).
// Callers get tokens for every role, signed with the platform's own secret, and can
// read the event store's head straight from its file to tell whether a refused
// request wrote anything.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Role, signHs256Token } from '@wenming/service-kit';
import Database from 'better-sqlite3';
import { killAll, runCli, type ServiceProcess, startService, stopService } from '../system/processes.js';

export interface SecurityPlatform {
  dir: string;
  service: ServiceProcess;
  httpUrl: string;
  grpcAddress: string;
  token(roles: Role[], options?: { units?: string[]; sub?: string; ttlSec?: number; now?: Date }): Promise<string>;
  /** How many events the store holds, read from its file (a refused request must not change it). */
  eventCount(): number;
  /** The platform process's resident memory, from /proc (bytes). */
  rssBytes(): number;
  /** Whether the process is still running. */
  alive(): boolean;
  stop(): Promise<void>;
}

export async function startSecurityPlatform(
  options: { demo?: boolean; env?: Record<string, string>; serviceEnv?: Record<string, string> } = {},
): Promise<SecurityPlatform> {
  const dir = mkdtempSync(join(tmpdir(), 'wenming-security-'));
  const env = { WENMING_DATA_DIR: dir, LOG_LEVEL: 'warn', ...options.env };
  if (options.demo !== false) {
    const demo = await runCli(['demo', '--data-dir', dir], env, 300_000);
    if (demo.code !== 0) throw new Error(`wenming demo failed (${demo.code}):\n${demo.stdout}\n${demo.stderr}`);
  }
  const service = await startService('embedded', { ...env, ...options.serviceEnv, HTTP_PORT: '0', GRPC_PORT: '0' });
  const secret = new TextEncoder().encode(readFileSync(join(dir, 'jwt-secret'), 'utf8').trim());
  const db = new Database(join(dir, 'events.db'), { readonly: true, fileMustExist: true });
  const count = db.prepare('SELECT count(*) AS n FROM events');
  return {
    dir,
    service,
    httpUrl: service.httpUrl,
    grpcAddress: service.grpcAddress,
    token: (roles, o = {}) =>
      signHs256Token(
        { sub: o.sub ?? `probe-${roles.join('-') || 'none'}`, roles, units: o.units ?? [], ttlSec: o.ttlSec ?? 3600 },
        secret,
        o.now,
      ),
    eventCount: () => (count.get() as { n: number }).n,
    rssBytes: () => {
      const status = readFileSync(`/proc/${service.child.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
    },
    alive: () => service.child.exitCode === null && service.child.signalCode === null,
    async stop() {
      db.close();
      await stopService(service);
      await killAll();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
