import type { GatewayPages } from '../gateway/gateway-server.js';
import { exitCodeOf } from '../demo/expectations.js';
import { reportText } from '../demo/report-text.js';
import { runDemo, type DemoOptions, type DemoRun } from '../demo/run-demo.js';
import type { ProgressOutput } from '../demo/progress.js';
import { parseFlags, UsageError, processIo, untilSignal, type CliCommand, type CliIo } from './cli-command.js';

/** Parsed `failsoft demo` flags. */
export interface DemoCliOptions {
  speed: number;
  json: boolean;
  keep: boolean;
  port: number;
  help: boolean;
}

const DEFAULT_SPEED = 3600;
const MIN_SPEED = 600;
const MAX_SPEED = 28_800;

const USAGE = `Usage: failsoft demo [options]

A day of failsoft in about half a minute, with no keys and no network: the provider simulator, the gateway, a core
API, the monitor and the record, all in this process on 127.0.0.1. From 08:00 to 24:00 (simulated) users call
the core API (never AI), an enhanced feature (AI with a fallback) and an ai-only one; at 09:00 three AI cron
jobs are due at the same minute (run naively on a copy of the budget, then as the planner staggers them); at
12:00 the primary provider starts answering 529, at 13:00 the second hangs on some requests, from 15:00 to
19:00 the third answers 429 with Retry-After, and at 23:00 all recover. Then the report: what each kind of
request got, the jobs' 429s, the alerts the webhook received, and the incident as failsoft incident prints it.

Options:
  --speed N    simulated seconds per real second (default ${DEFAULT_SPEED}: an hour a second; ${MIN_SPEED} to ${MAX_SPEED})
  --json       only the report on stdout, as JSON (progress stays on stderr)
  --keep       leave the gateway (and its dashboard) running after the report, until Ctrl-C
  --port N     the gateway's port with --keep (default 0: any free port)
  -h, --help   show this help

The core API's database is kept in the system's temporary directory (failsoft-demo-core, about 40 MB): creating
it is most of the first run's start-up; later runs reopen it in about a second.

Exit codes: 0 every expectation held (core always up, no 500s, every enhanced request answered, ai-only
refusals with Retry-After, fewer 429s planned than naive, one firing and one resolved alert per alerted incident,
the outage recorded in order); 1 one did not, or the demo could not start; 2 bad flags.`;

/**
 * Parses `failsoft demo` arguments; throws `UsageError` on an unknown flag or a bad value.
 * @example parseDemoArgs(['--speed', '14400', '--json']).speed // 14400
 */
export function parseDemoArgs(argv: readonly string[]): DemoCliOptions {
  const values = readFlags(argv);
  const speed = values.speed === undefined ? DEFAULT_SPEED : Number(values.speed);
  if (values.speed !== undefined && (!/^\d+$/.test(values.speed) || speed < MIN_SPEED || speed > MAX_SPEED)) {
    throw new UsageError(
      `--speed ${values.speed}: expected an integer from ${MIN_SPEED} to ${MAX_SPEED} (simulated seconds per real second)`,
    );
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (values.port !== undefined && (!/^\d+$/.test(values.port) || port > 65_535))
    throw new UsageError(`--port ${values.port}: expected an integer from 0 to 65535`);
  if (values.port !== undefined && values.keep !== true)
    throw new UsageError('--port only matters with --keep (the gateway stays up): add --keep or drop --port');
  return { speed, json: values.json ?? false, keep: values.keep ?? false, port, help: values.help ?? false };
}

function readFlags(argv: readonly string[]) {
  return parseFlags({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      speed: { type: 'string' },
      json: { type: 'boolean' },
      keep: { type: 'boolean' },
      port: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
}

/** The dashboard, loaded only for `--keep` (a run that ends needs no page). */
async function dashboardPages(): Promise<DemoOptions['pages']> {
  const { createDashboard } = await import('../dashboard/index.js');
  return async ({ ai, records, monitor }): Promise<GatewayPages> =>
    createDashboard({
      ai,
      host: '127.0.0.1',
      incidents: records.incidents,
      jobRuns: records.store,
      ...(monitor.readiness ? { readiness: monitor.readiness } : {}),
    });
}

/** Progress on stderr: one redrawn line on a terminal, plain lines otherwise. */
function progressOutput(io: CliIo): ProgressOutput {
  if (io === processIo && process.stderr.isTTY)
    return { isTTY: true, columns: process.stderr.columns, write: (text) => process.stderr.write(text) };
  return { isTTY: false, write: (text) => io.err(text.replace(/\n$/, '')) };
}

/** `failsoft demo`. */
export const demoCommand: CliCommand = {
  summary:
    'a day of outages replayed in ~30 s against the simulator: core stays up, features degrade, one alert, the record',
  usage: USAGE,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const options = parseDemoArgs(argv);
    if (options.help) {
      io.out(USAGE);
      return 0;
    }
    const pages = options.keep ? await dashboardPages() : undefined;
    let run: DemoRun;
    try {
      run = await runDemo({
        speed: options.speed,
        progress: progressOutput(io),
        keep: options.keep,
        port: options.port,
        ...(pages ? { pages } : {}),
      });
    } catch (error) {
      // A port taken (--keep --port), a temporary directory that cannot be written: said in one line, exit 1.
      io.err(`failsoft demo: cannot run: ${error instanceof Error ? error.message : String(error)}`);
      return 1;
    }
    if (options.json) io.out(JSON.stringify(run.report, null, 2));
    else for (const line of reportText(run.report, run.incidents)) io.out(line);
    const code = exitCodeOf(run.report);
    if (run.stack) {
      const url = run.stack.gateway.url;
      io.err(
        `failsoft demo: still running (Ctrl-C to stop): gateway ${url}${pages ? `, dashboard ${url}/` : ''}, incidents ${url}/admin/incidents, ` +
          `metrics ${url}/metrics, simulator ${run.stack.sim.url}/_sim; OpenAI SDK base URL ${url}/v1 (models summary, chat)`,
      );
      const signal = await untilSignal();
      io.err(`failsoft demo: ${signal}, closing`);
      await run.stack.close();
    }
    return code;
  },
};
