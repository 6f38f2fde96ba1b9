import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../model/errors.js';
import { loadConfigFile, type ResolvedConfig } from '../engine/config/resolve-config.js';
import { EXIT_CODE } from '../monitor/check-result.js';
import { checkReport, pluginLines, reportJson, type CheckReport } from '../monitor/check-report.js';
import { runChecksOnce } from '../monitor/run-checks-once.js';
import type { CliCommand, CliIo } from './cli-command.js';

const USAGE = `Usage: failsoft check [options]

Runs the checks once and exits like a Nagios/Icinga plugin: 0 OK, 1 WARNING (AI degraded or some providers
down), 2 CRITICAL (a core check failed), 3 UNKNOWN (the check could not run: bad config, unreadable file).
The first line is the plugin line (FAILSOFT CRITICAL - db: connection refused (127.0.0.1:5432) | db_ms=3;;;0),
then one line per check with its timing.

Core checks (config checks.core: postgres, redis, http, tcp, command) are never mixed with AI: AI trouble is at
worst a WARNING. A one-shot run has no traffic history, so AI state comes from probes (checks.ai.probes: true:
one cheap request per provider+model on the routes), else from a running serve's /health/ai (--url), else AI
is reported as not checked.

Options:
  --config FILE   failsoft.yaml with the checks (default ./failsoft.yaml when it exists)
  --json          print the report as JSON (same facts, same exit code)
  --only K        core | ai: run only these checks
  --url URL       a running failsoft serve (http://127.0.0.1:8787): AI state from its /health/ai; with no
                  config, core state too, from its /health/ready (the checks as serve last ran them)
  -h, --help      show this help`;

interface CheckCliOptions {
  configFile: string | undefined;
  json: boolean;
  only: 'core' | 'ai' | undefined;
  url: string | undefined;
  help: boolean;
}

/** A problem that means the check could not run (UNKNOWN, exit 3). */
class CheckUnknown extends Error {}

function parseCheckArgs(argv: readonly string[]): CheckCliOptions {
  let values;
  try {
    values = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        config: { type: 'string' },
        json: { type: 'boolean' },
        only: { type: 'string' },
        url: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    throw new CheckUnknown(error instanceof Error ? error.message : String(error));
  }
  const only = values.only;
  if (only !== undefined && only !== 'core' && only !== 'ai')
    throw new CheckUnknown(`--only ${only}: expected core or ai`);
  if (values.url !== undefined && !/^https?:\/\/[^\s/]+/.test(values.url))
    throw new CheckUnknown(`--url ${values.url}: expected http(s)://HOST:PORT of a running failsoft serve`);
  return { configFile: values.config, json: values.json ?? false, only, url: values.url, help: values.help ?? false };
}

async function configOf(
  options: CheckCliOptions,
  env: Record<string, string | undefined>,
  cwd: string,
): Promise<ResolvedConfig | undefined> {
  const file = options.configFile ?? (existsSync(join(cwd, 'failsoft.yaml')) ? join(cwd, 'failsoft.yaml') : undefined);
  if (file === undefined) {
    if (options.url !== undefined) return undefined;
    throw new CheckUnknown(
      'no config: pass --config FILE (or run where failsoft.yaml is), or --url of a running failsoft serve',
    );
  }
  return loadConfigFile(file, env);
}

function print(report: CheckReport, json: boolean, io: CliIo): void {
  if (json) io.out(JSON.stringify(reportJson(report), null, 2));
  else for (const line of pluginLines(report)) io.out(line);
}

/**
 * Runs `failsoft check` with `argv`; resolves to the Nagios exit code. `cwd`: where ./failsoft.yaml is looked for.
 * @example process.exitCode = await runCheck(['--config', 'failsoft.yaml'], processIo, process.env);
 */
export async function runCheck(
  argv: readonly string[],
  io: CliIo,
  env: Record<string, string | undefined> = process.env,
  cwd = process.cwd(),
): Promise<number> {
  let json = argv.includes('--json');
  try {
    const options = parseCheckArgs(argv);
    json = options.json;
    if (options.help) {
      io.out(USAGE);
      return 0;
    }
    const config = await configOf(options, env, cwd);
    const report = await runChecksOnce({
      config,
      env,
      ...(options.only ? { only: options.only } : {}),
      ...(options.url ? { url: options.url } : {}),
    });
    print(report, json, io);
    return EXIT_CODE[report.status];
  } catch (error) {
    if (!(error instanceof CheckUnknown || error instanceof ConfigError)) throw error;
    const report = checkReport(
      [{ name: 'failsoft', group: 'core', status: 'unknown', detail: error.message.replace(/\n\s*/g, '; '), ms: 0 }],
      'skipped',
    );
    print(report, json, io);
    return EXIT_CODE.unknown;
  }
}

/** `failsoft check`. */
export const checkCommand: CliCommand = {
  summary: 'run the core and AI checks once; Nagios exit codes (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN)',
  usage: USAGE,
  async run(argv, io) {
    try {
      return await runCheck(argv, io);
    } catch (error) {
      io.out(`FAILSOFT UNKNOWN - the check itself failed: ${error instanceof Error ? error.message : String(error)}`);
      return EXIT_CODE.unknown;
    }
  },
};
