import { ConfigError } from '../model/errors.js';
import { loadConfigFile, type ResolvedConfig } from '../engine/config/resolve-config.js';
import { createStore } from '../store/create-store.js';
import type { JobRunRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { JobSlots } from '../scheduler/job-slots.js';
import { slottedJobs } from '../scheduler/runner-plan.js';
import { parseFlags, EXIT_USAGE, UsageError, type CliCommand, type CliIo } from './cli-command.js';

const USAGE = `Usage: failsoft jobs [options]

Each job of the config: its schedule, its planned schedule (as failsoft plan places it), its next run, and its last
runs from the record store (status, exit code, attempts, duration, where it ran, why it failed).

Options:
  --config FILE   config with jobs: (default failsoft.yaml)
  --json          as JSON: { jobs: [{ name, schedule, tz, plannedSchedule, delayMinutes, nextRun, runs: [...] }] }
  --runs N        last runs shown per job (default 5)
  -h, --help      show this help

Reads the store the config names (DATABASE_URL, else PGlite in store.dir: while a failsoft serve or run-jobs holds
that directory, only it can read it). Exit codes: 0, 1 the store cannot be read, 2 bad input.`;

/** One run as `failsoft jobs --json` shows it. */
export interface JobRunJson {
  id: string;
  plannedAt: string;
  status: JobRunRecord['status'];
  attempts: number;
  exitCode: number | null;
  /** From the first attempt's start to the end (or to now while running); null before it started. */
  durationMs: number | null;
  startedAt: string | null;
  finishedAt: string | null;
  instance: string;
  detail: string | null;
  stderrTail: string | null;
}

/** One job as `failsoft jobs --json` shows it. */
export interface JobJson {
  name: string;
  schedule: string | null;
  tz: string;
  plannedSchedule: string[];
  delayMinutes: number;
  nextRun: string | null;
  runs: JobRunJson[];
}

function parseJobsArgs(argv: readonly string[]): { configFile: string; json: boolean; runs: number; help: boolean } {
  const values = parseFlags({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      config: { type: 'string' },
      json: { type: 'boolean' },
      runs: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
  const runs = values.runs === undefined ? 5 : Number(values.runs);
  if (!Number.isInteger(runs) || runs < 0 || runs > 1000)
    throw new UsageError(`--runs ${values.runs}: expected an integer from 0 to 1000`);
  return { configFile: values.config ?? 'failsoft.yaml', json: values.json ?? false, runs, help: values.help ?? false };
}

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

function runJson(run: JobRunRecord, now: number): JobRunJson {
  const end = run.finishedAt ?? (run.status === 'running' ? now : undefined);
  return {
    id: run.id,
    plannedAt: new Date(run.plannedAt).toISOString(),
    status: run.status,
    attempts: run.attempt,
    exitCode: run.exitCode ?? null,
    durationMs: run.startedAt === undefined || end === undefined ? null : end - run.startedAt,
    startedAt: iso(run.startedAt),
    finishedAt: iso(run.finishedAt),
    instance: run.instance,
    detail: run.detail ?? null,
    stderrTail: run.stderrTail ?? null,
  };
}

/**
 * Each job of the config with its plan, next run and last `runs` runs read from `store`.
 * @example await jobsJson(config, store, Date.now(), 5, 'UTC')
 */
export async function jobsJson(
  config: ResolvedConfig,
  store: Store,
  now: number,
  runs: number,
  tz: string,
): Promise<JobJson[]> {
  const plan = slottedJobs(config, now, tz);
  const slotted = new Map(plan.jobs.map((s) => [s.job.name, s]));
  const out: JobJson[] = [];
  for (const job of Object.values(config.jobs ?? {})) {
    const s = slotted.get(job.name);
    const next = s === undefined ? undefined : new JobSlots(s).next(now);
    const records = runs === 0 ? [] : await store.listJobRuns({ job: job.name, limit: runs });
    out.push({
      name: job.name,
      schedule: job.schedule ?? null,
      tz: job.tz ?? tz,
      plannedSchedule: plan.plannedSchedules[job.name] ?? (job.schedule === undefined ? [] : [job.schedule]),
      delayMinutes: (s?.delayMs ?? 0) / 60_000,
      nextRun: iso(next),
      runs: records.map((r) => runJson(r, now)),
    });
  }
  return out;
}

function seconds(ms: number | null): string {
  if (ms === null) return '-';
  return ms < 1000
    ? `${ms} ms`
    : ms < 120_000
      ? `${Math.round(ms / 100) / 10} s`
      : `${Math.round(ms / 6_000) / 10} min`;
}

/** The readable form: one block per job, its runs indented below it. */
export function jobsText(jobs: readonly JobJson[]): string[] {
  const lines: string[] = [];
  for (const job of jobs) {
    const planned =
      job.delayMinutes === 0 ? '' : ` → planned ${job.plannedSchedule.join(' | ')} (+${job.delayMinutes} min)`;
    lines.push(
      `${job.name}  ${job.schedule ?? '(no schedule: not run)'} ${job.tz}${planned}  next ${job.nextRun ?? '-'}`,
    );
    if (job.runs.length === 0) lines.push('  no runs yet');
    for (const r of job.runs) {
      const exit = r.exitCode === null ? '' : `  exit ${r.exitCode}`;
      const detail = r.status === 'succeeded' || r.detail === null ? '' : `  ${r.detail}`;
      lines.push(
        `  ${r.plannedAt}  ${r.status.padEnd(9)}${exit}  attempts ${r.attempts}  ${seconds(r.durationMs)}  on ${r.instance}${detail}`,
      );
    }
  }
  return lines;
}

/** `failsoft jobs`. */
export const jobsCommand: CliCommand = {
  summary: "each job's planned schedule, next run and last runs (status, exit code, attempts, duration)",
  usage: USAGE,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const options = parseJobsArgs(argv);
    if (options.help) {
      io.out(USAGE);
      return 0;
    }
    let config: ResolvedConfig;
    try {
      config = await loadConfigFile(options.configFile);
    } catch (error) {
      if (error instanceof ConfigError) {
        io.err(`failsoft jobs: ${error.message}`);
        return EXIT_USAGE;
      }
      throw error;
    }
    if (Object.keys(config.jobs ?? {}).length === 0) {
      io.err(`failsoft jobs: ${options.configFile} has no jobs`);
      return EXIT_USAGE;
    }
    let created;
    try {
      created = createStore(config.store, process.env);
    } catch (error) {
      io.err(`failsoft jobs: ${error instanceof Error ? error.message : String(error)}`);
      return EXIT_USAGE;
    }
    try {
      await created.store.migrate();
      const jobs = await jobsJson(
        config,
        created.store,
        Date.now(),
        options.runs,
        Intl.DateTimeFormat().resolvedOptions().timeZone,
      );
      if (options.json) io.out(JSON.stringify({ jobs }, null, 2));
      else for (const line of jobsText(jobs)) io.out(line);
      return 0;
    } catch (error) {
      io.err(
        `failsoft jobs: cannot read the runs from ${created.where}: ${error instanceof Error ? error.message : String(error)}`,
      );
      return 1;
    } finally {
      await created.store.close();
    }
  },
};
