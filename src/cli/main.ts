#!/usr/bin/env node
import { processIo, type CliCommand } from './cli-command.js';
import { runCli } from './run-cli.js';
import { serveCommand } from './serve-command.js';
import { simCommand } from './sim-command.js';

/** Every `failsoft` command: add one line per command. */
const commands: Record<string, CliCommand> = {
  sim: simCommand,
  serve: serveCommand,
};

process.exitCode = await runCli(commands, process.argv.slice(2), processIo);
