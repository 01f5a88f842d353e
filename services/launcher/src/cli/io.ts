// What a CLI command touches of the outside world, passed in so tests run it in-process.
export interface CliIo {
  env: NodeJS.ProcessEnv;
  stdout(text: string): void;
  stderr(text: string): void;
}

/** A mistake in how the command was called: exit status 2, like other Unix tools. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The command ran and found something wrong (a broken chain): exit status 1, its message only. */
export class CommandFailed extends Error {
  override readonly name = 'CommandFailed';
}
