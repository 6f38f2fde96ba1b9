import { EXIT_USAGE, UsageError, type CliCommand, type CliIo } from './cli-command.js';

/**
 * Dispatches `failsoft <command> …` over a table of commands; `--help`, `-h`, `help` and no
 * arguments list them, `help <command>` shows one. Unknown commands and bad flags exit 2.
 * @example process.exitCode = await runCli({ sim: simCommand }, process.argv.slice(2), processIo);
 */
export async function runCli(
  commands: Readonly<Record<string, CliCommand>>,
  argv: readonly string[],
  io: CliIo,
  version?: string,
): Promise<number> {
  const [name, ...rest] = argv;
  if (name !== undefined && VERSION_FLAGS.has(name)) {
    io.out(`failsoft ${version ?? '(unknown version)'}`);
    return 0;
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    const command = topic === undefined || !Object.hasOwn(commands, topic) ? undefined : commands[topic];
    if (topic !== undefined && !command) return unknownCommand(commands, topic, io);
    io.out(command ? command.usage : overview(commands));
    return 0;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!command) return unknownCommand(commands, name, io);
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`failsoft ${name}: ${error.message}`);
    io.err(`Run 'failsoft help ${name}' for usage.`);
    return EXIT_USAGE;
  }
}

/** What asks for the version: `failsoft --version`, `-v`, `version`. */
export const VERSION_FLAGS: ReadonlySet<string> = new Set(['--version', '-v', 'version']);

function unknownCommand(commands: Readonly<Record<string, CliCommand>>, name: string, io: CliIo): number {
  io.err(`failsoft: unknown command "${name}"`);
  io.err(overview(commands));
  return EXIT_USAGE;
}

function overview(commands: Readonly<Record<string, CliCommand>>): string {
  const names = Object.keys(commands);
  const width = Math.max(...names.map((name) => name.length));
  const lines = names.map((name) => `  ${name.padEnd(width)}  ${commands[name]?.summary ?? ''}`);
  return [
    'Usage: failsoft <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    "Run 'failsoft help <command>' for a command's options; 'failsoft --version' for the version.",
  ].join('\n');
}
