/** Where the CLI writes and what it reads from its process: injected so tests run it in-process. */
export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown };
  env: Readonly<Record<string, string | undefined>>;
  /** Relative paths (`--settings`, files to import) resolve against this; default `process.cwd()`. */
  cwd?: string;
}

/** Exit codes (docs/cli.md). */
export const EXIT = {
  ok: 0,
  /** A check or the command failed (an action failed, the API refused, a doctor check failed). */
  failed: 1,
  /** Bad usage: unknown command or option, missing argument, an option the mode can't honour. */
  usage: 2,
  /** Guard state: actions are held for approval (apply, sync-user), or the guard is tripped (status). */
  held: 3,
} as const;

/** Bad usage: printed with a pointer to `--help`, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A command that could not do its job: one sentence, exit 1 (or the code given). */
export class CommandError extends Error {
  override readonly name = 'CommandError';
  readonly exitCode: number;

  constructor(message: string, options?: ErrorOptions & { exitCode?: number }) {
    super(message, options);
    this.exitCode = options?.exitCode ?? EXIT.failed;
  }
}
