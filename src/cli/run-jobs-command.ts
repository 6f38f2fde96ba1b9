import { ConfigError } from '../model/errors.js';
import { EventBus } from '../engine/events.js';
import { describeEvent } from '../engine/event-messages.js';
import { loadConfigFile } from '../engine/config/resolve-config.js';
import { LineLog } from '../gateway/event-log.js';
import { openRecordStore, StoreConfigError } from '../store/create-store.js';
import { IncidentTracker } from '../store/incident-tracker.js';
import { startJobRunner } from '../scheduler/start-job-runner.js';
import { parseFlags, EXIT_USAGE, untilSignal, type CliCommand, type CliIo } from './cli-command.js';

const USAGE = `Usage: failsoft run-jobs [options]

Runs the config's jobs: at their planned times (the schedule moved as failsoft plan places it), each argv as its own
process group (no shell unless shell: true), SIGTERM at its timeout and SIGKILL after killGrace; retries with
backoff x multiplier; overlap skip | queue | allow; catchUp once runs a slot missed while no runner ran; ai-only jobs
wait while every provider is down (read from scheduler.gatewayUrl's /health/ai), within their flex. Every run is
recorded (status, exit code, attempts, duration, the last 4 KiB of stdout and stderr: failsoft jobs) and every
transition is an event (job-started, job-failed, job-retrying, job-deferred, job-succeeded) that joins incidents.

Options:
  --config FILE   config with jobs: (default failsoft.yaml)
  -h, --help      show this help

Environment:
  DATABASE_URL       share the schedule through PostgreSQL: several run-jobs / serve processes with the same
                     config start each planned run exactly once (claimed in the database, leased while it runs; a run
                     whose runner died is taken over when its lease runs out, and retried if retries remain).
                     Unset: PGlite in store.dir, one runner only.
  FAILSOFT_INSTANCE  this runner's name on its records (default HOST:PID)
  FAILSOFT_LOG_LEVEL silent | warn | info | debug (default info)

Each job gets FAILSOFT_JOB, FAILSOFT_RUN_ID, FAILSOFT_SCHEDULED_AT (the planned slot, ISO) and FAILSOFT_ATTEMPT, and
with scheduler.gatewayUrl OPENAI_BASE_URL (URL/v1) and ANTHROPIC_BASE_URL. Inside failsoft serve (which runs the jobs
itself when the config has some) each job also gets its own key, so its calls are batch-priority traffic.`;

function parseRunJobsArgs(argv: readonly string[]): { configFile: string; help: boolean } {
  const { values } = parseFlags({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: { config: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  return { configFile: values.config ?? 'failsoft.yaml', help: values.help ?? false };
}

/**
 * Runs the jobs until `stop` resolves (a signal, in the CLI); resolves to the exit code.
 * @example await runJobs('failsoft.yaml', io, process.env, untilSignal())
 */
export async function runJobs(
  configFile: string,
  io: CliIo,
  env: Record<string, string | undefined>,
  stop: Promise<string>,
): Promise<number> {
  const level =
    env.FAILSOFT_LOG_LEVEL === 'silent' || env.FAILSOFT_LOG_LEVEL === 'warn' || env.FAILSOFT_LOG_LEVEL === 'debug'
      ? env.FAILSOFT_LOG_LEVEL
      : 'info';
  const log = new LineLog(level, (line) => io.out(line));
  let config;
  try {
    config = await loadConfigFile(configFile, env);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.err(`failsoft run-jobs: ${error.message}`);
      return EXIT_USAGE;
    }
    throw error;
  }
  if (Object.keys(config.jobs ?? {}).length === 0) {
    io.err(`failsoft run-jobs: ${configFile} has no jobs: add a jobs: section (schedule, command, …)`);
    return EXIT_USAGE;
  }
  let records;
  try {
    records = await openRecordStore(config.store, env, {
      log: (lvl, message, fields) => log.log(lvl === 'error' ? 'warn' : lvl, message, fields),
    });
  } catch (error) {
    io.err(
      `failsoft run-jobs: the record store cannot be opened, so no job runs (runs must be claimed in it): ${error instanceof Error ? error.message : String(error)}`,
    );
    return error instanceof StoreConfigError ? EXIT_USAGE : 1;
  }
  const bus = new EventBus();
  const tracker = new IncidentTracker({
    sink: records.writer,
    instance: records.instance,
    ...(config.incidents === undefined ? {} : { quietPeriodMs: config.incidents.quietPeriodMs }),
  });
  const stopTracking = tracker.attach(bus);
  const offLog = bus.on('*', (event) => {
    const [lvl, message] = describeEvent(event);
    const { at, type, ...fields } = event;
    log.log(lvl, message, { event: type, at: new Date(at).toISOString(), ...fields });
  });
  try {
    const started = await startJobRunner({
      config,
      store: records.store,
      backend: records.backend,
      instance: records.instance,
      events: bus,
      baseEnv: env,
      log: (lvl, message) => log.log(lvl, message),
    });
    if (started === undefined) {
      io.err(`failsoft run-jobs: no job of ${configFile} has a schedule: nothing to run`);
      return EXIT_USAGE;
    }
    io.out(
      `failsoft run-jobs: running ${Object.keys(config.jobs ?? {}).length} job(s) of ${configFile}; records: ${records.where}, instance ${records.instance}`,
    );
    for (const line of started.lines) io.out(`failsoft run-jobs: ${line}`);
    const signal = await stop;
    io.err(
      `failsoft run-jobs: ${signal}: stopping running jobs (their runs are taken over when their lease runs out) and closing`,
    );
    await started.runner.stop();
    return 0;
  } finally {
    offLog();
    stopTracking();
    await records.close();
  }
}

/** `failsoft run-jobs`. */
export const runJobsCommand: CliCommand = {
  summary:
    "run the config's jobs at their planned times (retries, overlap, deferral; one run per slot across instances with DATABASE_URL)",
  usage: USAGE,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const options = parseRunJobsArgs(argv);
    if (options.help) {
      io.out(USAGE);
      return 0;
    }
    return runJobs(options.configFile, io, process.env, untilSignal());
  },
};
