import type { CrontabJobs } from './crontab.js';
import { loadChart } from './load-chart.js';
import type { BudgetDimension, JobOverflow, Plan, ProviderPeak } from './plan-types.js';
import { MINUTE_MS, minuteLabel } from './zoned-time.js';

type Limits = Readonly<Record<string, Partial<Record<BudgetDimension, number>> | undefined>>;

/** What the crontab said beside the jobs it planned (`--from-crontab`). */
export type CrontabNotes = Pick<CrontabJobs, 'unestimated' | 'notInCrontab'> & {
  file: string;
  skipped: { line: number; message: string }[];
};

const round = (n: number): number => Math.round(n * 1000) / 1000;

function roundPeaks(peaks: Record<string, ProviderPeak>): Record<string, ProviderPeak> {
  return Object.fromEntries(
    Object.entries(peaks).map(([p, peak]) => [
      p,
      Object.fromEntries(Object.entries(peak).map(([d, v]) => [d, round(v)])) as ProviderPeak,
    ]),
  );
}

function overflowJson(o: JobOverflow) {
  return {
    job: o.job,
    provider: o.provider,
    minutes: o.spans.map((s) => ({
      at: new Date(s.at).toISOString(),
      minutes: s.minutes,
      dimension: s.dimension,
      load: round(s.load),
      usable: round(s.usable),
    })),
    ...(o.flexThatFits === undefined ? {} : { flexThatFitsMinutes: o.flexThatFits }),
    limitsThatFit: o.limitsThatFit,
    ...(o.minutesThatFit === undefined ? {} : { aiMinutesThatFit: o.minutesThatFit }),
  };
}

/**
 * The plan as `failsoft plan --json` prints it.
 * @example JSON.stringify(planJson(plan))
 */
export function planJson(plan: Plan, notes?: CrontabNotes) {
  return {
    feasible: plan.feasible,
    periodStart: new Date(plan.periodStart).toISOString(),
    periodMinutes: plan.periodMinutes,
    reserve: plan.reserve,
    jobs: plan.jobs.map((j) => ({
      name: j.name,
      schedule: j.schedule,
      plannedSchedule: j.plannedSchedule.join(' | '),
      plannedSchedules: j.plannedSchedule,
      tz: j.tz,
      delayMinutes: j.delayMinutes,
      priority: j.priority,
      ...(j.provider === undefined ? {} : { provider: j.provider }),
      peakShare: round(j.peakShare),
      ...(j.inAvoidWindow ? { inAvoidWindow: true } : {}),
      ...(j.overflows ? { overflows: true } : {}),
    })),
    totalDelayMinutes: plan.jobs.reduce((sum, j) => sum + j.delayMinutes, 0),
    peak: { before: roundPeaks(plan.peak.before), after: roundPeaks(plan.peak.after) },
    overflows: plan.overflows.map(overflowJson),
    ...(notes === undefined ? {} : { crontab: notes }),
  };
}

/** A delay in minutes as people read it: `0 min`, `45 min`, `2 h`, `2 h 5 min`. */
function delayText(minutes: number): string {
  if (minutes < 60) return `${minutes} min`;
  const rest = minutes % 60;
  return `${Math.floor(minutes / 60)} h${rest === 0 ? '' : ` ${rest} min`}`;
}

function table(rows: string[][]): string[] {
  const widths = (rows[0] ?? []).map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) =>
    r
      .map((cell, c) => cell.padEnd(widths[c] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}

/** Describes one overflow: where, by how much, and what would fit. */
export function describeOverflow(o: JobOverflow, tz: string, withDay: boolean): string[] {
  const lines = [`  ${o.job} (${o.provider}) does not fit within its flex:`];
  for (const s of o.spans.slice(0, 5)) {
    const end = minuteLabel(s.at + (s.minutes - 1) * MINUTE_MS, tz, withDay);
    lines.push(
      `    ${minuteLabel(s.at, tz, withDay)}${s.minutes > 1 ? `–${end}` : ''}: ${s.dimension} ${Math.round(s.load)} > usable ${Math.round(s.usable)}`,
    );
  }
  if (o.spans.length > 5) lines.push(`    … and ${o.spans.length - 5} more stretches`);
  const fixes: string[] = [];
  if (o.flexThatFits !== undefined) fixes.push(`flex: ${o.flexThatFits}m`);
  const limits = Object.entries(o.limitsThatFit).map(([d, v]) => `${d} ${v}`);
  if (limits.length > 0) fixes.push(`limits ${limits.join(', ')}`);
  if (o.minutesThatFit !== undefined)
    fixes.push(`ai.minutes: ${o.minutesThatFit} (one run alone exceeds the usable budget)`);
  lines.push(`    would fit with ${fixes.length > 0 ? fixes.join(', or ') : 'a larger budget'}`);
  return lines;
}

/**
 * The plan as people read it: a table of jobs, the load chart before and after, and what does not fit.
 * @example for (const line of planText(plan, limits, 'UTC')) console.log(line)
 */
export function planText(plan: Plan, limits: Limits, tz: string, notes?: CrontabNotes): string[] {
  const withDay = plan.periodMinutes > 1440;
  const period = withDay ? 'a week' : 'a day';
  const out = [
    `failsoft plan: ${plan.jobs.length} job(s) over ${period} from ${new Date(plan.periodStart).toISOString().slice(0, 16).replace('T', ' ')} UTC, ` +
      `against ${Math.round((1 - plan.reserve) * 100)} % of each budget (reserve ${Math.round(plan.reserve * 100)} %); times in ${tz} unless a job says otherwise`,
    '',
  ];
  const rows = [['job', 'schedule', 'planned schedule', 'delay', 'peak share of budget']];
  for (const j of plan.jobs) {
    const flags = [
      j.overflows ? 'OVER BUDGET' : '',
      j.inAvoidWindow ? 'in an avoid window (flex too short)' : '',
    ].filter((f) => f !== '');
    const share = j.provider === undefined ? 'no AI estimate' : `${Math.round(j.peakShare * 100)} % (${j.provider})`;
    const zone = j.tz === tz ? '' : ` ${j.tz}`;
    rows.push([
      j.name,
      j.schedule + zone,
      j.plannedSchedule.join(' | ') + zone,
      delayText(j.delayMinutes),
      [share, ...flags].join('; '),
    ]);
  }
  out.push(...table(rows).map((l) => `  ${l}`), '');
  out.push(
    `total delay ${plan.jobs.reduce((s, j) => s + j.delayMinutes, 0)} min; ${plan.feasible ? 'every minute fits the usable budget' : 'DOES NOT FIT: see below'}`,
    '',
  );
  const chart = loadChart(plan, limits, tz);
  if (chart.length > 0) out.push(...chart, '');
  if (!plan.feasible) {
    out.push('Over budget:');
    for (const o of plan.overflows) out.push(...describeOverflow(o, tz, withDay));
    out.push('');
  }
  if (notes !== undefined) {
    for (const u of notes.unestimated)
      out.push(
        `${notes.file}:${u.line}: no AI estimate for "${u.command}"${u.job ? ` (job ${u.job} has no ai:)` : ''}: kept at ${u.schedule}, not planned`,
      );
    for (const s of notes.skipped) out.push(`${notes.file}:${s.line}: ${s.message}`);
    for (const name of notes.notInCrontab)
      out.push(`job ${name}: no line of ${notes.file} runs its command: not planned`);
  }
  return out;
}
