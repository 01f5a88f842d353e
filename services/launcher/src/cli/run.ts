// The `wenming` command line: one function from arguments to an exit status, so
// tests run it in-process and main.ts stays a one-liner. Exit 0: done; 2: the
// command was called wrongly (unknown flag, role, bad configuration); 1: it failed.
// Each command is imported when it runs: `token` loads no server, driver or
// telemetry code, so it answers in a fraction of a second.
import { ConfigError, redactError, redactSecrets } from '@wenming/service-kit/cli';
import { type CliIo, CommandFailed, UsageError } from './io.js';

export const USAGE = `Usage: wenming <command> [options]

Commands:
  token   print a bearer token for the embedded profile (wenming token --help)
  dossier export or verify a unit's dossier 创建活动档案 (wenming dossier --help)
  demo    load a demo city into the data directory (wenming demo --help)
  projections  list the read models' projections and the events they could not apply, retry those, or rebuild them from the event store (wenming projections --help)
  verify  re-verify the hash chain of every stream in the event store (wenming verify --help)

More commands come with the services.
`;

type Command = (args: string[], io: CliIo) => Promise<void>;
const COMMANDS: Record<string, () => Promise<Command>> = {
  token: async () => (await import('./token.js')).tokenCommand,
  dossier: async () => (await import('./dossier.js')).dossierCommand,
  demo: async () => (await import('./demo.js')).demoCommand,
  projections: async () => (await import('./projections.js')).projectionsCommand,
  verify: async () => (await import('./verify.js')).verifyCommand,
};

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout)(USAGE);
    return name === undefined ? 2 : 0;
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!load) {
    io.stderr(`wenming: unknown command ${JSON.stringify(name)}\n\n${USAGE}`);
    return 2;
  }
  try {
    const command = await load();
    await command(args, io);
    return 0;
  } catch (err) {
    if (err instanceof UsageError || isParseArgsError(err)) {
      io.stderr(`wenming ${name}: ${(err as Error).message}\n(wenming ${name} --help shows the options)\n`);
      return 2;
    }
    if (err instanceof CommandFailed) {
      io.stderr(`wenming ${name}: ${redactSecrets(err.message)}\n`);
      return 1;
    }
    if (err instanceof ConfigError) {
      io.stderr(`wenming ${name}: configuration error: ${redactSecrets(err.message)}\n`);
      return 2;
    }
    // A driver's error may quote its connection string: never with the password.
    io.stderr(`wenming ${name}: ${redactError(err)}\n`);
    return 1;
  }
}

/** node:util parseArgs reports unknown flags and missing values with ERR_PARSE_ARGS_* codes. */
function isParseArgsError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}
