import { cronProblem } from '../engine/config/jobs-schema.js';
import type { ResolvedJob } from '../engine/config/jobs-config.js';
import type { Plan, PlanJob } from './plan-types.js';
import { cronFields, joinFields } from './schedule-shape.js';
import { quoteArgv, shellSplit } from './shell-words.js';

/** A schedule line read from a crontab. */
export interface CrontabEntry {
  /** 1-based line number. */
  line: number;
  schedule: string;
  /** The command as the shell sees it (`\%` read back as `%`). */
  command: string;
  /** From a `CRON_TZ=` line above it. */
  tz?: string;
  /** From a `# failsoft job: NAME` comment right above it. */
  jobName?: string;
}

/** A crontab line that could not be read. */
export interface CrontabProblem {
  line: number;
  message: string;
}

const JOB_COMMENT = /^#\s*failsoft job:\s*([A-Za-z0-9_.-]+)/;

/**
 * Reads a crontab: schedule lines (5 fields or an `@daily`-style nickname), `CRON_TZ=` lines and the
 * `# failsoft job:` comments this module writes; other comments and variable lines are passed over, `@reboot` lines
 * are listed in `skipped` (no time to plan), unreadable lines in `problems`.
 * @example parseCrontab('0 9 * * * /path/to/ai-job1\n').entries[0]?.command // '/path/to/ai-job1'
 */
export function parseCrontab(text: string): {
  entries: CrontabEntry[];
  problems: CrontabProblem[];
  skipped: CrontabProblem[];
} {
  const entries: CrontabEntry[] = [];
  const problems: CrontabProblem[] = [];
  const skipped: CrontabProblem[] = [];
  let tz: string | undefined;
  let jobName: string | undefined;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const text = raw.trim();
    const named = JOB_COMMENT.exec(text);
    if (named) {
      jobName = named[1];
      return;
    }
    if (text === '' || text.startsWith('#')) return;
    const variable = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(text);
    if (variable) {
      if (variable[1] === 'CRON_TZ' || variable[1] === 'TZ') tz = variable[2]?.replace(/^["']|["']$/g, '') || undefined;
      return;
    }
    const fields = text.split(/\s+/);
    const nickname = fields[0]?.startsWith('@') === true;
    const count = nickname ? 1 : 5;
    const schedule = fields.slice(0, count).join(' ');
    const match = nickname ? /^\S+\s+/.exec(text) : /^(\S+\s+){5}/.exec(text);
    const commandText = match ? text.slice(match[0].length) : '';
    if (fields[0] === '@reboot') {
      skipped.push({ line, message: `@reboot has no time to plan: left out (${text})` });
      jobName = undefined;
      return;
    }
    const problem = cronProblem(schedule, tz);
    if (problem !== undefined || commandText === '') {
      problems.push({ line, message: problem ?? 'no command after the schedule' });
    } else {
      // An unescaped % starts the command's standard input: the command is what comes before it.
      const command =
        commandText
          .split(/(?<!\\)%/)[0]
          ?.replace(/\\%/g, '%')
          .trim() ?? '';
      const entry: CrontabEntry = { line, schedule, command };
      if (tz !== undefined) entry.tz = tz;
      if (jobName !== undefined) entry.jobName = jobName;
      entries.push(entry);
    }
    jobName = undefined;
  });
  return { entries, problems, skipped };
}

/** How a job's command is written in a crontab: argv shell-quoted, a shell command as it is; `%` escaped. */
export function crontabCommand(job: Pick<ResolvedJob, 'command' | 'shell'>): string {
  const line = job.shell ? (job.command[0] ?? '') : quoteArgv(job.command);
  return line.replace(/%/g, '\\%');
}

/** The config job a crontab command runs: by the `# failsoft job:` name, else by argv, else by shell text. */
function matchJob(entry: CrontabEntry, jobs: readonly ResolvedJob[]): ResolvedJob | undefined {
  if (entry.jobName !== undefined) {
    const named = jobs.find((j) => j.name === entry.jobName);
    if (named) return named;
  }
  const argv = shellSplit(entry.command);
  return jobs.find((j) => {
    if (j.shell) return (j.command[0] ?? '').trim() === entry.command;
    return argv !== undefined && argv.length === j.command.length && argv.every((a, i) => a === j.command[i]);
  });
}

/** A crontab read against the config: the jobs to plan, and the lines that have no AI estimate. */
export interface CrontabJobs {
  jobs: PlanJob[];
  /** Lines whose command is no configured job, or a job without `ai`: they keep their time. */
  unestimated: { line: number; schedule: string; command: string; job?: string }[];
  /** Configured jobs that no crontab line runs. */
  notInCrontab: string[];
}

/**
 * Turns crontab entries into jobs to plan, each taking the schedule of its line and the estimate of its config job.
 * A command run by several lines becomes `name`, `name#2`, …
 * @example crontabJobs(parseCrontab(text).entries, Object.values(config.jobs ?? {}))
 */
export function crontabJobs(entries: readonly CrontabEntry[], jobs: readonly ResolvedJob[]): CrontabJobs {
  const out: PlanJob[] = [];
  const unestimated: CrontabJobs['unestimated'] = [];
  const seen = new Map<string, number>();
  for (const entry of entries) {
    const job = matchJob(entry, jobs);
    if (job === undefined || job.ai === undefined) {
      unestimated.push({
        line: entry.line,
        schedule: entry.schedule,
        command: entry.command,
        ...(job ? { job: job.name } : {}),
      });
      continue;
    }
    const n = (seen.get(job.name) ?? 0) + 1;
    seen.set(job.name, n);
    const planned: PlanJob = { ...job, name: n === 1 ? job.name : `${job.name}#${n}`, schedule: entry.schedule };
    if (entry.tz !== undefined) planned.tz = entry.tz;
    else delete planned.tz;
    out.push(planned);
  }
  const notInCrontab = jobs
    .filter((j) => !seen.has(j.name) && !unestimated.some((u) => u.job === j.name))
    .map((j) => j.name);
  return { jobs: out, unestimated, notInCrontab };
}

/**
 * A crontab with the planned times: one `# failsoft job:` comment and one line per planned schedule, keeping each
 * job's command; a job in another time zone than the default gets `CRON_TZ` lines around it. Seconds cannot be
 * written in a crontab: a 6-field schedule keeps its minute.
 * @example renderCrontab(plan, jobs, 'UTC')
 */
export function renderCrontab(
  plan: Plan,
  jobs: readonly PlanJob[],
  defaultTz: string,
  keep: CrontabJobs['unestimated'] = [],
): string {
  const byName = new Map(jobs.map((j) => [j.name, j]));
  const lines = [
    `# failsoft plan: ${plan.jobs.length} job(s), reserve ${Math.round(plan.reserve * 100)} % of each budget; times in ${defaultTz} unless CRON_TZ says otherwise`,
  ];
  for (const planned of plan.jobs) {
    const job = byName.get(planned.name);
    if (job === undefined) continue;
    const zoned = planned.tz !== defaultTz;
    lines.push(`# failsoft job: ${planned.name.replace(/#\d+$/, '')} (delay ${planned.delayMinutes} min)`);
    if (zoned) lines.push(`CRON_TZ=${planned.tz}`);
    for (const schedule of planned.plannedSchedule) {
      const fields = cronFields(schedule);
      if (fields.seconds !== undefined && fields.seconds !== '0')
        lines.push(`# seconds "${fields.seconds}" cannot be written in a crontab: starts at the minute`);
      lines.push(`${joinFields({ ...fields, seconds: undefined })} ${crontabCommand(job)}`);
    }
    if (zoned) lines.push(`CRON_TZ=${defaultTz}`);
  }
  for (const line of keep)
    lines.push(
      `# no AI estimate for this command: kept at its time`,
      `${line.schedule} ${line.command.replace(/%/g, '\\%')}`,
    );
  return `${lines.join('\n')}\n`;
}
