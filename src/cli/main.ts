#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { processIo, type CliCommand } from './cli-command.js';
import { runCli, VERSION_FLAGS } from './run-cli.js';

/**
 * Every `failsoft` command: add one line per command. Loaded on demand, so `failsoft serve` does not
 * carry the simulator's modules in memory (`--help` loads them all for their summaries).
 */
const loaders: Record<string, () => Promise<CliCommand>> = {
  sim: async () => (await import('./sim-command.js')).simCommand,
  serve: async () => (await import('./serve-command.js')).serveCommand,
  plan: async () => (await import('./plan-command.js')).planCommand,
  'run-jobs': async () => (await import('./run-jobs-command.js')).runJobsCommand,
  jobs: async () => (await import('./jobs-command.js')).jobsCommand,
  incidents: async () => (await import('./incidents-command.js')).incidentsCommand,
  incident: async () => (await import('./incidents-command.js')).incidentCommand,
  check: async () => (await import('./check-command.js')).checkCommand,
  alert: async () => (await import('./alert-command.js')).alertCommand,
  demo: async () => (await import('./demo-command.js')).demoCommand,
  audit: async () => (await import('./audit-command.js')).auditCommand,
};

// `failsoft plan --crontab | head`: a reader that goes away is the end of the output, not a crash.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

const argv = process.argv.slice(2);
const first = argv[0];
// Own keys only, and a table with no prototype: `failsoft constructor` is an unknown command, not Object.
const names =
  first !== undefined && VERSION_FLAGS.has(first)
    ? []
    : first !== undefined && Object.hasOwn(loaders, first)
      ? [first]
      : Object.keys(loaders);
const commands = Object.create(null) as Record<string, CliCommand>;
for (const name of names) commands[name] = await (loaders[name] as () => Promise<CliCommand>)();

// The package's own package.json: two levels up from both src/cli/main.ts and dist/cli/main.js.
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version?: string;
};
process.exitCode = await runCli(commands, argv, processIo, version);
