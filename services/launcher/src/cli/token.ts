// `wenming token`: a signed HS256 bearer token for the embedded profile, from the
// same secret the server verifies with (WENMING_JWT_SECRET, else the secret file the
// server creates in its data directory). It never creates that file unasked: a token
// signed with a new secret would be refused by a server already running with another.
// Imports service-kit's light entry only, so it answers without loading the platform.
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import {
  DEFAULT_MAX_TOKEN_TTL_SEC,
  existingHs256Secret,
  formatDuration,
  hs256Secret,
  isRole,
  loadConfig,
  parseDuration,
  ROLES,
  type Role,
  signHs256Token,
  type WenmingConfig,
} from '@wenming/service-kit/cli';
import { type CliIo, UsageError } from './io.js';

export const TOKEN_USAGE = `Usage: wenming token --role <role> [--role <role>]... [--unit <unit id>]... [--sub <user id>] [--ttl <duration>] [--create-secret]

Prints a bearer token for the embedded profile on stdout.

  --role, -r  ${ROLES.join(', ')} (repeat for several)
  --unit, -u  a unit the user acts for; required with --role unit (repeat for several)
  --sub       the user id recorded as the actor of every event (default: your login name)
  --ttl       lifetime: 90s, 30m, 8h, 2d (default 8h, at most WENMING_TOKEN_MAX_TTL: 12h unless set)
  --create-secret  create <data dir>/jwt-secret when it does not exist yet (the server
              creates it on its first start; without this flag the command refuses,
              as a server already running with another secret would refuse the token)

Says on stderr which secret it signed with: WENMING_JWT_SECRET, or the file.

Reads WENMING_PROFILE, WENMING_DATA_DIR, WENMING_JWT_SECRET, WENMING_JWT_ISSUER,
WENMING_JWT_AUDIENCE and WENMING_TOKEN_MAX_TTL like the server, so the server accepts what it prints.

  curl -H "Authorization: Bearer $(npm run -s wenming -- token --role office)" http://127.0.0.1:8080/…
`;

export async function tokenCommand(args: string[], io: CliIo, now: Date = new Date()): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      role: { type: 'string', short: 'r', multiple: true },
      unit: { type: 'string', short: 'u', multiple: true },
      sub: { type: 'string' },
      ttl: { type: 'string', default: '8h' },
      'create-secret': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    io.stdout(TOKEN_USAGE);
    return;
  }
  const roles = checkRoles(values.role ?? []);
  const units = [...new Set(values.unit ?? [])];
  if (roles.includes('unit') && units.length === 0) throw new UsageError('--role unit needs at least one --unit <unit id>');
  if (!roles.includes('unit') && units.length > 0) throw new UsageError('--unit applies only with --role unit');
  if (units.some((u) => u.trim() === '')) throw new UsageError('--unit needs a unit id');
  const ttlSec = parseDuration(values.ttl ?? '8h');
  if (ttlSec === undefined) throw new UsageError(`--ttl ${JSON.stringify(values.ttl)} is not a duration; use e.g. 90s, 30m, 8h, 2d`);
  const sub = values.sub ?? loginName();
  if (sub.trim() === '') throw new UsageError('--sub needs a user id');

  const config = loadConfig(io.env);
  if (config.auth.mode !== 'hs256') {
    throw new UsageError('tokens are issued by the city SSO when WENMING_JWKS_URL is set; this command signs embedded-profile tokens only');
  }
  // The server refuses a longer-lived token; better to say so here than print one it will refuse.
  const maxTtlSec = config.auth.maxTtlSec ?? DEFAULT_MAX_TOKEN_TTL_SEC;
  if (ttlSec > maxTtlSec) throw new UsageError(`--ttl is at most ${formatDuration(maxTtlSec)} (WENMING_TOKEN_MAX_TTL)`);
  const { secret, used } = signingSecret(config.auth, values['create-secret'] === true);
  const token = await signHs256Token(
    {
      sub,
      roles,
      units,
      ttlSec,
      ...(config.auth.issuer !== undefined ? { issuer: config.auth.issuer } : {}),
      ...(config.auth.audience !== undefined ? { audience: config.auth.audience } : {}),
    },
    secret,
    now,
  );
  io.stdout(`${token}\n`);
  const expires = new Date(now.getTime() + ttlSec * 1000).toISOString();
  io.stderr(
    `token for ${sub} (${roles.join(', ')}${units.length > 0 ? ` of ${units.join(', ')}` : ''}), expires ${expires}, signed with ${used}\n`,
  );
}

type Hs256Auth = Extract<WenmingConfig['auth'], { mode: 'hs256' }>;

/** The server's secret, and words saying which it is; created only when asked. */
function signingSecret(auth: Hs256Auth, create: boolean): { secret: Uint8Array; used: string } {
  const existing = existingHs256Secret(auth);
  if (existing?.from === 'WENMING_JWT_SECRET') return { secret: existing.secret, used: 'WENMING_JWT_SECRET' };
  if (existing !== undefined) return { secret: existing.secret, used: `the secret file ${existing.file}` };
  if (!create) {
    throw new UsageError(
      `no secret to sign with: WENMING_JWT_SECRET is unset and ${auth.secretFile} does not exist. ` +
        'The server creates that file on its first start: start it first, or set WENMING_DATA_DIR to the data directory it runs with, ' +
        'or pass --create-secret to create one now (a server already running with another secret will refuse the token)',
    );
  }
  return { secret: hs256Secret(auth), used: `the secret file ${auth.secretFile} (created now)` };
}

function checkRoles(raw: string[]): Role[] {
  if (raw.length === 0) throw new UsageError(`--role is required (${ROLES.join(', ')})`);
  for (const role of raw) {
    if (!isRole(role)) throw new UsageError(`${JSON.stringify(role)} is not a role; use ${ROLES.join(', ')}`);
  }
  return [...new Set(raw as Role[])];
}

function loginName(): string {
  try {
    return userInfo().username || 'cli';
  } catch {
    return 'cli';
  }
}
