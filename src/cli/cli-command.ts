import { type ParseArgsConfig, parseArgs } from 'node:util';

type ParsedResults<T extends ParseArgsConfig> = ReturnType<typeof parseArgs<T>>;

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

/**
 * `parseArgs` whose complaints (an unknown flag, a missing value) are `UsageError`s, so every command prints them
 * with its usage and exits 2.
 * @example const { values } = parseFlags({ args: [...argv], strict: true, options: { json: { type: 'boolean' } } });
 */
export function parseFlags<T extends ParseArgsConfig>(config: T): ParsedResults<T> {
  try {
    return parseArgs(config);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
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
