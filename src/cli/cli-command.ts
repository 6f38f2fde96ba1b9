/** Where a command writes: injectable so commands are testable without a terminal. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

/** One `failsoft <name>` command. */
export interface CliCommand {
  /** One line for `failsoft --help`. */
  summary: string;
  /** The command's full help text. */
  usage: string;
  /** Runs the command with the arguments after its name; resolves to the process exit code. */
  run(argv: readonly string[], io: CliIo): Promise<number>;
}

/** A wrong invocation (unknown flag, bad value): printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Exit code of a wrong invocation or an invalid configuration file. */
export const EXIT_USAGE = 2;

/** The terminal. */
export const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** Resolves with the first SIGINT or SIGTERM (then stops listening), for long-running commands. */
export function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
