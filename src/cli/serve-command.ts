import { ConfigError } from '../model/errors.js';
import { createFailsoft, type Failsoft } from '../engine/failsoft.js';
import type { FailsoftConfig } from '../engine/config/config-schema.js';
import { loadConfigFile, type ResolvedConfig } from '../engine/config/resolve-config.js';
import { servingFindings } from '../engine/config/serving-checks.js';
import { startGateway, type RunningGateway } from '../gateway/gateway-server.js';
import { attachEventLog, LineLog, LOG_LEVELS, type LogLevel } from '../gateway/event-log.js';
import type { RunningSimulator } from '../sim/start-simulator.js';
import { parseFlags, EXIT_USAGE, UsageError, type CliCommand, type CliIo } from './cli-command.js';
import { startServeRecords, type ServeRecords } from './serve-records.js';
import { startServeMonitor, type ServeMonitor } from '../monitor/serve-monitor.js';
import { jobKeys, withJobClients, type JobKeys } from '../scheduler/job-keys.js';
import { startServeJobs, type ServeJobs } from './serve-jobs.js';
import { listenFailure } from './listen-failure.js';
import { DEFAULT_SERVE_SIM_PORT, startServeSimulator } from './serve-simulator.js';
import { createDashboard } from '../dashboard/index.js';

/** Parsed `failsoft serve` flags. */
export interface ServeCliOptions {
  configFile: string | undefined;
  port: number;
  host: string;
  help: boolean;
  /**
   * `--sim-port`: the simulator's port without a config (0 = any free port). Unset: 8700, or any free
   * port with a warning when 8700 is taken.
   */
  simPort?: number;
  /** `--log-level`; default `FAILSOFT_LOG_LEVEL`, else `info`. */
  logLevel?: LogLevel;
  /** `--strict`: a config warning (a provider's key variable not set, …) stops start-up. */
  strict?: boolean;
}

const USAGE = `Usage: failsoft serve [options]

Serves the OpenAI (POST /v1/chat/completions) and Anthropic (POST /v1/messages) APIs in front of the
engine: point an SDK's base URL at it and the request's "model" names a feature.

Options:
  --config FILE   failsoft.yaml to serve (default: none — starts the simulator and an example config)
  --port N        port to listen on (default 8787; 0 = any free port)
  --host HOST     interface to listen on (default 127.0.0.1)
  --sim-port N    without --config: the simulator's port (default ${DEFAULT_SERVE_SIM_PORT}, where README's fault examples
                  point; if it is taken, any free port, said at start; 0 = any free port); its control API
                  (faults, limits, stats) is under /_sim there
  --log-level L   silent | warn | info | debug (default info): JSON lines on stdout; info logs every state
                  change (provider opened/closed, feature mode, budget, switches), debug also every request
  --strict        refuse to start on a config warning, not only on an error: a provider's apiKeyEnv variable
                  that is not set, or only critical features (exit code 2, naming the key)
  -h, --help      show this help

Routes: POST /v1/chat/completions, POST /v1/messages, GET /v1/models, GET /health, GET /health/ready, GET /health/ai,
GET /metrics (Prometheus), /admin/* (GET state, incidents?since=24h, incidents/ID; POST switches/global,
switches/features/NAME, providers/NAME/open|close), GET / (the dashboard: providers, features, kill switches, jobs
and incidents, refreshed every second; its state needs FAILSOFT_ADMIN_TOKEN when set, else a loopback --host).

Core checks (config checks.core: postgres, redis, http, tcp, command) run every checks.interval (default 15s):
/health/ready answers 503 while one fails, listing them (never for AI: that is /health/ai); a failing check is a
critical incident. Alerts (config alerts: slack, webhook, log channels) send one message when an incident opens,
one when its severity rises, one when it resolves.

A config with jobs: has them run here too, at their planned times, as failsoft run-jobs does (see its --help); each
job calls this gateway (OPENAI_BASE_URL, ANTHROPIC_BASE_URL) with its own key, as batch-priority traffic.

State changes group into incidents (config incidents.quietPeriod, default 5m: how long everything must stay healthy
before one closes); kill switches flipped at run time are restored at the next start.

Environment:
  FAILSOFT_ADMIN_TOKEN  bearer token for /admin/*; unset: admin is served only on a loopback --host (403 elsewhere)
                        and never to a browser page; set but blank: start-up fails; 10 wrong tokens a minute from
                        one address: 429 for that address until the minute ends
  FAILSOFT_LOG_LEVEL    the log level when --log-level is not given
  DATABASE_URL          keep the record (events, incidents, kill switches, per-minute request counts) in this
                        PostgreSQL, shared by every instance; unset: PGlite in the config's store.dir (./.failsoft);
                        the built-in example keeps it in memory. A store that cannot be opened falls back to memory
                        with a warning (an error with --strict); failsoft incidents reads it
  FAILSOFT_INSTANCE     this instance's name on every record (default HOST:PORT, or HOST:PID with --port 0)
  REDIS_URL             share rate budgets, open breakers and Retry-After cool-downs with every instance on this
                        Redis (FAILSOFT_REDIS_PREFIX names the shared set, default failsoft:); if Redis goes away,
                        requests go on with local state and /health/ai, /metrics and the log say so
  AI_ENABLED=false      every AI feature off: enhanced features answer with their fallback, ai-only ones 503

Client keys, model aliases and browser origins come from the config's "gateway" section (clients: NAME: { keyHash:
"sha256:HEX", features, priority }, aliases: ALIAS: FEATURE, corsOrigins: [https://app.example.com]); with clients set,
every AI route needs a key. Web pages (requests with Origin or Sec-Fetch-Site) are refused on the AI routes unless
their origin is in corsOrigins; curl, SDKs and servers are not affected.

At start, a config that serves nothing (empty file, no feature) is an error; a provider whose apiKeyEnv variable is
not set is a warning (an error with --strict).`;

/**
 * Parses `failsoft serve` arguments; throws `UsageError` on an unknown flag or a bad value.
 * @example parseServeArgs(['--port', '0']).port // 0
 */
export function parseServeArgs(argv: readonly string[]): ServeCliOptions {
  const values = readServeFlags(argv);
  const port = values.port === undefined ? 8787 : Number(values.port);
  if (values.port !== undefined && (!/^\d+$/.test(values.port) || port > 65_535))
    throw new UsageError(`--port ${values.port}: expected an integer from 0 to 65535`);
  const simPort = simPortOf(values['sim-port'], values.config, port);
  const logLevel = values['log-level'];
  if (logLevel !== undefined && !isLogLevel(logLevel))
    throw new UsageError(`--log-level ${logLevel}: expected one of ${LOG_LEVELS.join(', ')}`);
  return {
    configFile: values.config,
    port,
    host: values.host ?? '127.0.0.1',
    help: values.help ?? false,
    ...(logLevel === undefined ? {} : { logLevel }),
    ...(values.strict === true ? { strict: true } : {}),
    ...(simPort === undefined ? {} : { simPort }),
  };
}

function readServeFlags(argv: readonly string[]) {
  return parseFlags({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      config: { type: 'string' },
      port: { type: 'string' },
      'sim-port': { type: 'string' },
      host: { type: 'string' },
      'log-level': { type: 'string' },
      strict: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
}

/** `--sim-port`: only without `--config`, and never the gateway's own port. */
function simPortOf(text: string | undefined, configFile: string | undefined, gatewayPort: number): number | undefined {
  if (text === undefined) {
    if (gatewayPort === DEFAULT_SERVE_SIM_PORT && configFile === undefined) {
      throw new UsageError(
        `--port ${gatewayPort} is the simulator's default port too: pick another --sim-port, or another --port`,
      );
    }
    return undefined;
  }
  const simPort = Number(text);
  if (!/^\d+$/.test(text) || simPort > 65_535)
    throw new UsageError(`--sim-port ${text}: expected an integer from 0 to 65535`);
  if (configFile !== undefined)
    throw new UsageError(
      `--sim-port ${text}: only without --config (the simulator runs only for the built-in example; failsoft sim --port N runs one on its own)`,
    );
  if (simPort !== 0 && simPort === gatewayPort)
    throw new UsageError(`--sim-port ${text}: the gateway listens there (--port): the two need different ports`);
  return simPort;
}

function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/** `--log-level`, else FAILSOFT_LOG_LEVEL, else info; a bad environment value is a usage error naming it. */
function logLevelOf(options: ServeCliOptions, env: Record<string, string | undefined>): LogLevel {
  if (options.logLevel !== undefined) return options.logLevel;
  const fromEnv = env.FAILSOFT_LOG_LEVEL;
  if (fromEnv === undefined || fromEnv === '') return 'info';
  if (!isLogLevel(fromEnv))
    throw new UsageError(`FAILSOFT_LOG_LEVEL=${fromEnv}: expected one of ${LOG_LEVELS.join(', ')}`);
  return fromEnv;
}

/**
 * The built-in example: three simulated providers, `summary` (enhanced, falls back to its first
 * sentences) and `chat` (ai-only), each routed across all three.
 * @example createFailsoft(exampleConfig(sim), { env: {} })
 */
export function exampleConfig(sim: RunningSimulator): FailsoftConfig {
  return {
    providers: {
      claude: { type: 'anthropic', baseUrl: sim.urlFor('anthropic'), apiKey: 'sim-key' },
      gpt: { type: 'openai', baseUrl: sim.urlFor('openai'), apiKey: 'sim-key' },
      gemini: { type: 'gemini', baseUrl: sim.urlFor('gemini'), apiKey: 'sim-key' },
    },
    features: {
      summary: {
        tier: 'enhanced',
        route: ['claude/claude-sonnet-4-5', 'gpt/gpt-4o-mini', 'gemini/gemini-2.5-flash'],
        fallback: { leadSentences: 2 },
      },
      chat: { tier: 'ai-only', route: ['claude/claude-sonnet-4-5', 'gpt/gpt-4o', 'gemini/gemini-2.5-flash'] },
    },
  };
}

/**
 * The start-up checks of a config file: throws `ConfigError` for what would serve nothing (and, with
 * `--strict`, for every warning); returns the warnings to print, each naming its key.
 */
function checkServing(config: ResolvedConfig, options: ServeCliOptions): string[] {
  const findings = servingFindings(config);
  const fatal = findings.filter((f) => f.severity === 'error' || options.strict === true);
  if (fatal.length > 0) {
    throw new ConfigError(
      fatal.map((f) => ({
        path: f.path,
        message: f.severity === 'error' ? f.message : `${f.message} (an error under --strict)`,
      })),
      options.configFile,
    );
  }
  return findings.map((f) => `${f.path}: ${f.message}`);
}

/** A running `failsoft serve`: the gateway, its engine, and the simulator when it runs the example. */
export interface RunningServe {
  gateway: RunningGateway;
  ai: Failsoft;
  sim: RunningSimulator | undefined;
  /** Stops accepting, finishes in-flight requests, then closes the engine and the simulator. */
  close(): Promise<void>;
}

/**
 * Starts what `failsoft serve` runs and logs its first lines (the first says which config it serves).
 * @example const serve = await startServe({ configFile: undefined, port: 0, host: '127.0.0.1', help: false }, io);
 */
export async function startServe(
  options: ServeCliOptions,
  io: CliIo,
  env: Record<string, string | undefined> = process.env,
): Promise<RunningServe> {
  const log = new LineLog(logLevelOf(options, env), (line) => io.out(line));
  let sim: RunningSimulator | undefined;
  let ai: Failsoft;
  let configWarnings: string[] = [];
  let keys: JobKeys = { keys: {}, clients: {} };
  let simWarnings: string[] = [];
  if (options.configFile === undefined) {
    ({ sim, warnings: simWarnings } = await startServeSimulator(options.simPort));
    ai = createFailsoft(exampleConfig(sim), { env: {} });
  } else {
    const config = await loadConfigFile(options.configFile, env);
    configWarnings = checkServing(config, options);
    // Each job gets its own key, known to the gateway as an optional batch-priority client.
    keys = jobKeys(Object.keys(config.jobs ?? {}));
    ai = createFailsoft(withJobClients(config, keys), { env });
  }
  let gateway: RunningGateway;
  let records: ServeRecords | undefined;
  let monitor: ServeMonitor | undefined;
  let jobs: ServeJobs | undefined;
  const warnings = [...configWarnings.map((line) => `failsoft serve: warning: ${line}`), ...simWarnings];
  try {
    records = await startServeRecords(
      ai,
      { example: sim !== undefined, port: options.port, strict: options.strict === true },
      env,
      log,
    );
    warnings.push(...records.warnings);
    monitor = await startServeMonitor(ai.config, records, {
      env,
      engine: ai,
      writeLog: (line) => io.err(line),
      log: (level, message, fields) => log.log(level, message, fields),
    });
    const { readiness, alertCounts } = monitor;
    // The operator's page at `/` (read rule and toggles: src/dashboard/dashboard-access.ts).
    const pages = createDashboard({
      ai,
      host: options.host,
      env,
      incidents: records.incidents,
      jobRuns: records.store,
      ...(readiness ? { readiness } : {}),
    });
    gateway = await startGateway({
      ai,
      port: options.port,
      host: options.host,
      env,
      idleTrim: true,
      log: (line) => warnings.push(line),
      incidents: records.incidents,
      storeStatus: records.storeStatus,
      pages,
      ...(readiness ? { readiness } : {}),
      ...(alertCounts ? { alertCounts } : {}),
      ...(log.enabled('debug') ? { accessLog: (entry) => log.request(entry) } : {}),
    });
  } catch (error) {
    await monitor?.close(0);
    await records?.close();
    await ai.close();
    await sim?.close();
    // Node's "listen EADDRINUSE …" names neither the fix nor the flag.
    throw listenFailure(error, options.port, '--port');
  }
  try {
    // Jobs call this gateway on the loopback address (a wildcard one is where it listens, not where to connect).
    const wildcardHost = options.host === '0.0.0.0' || options.host === '::';
    jobs = await startServeJobs(
      ai,
      records,
      wildcardHost ? `http://127.0.0.1:${gateway.port}` : gateway.url,
      keys,
      log,
      env,
    );
  } catch (error) {
    await gateway.close();
    await monitor.close(0);
    await records.close();
    await ai.close();
    await sim?.close();
    throw error;
  }
  if (sim)
    io.out(
      `failsoft serve: no --config given: serving the built-in example config (features summary, chat) against the simulator at ${sim.url} (faults, limits, stats: ${sim.url}/_sim)`,
    );
  else io.out(`failsoft serve: serving ${options.configFile} (features ${Object.keys(ai.config.features).join(', ')})`);
  // A wildcard address is where it listens, not where a client connects: show the loopback URL for SDKs.
  const wildcard = options.host === '0.0.0.0' || options.host === '::';
  const base = wildcard ? `http://127.0.0.1:${gateway.port}` : gateway.url;
  io.out(
    `failsoft gateway listening on ${gateway.url}  (OpenAI SDK base URL ${base}/v1; Anthropic SDK base URL ${base})`,
  );
  const clients = Object.values(ai.config.gateway?.clients ?? {}).filter((c) => c.optional !== true).length;
  if (clients > 0)
    io.out(
      `failsoft serve: ${clients} client key(s) configured: AI routes need Authorization: Bearer <key> or x-api-key`,
    );
  for (const line of [...records.lines, ...monitor.lines, ...(jobs?.lines ?? [])]) io.out(line);
  for (const warning of warnings) io.err(warning);
  const stopLogging = attachEventLog(ai, log);
  return {
    gateway,
    ai,
    sim,
    async close(): Promise<void> {
      // Jobs first: they call the gateway.
      await jobs?.close();
      await gateway.close();
      // Checks stop; alert deliveries under way get a moment to end.
      await monitor.close();
      // The open incident as it stands and the last records, flushed (time-bounded) before the store closes.
      await records.close();
      stopLogging();
      await ai.close();
      await sim?.close();
    },
  };
}

function untilSignal(): Promise<string> {
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

/** `failsoft serve`. */
export const serveCommand: CliCommand = {
  summary: 'serve the OpenAI- and Anthropic-compatible gateway (the simulator and an example config without --config)',
  usage: USAGE,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const options = parseServeArgs(argv);
    if (options.help) {
      io.out(USAGE);
      return 0;
    }
    let serve: RunningServe;
    try {
      serve = await startServe(options, io);
    } catch (error) {
      if (error instanceof ConfigError || error instanceof UsageError) {
        io.err(`failsoft serve: ${error.message}`);
        return EXIT_USAGE;
      }
      io.err(`failsoft serve: cannot start: ${error instanceof Error ? error.message : String(error)}`);
      return 1;
    }
    const signal = await untilSignal();
    io.err(`failsoft serve: ${signal}, finishing in-flight requests and closing`);
    await serve.close();
    return 0;
  },
};
