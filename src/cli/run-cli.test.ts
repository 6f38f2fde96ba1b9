import { describe, expect, it } from 'vitest';
import { UsageError, type CliCommand, type CliIo } from './cli-command.js';
import { runCli } from './run-cli.js';

function capture(): CliIo & { out: (line: string) => void; lines: { out: string[]; err: string[] } } {
  const lines = { out: [] as string[], err: [] as string[] };
  return { lines, out: (line) => lines.out.push(line), err: (line) => lines.err.push(line) };
}

const commands: Record<string, CliCommand> = {
  echo: {
    summary: 'prints its arguments',
    usage: 'Usage: failsoft echo ARGS',
    run: async (argv, io) => {
      io.out(argv.join(' '));
      return 0;
    },
  },
  strict: {
    summary: 'rejects everything',
    usage: 'Usage: failsoft strict',
    run: async () => {
      throw new UsageError("Unknown option '--x'");
    },
  },
};

describe('runCli', () => {
  it('lists the commands for --help, -h, help and no arguments', async () => {
    for (const argv of [['--help'], ['-h'], ['help'], []]) {
      const io = capture();
      expect(await runCli(commands, argv, io)).toBe(0);
      expect(io.lines.out.join('\n')).toContain('  echo    prints its arguments');
    }
  });

  it('prints the version for --version, -v and version', async () => {
    for (const argv of [['--version'], ['-v'], ['version']]) {
      const io = capture();
      expect(await runCli(commands, argv, io, '1.2.3')).toBe(0);
      expect(io.lines.out).toEqual(['failsoft 1.2.3']);
    }
  });

  it('a built-in object name is never a command, whatever table it is given', async () => {
    for (const argv of [['constructor'], ['toString'], ['help', '__proto__']]) {
      const io = capture();
      expect(await runCli(commands, argv, io)).toBe(2);
      expect(io.lines.err[0]).toBe(`failsoft: unknown command "${argv.at(-1) ?? ''}"`);
    }
  });

  it("shows one command's usage for help <command>", async () => {
    const io = capture();
    expect(await runCli(commands, ['help', 'echo'], io)).toBe(0);
    expect(io.lines.out).toEqual(['Usage: failsoft echo ARGS']);
  });

  it('dispatches to the command with the remaining arguments', async () => {
    const io = capture();
    expect(await runCli(commands, ['echo', 'a', 'b'], io)).toBe(0);
    expect(io.lines.out).toEqual(['a b']);
  });

  it('exits 2 with a clear message for an unknown command', async () => {
    const io = capture();
    expect(await runCli(commands, ['serve'], io)).toBe(2);
    expect(io.lines.err[0]).toBe('failsoft: unknown command "serve"');
    expect(await runCli(commands, ['help', 'serve'], capture())).toBe(2);
  });

  it('exits 2 and points at the usage for a bad flag', async () => {
    const io = capture();
    expect(await runCli(commands, ['strict', '--x'], io)).toBe(2);
    expect(io.lines.err).toEqual(["failsoft strict: Unknown option '--x'", "Run 'failsoft help strict' for usage."]);
  });
});
