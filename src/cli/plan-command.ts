import { readFile } from 'node:fs/promises';
import { isTimeZone } from '../engine/config/jobs-schema.js';
import { loadConfigFile, type ResolvedConfig } from '../engine/config/resolve-config.js';
import { ConfigError } from '../model/errors.js';
import { crontabJobs, parseCrontab, renderCrontab } from '../scheduler/crontab.js';
import { planJobs } from '../scheduler/plan-jobs.js';
import { planJson, planText, type CrontabNotes } from '../scheduler/plan-report.js';
import type { Plan, PlanJob } from '../scheduler/plan-types.js';
import { TooFrequentError } from '../scheduler/schedule-shape.js';
import { weekStartUtc } from '../scheduler/zoned-time.js';
import { parseFlags, EXIT_USAGE, UsageError, type CliCommand, type CliIo } from './cli-command.js';

/** Parsed `failsoft plan` flags. */
export interface PlanCliOptions {
  configFile: string;
  json: boolean;
  crontab: boolean;
  fromCrontab: string | undefined;
  /** Period start (ms); undefined = Monday 00:00 UTC of the current week. */
  start: number | undefined;
  /** Time zone of schedules without `tz`; undefined = the machine's (as cron reads a crontab). */
  tz: string | undefined;
  help: boolean;
}

const USAGE = `Usage: failsoft plan [options]

Plans each job's start within its flex so the predicted per-minute load fits every provider's budget
(rpm, itpm, otpm, tpm under providers.<name>.limits) minus planning.reserve, higher priority first,
outside planning.avoid windows where flex allows. Prints the jobs, their planned schedules and delays,
and the load per minute before and after.

Options:
  --config FILE         config with jobs: and planning: (default failsoft.yaml)
  --json                the plan as JSON (jobs[], peak.before/after per provider, feasible, overflows)
  --crontab             a crontab with the planned times, each line keeping the job's command
  --from-crontab FILE   plan the lines of an existing crontab instead of the jobs' schedules: each line's
                        command is matched to a job of the config, whose ai: estimate it takes
  --start DATE          start of the planning period (default: Monday 00:00 UTC of this week)
  --tz ZONE             time zone of schedules without tz (default: the machine's, as cron)
  -h, --help            show this help

The period is a day when every schedule is daily, a week when one names weekdays or an avoid window
names days. Exit codes: 0 the plan fits, 1 it does not (the jobs, minutes and the flex or budget that
would fit are printed; no crontab is written), 2 bad input.`;

function readFlags(argv: readonly string[]) {
  return parseFlags({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      config: { type: 'string' },
      json: { type: 'boolean' },
      crontab: { type: 'boolean' },
      'from-crontab': { type: 'string' },
      start: { type: 'string' },
      tz: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
}

/**
 * Parses `failsoft plan` arguments; throws `UsageError` on an unknown flag or a bad value.
 * @example parsePlanArgs(['--json', '--config', 'jobs.yaml']).json // true
 */
export function parsePlanArgs(argv: readonly string[]): PlanCliOptions {
  const v = readFlags(argv);
  if (v.json === true && v.crontab === true) throw new UsageError('--json and --crontab: choose one output');
  let start: number | undefined;
  if (v.start !== undefined) {
    start = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(v.start) ? `${v.start}T00:00:00Z` : v.start);
    if (Number.isNaN(start)) throw new UsageError(`--start ${v.start}: expected a date like 2026-01-05 or an ISO time`);
  }
  if (v.tz !== undefined && !isTimeZone(v.tz))
    throw new UsageError(`--tz ${v.tz}: not a time zone (use an IANA name like Europe/Paris or UTC)`);
  return {
    configFile: v.config ?? 'failsoft.yaml',
    json: v.json ?? false,
    crontab: v.crontab ?? false,
    fromCrontab: v['from-crontab'],
    start,
    tz: v.tz,
    help: v.help ?? false,
  };
}

/** Bad input the command names and stops on (exit 2). */
class PlanInputError extends Error {}

async function jobsToPlan(
  config: ResolvedConfig,
  fromCrontab: string | undefined,
): Promise<{ jobs: PlanJob[]; notes?: CrontabNotes }> {
  const configured = Object.values(config.jobs ?? {});
  if (fromCrontab === undefined) {
    const missing = configured
      .filter((j) => j.schedule === undefined)
      .map((j) => `jobs.${j.name}.schedule: required to plan (or plan from a crontab with --from-crontab FILE)`);
    if (missing.length > 0) throw new PlanInputError(missing.join('\n'));
    if (configured.length === 0)
      throw new PlanInputError(
        'no jobs to plan: add a jobs: section to the config (schedule, command, ai: { provider, requests, … })',
      );
    return { jobs: configured as PlanJob[] };
  }
  let text: string;
  try {
    text = await readFile(fromCrontab, 'utf8');
  } catch (error) {
    throw new PlanInputError(
      `${fromCrontab}: cannot read crontab (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  const parsed = parseCrontab(text);
  if (parsed.problems.length > 0)
    throw new PlanInputError(parsed.problems.map((p) => `${fromCrontab}:${p.line}: ${p.message}`).join('\n'));
  const matched = crontabJobs(parsed.entries, configured);
  if (matched.jobs.length === 0 && matched.unestimated.length === 0)
    throw new PlanInputError(`${fromCrontab}: no schedule lines to plan`);
  return {
    jobs: matched.jobs,
    notes: {
      file: fromCrontab,
      unestimated: matched.unestimated,
      notInCrontab: matched.notInCrontab,
      skipped: parsed.skipped,
    },
  };
}

function limitsOf(config: ResolvedConfig): Record<string, ResolvedConfig['providers'][string]['limits']> {
  return Object.fromEntries(Object.values(config.providers).map((p) => [p.name, p.limits]));
}

/** Writes the chosen output; the exit code says whether the plan fits. */
function report(
  plan: Plan,
  jobs: PlanJob[],
  options: PlanCliOptions,
  config: ResolvedConfig,
  tz: string,
  notes: CrontabNotes | undefined,
  io: CliIo,
): number {
  if (options.json) io.out(JSON.stringify(planJson(plan, notes), null, 2));
  else if (!options.crontab) for (const line of planText(plan, limitsOf(config), tz, notes)) io.out(line);
  else if (plan.feasible) io.out(renderCrontab(plan, jobs, tz, notes?.unestimated).trimEnd());
  else {
    io.err('failsoft plan: the jobs do not fit their budgets: no crontab written');
    for (const line of planText(plan, limitsOf(config), tz, notes).filter(
      (_, i, all) => i >= all.indexOf('Over budget:'),
    ))
      io.err(line);
  }
  if (options.crontab && notes !== undefined)
    for (const u of notes.unestimated)
      io.err(`${notes.file}:${u.line}: no AI estimate for "${u.command}": kept at ${u.schedule}, not planned`);
  return plan.feasible ? 0 : 1;
}

/** `failsoft plan`. */
export const planCommand: CliCommand = {
  summary: "plan AI cron jobs inside the providers' rate budgets (table, --json, --crontab)",
  usage: USAGE,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const options = parsePlanArgs(argv);
    if (options.help) {
      io.out(USAGE);
      return 0;
    }
    try {
      const config = await loadConfigFile(options.configFile);
      const { jobs, notes } = await jobsToPlan(config, options.fromCrontab);
      const tz = options.tz ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
      const plan = planJobs({
        jobs,
        limits: limitsOf(config),
        reserve: config.planning?.reserve ?? 0.2,
        avoid: config.planning?.avoid ?? [],
        periodStart: options.start ?? weekStartUtc(Date.now()),
        defaultTz: tz,
      });
      return report(plan, jobs, options, config, tz, notes, io);
    } catch (error) {
      if (error instanceof ConfigError || error instanceof PlanInputError || error instanceof TooFrequentError) {
        io.err(`failsoft plan: ${error.message}`);
        return EXIT_USAGE;
      }
      throw error;
    }
  },
};
