/**
 * Scheduler planner: `npx tsx bench/plan.ts [--jobs 1000] [--runs 9] [--seed 7]`.
 *
 * Plans a seeded random set of jobs (default 1,000) over a week at minute resolution — daily and weekday
 * schedules bunched on the hours people pick (02:00–06:00, 09:00), 1–30 minute runs, 30–240 minute flex, three
 * providers with RPM/ITPM/OTPM/TPM limits, a 20 % reserve and a weekday avoid window in another time zone — and
 * prints the median planning time over several runs (after two warm-ups). Target: < 1 s.
 *
 * Baseline measured in the same run: the same jobs with no flex, which enumerates the schedules and predicts the
 * load but places nothing; the ratio is what placement itself costs.
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import type { ResolvedAvoidWindow } from '../src/engine/config/jobs-config.js';
import { mulberry32 } from '../src/model/random.js';
import { planJobs } from '../src/scheduler/plan-jobs.js';
import type { Plan, PlanInput, PlanJob } from '../src/scheduler/plan-types.js';

const { values: flags } = parseArgs({
  options: {
    jobs: { type: 'string', default: '1000' },
    runs: { type: 'string', default: '9' },
    seed: { type: 'string', default: '7' },
  },
});
const JOBS = Number(flags.jobs);
const RUNS = Number(flags.runs);
const TARGET_MS = 1000;

function benchInput(seed: number, count: number, budgetScale: number): PlanInput {
  const random = mulberry32(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));
  const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)] as T;
  const providers = ['claude', 'openai', 'gemini'];
  const jobs: PlanJob[] = [];
  for (let i = 0; i < count; i++) {
    const hour = random() < 0.6 ? pick([2, 3, 4, 5, 6, 9]) : int(0, 23);
    const minute = random() < 0.7 ? pick([0, 15, 30, 45]) : int(0, 59);
    const days = random() < 0.3 ? pick(['1-5', '0,6', '1', '3', '5']) : '*';
    const schedule =
      random() < 0.1 ? `${minute} ${hour},${(hour + 12) % 24} * * ${days}` : `${minute} ${hour} * * ${days}`;
    const runMinutes = int(1, 30);
    jobs.push({
      name: `job-${String(i).padStart(4, '0')}`,
      schedule,
      ...(random() < 0.1 ? { tz: 'America/New_York' } : {}),
      command: [`/opt/jobs/job-${i}`],
      shell: false,
      tier: 'enhanced',
      priority: int(1, 5),
      flexMs: int(30, 240) * 60_000,
      killGraceMs: 10_000,
      retries: { max: 0, backoffMs: 30_000, multiplier: 2 },
      overlap: 'skip',
      catchUp: 'none',
      ai: {
        provider: pick(providers),
        requests: int(20, 40) * runMinutes,
        inputTokens: int(2_000, 20_000) * runMinutes,
        outputTokens: int(500, 4_000) * runMinutes,
        minutes: runMinutes,
      },
    });
  }
  const avoid: ResolvedAvoidWindow[] = [
    { days: [1, 2, 3, 4, 5], fromMinute: 9 * 60, toMinute: 17 * 60, tz: 'America/Los_Angeles' },
  ];
  return {
    jobs,
    avoid,
    reserve: 0.2,
    periodStart: Date.UTC(2026, 0, 5),
    defaultTz: 'UTC',
    limits: {
      claude: { rpm: 400 * budgetScale, itpm: 200_000 * budgetScale, otpm: 40_000 * budgetScale },
      openai: { rpm: 400 * budgetScale, tpm: 250_000 * budgetScale },
      gemini: { rpm: 400 * budgetScale },
    },
  };
}

function time(input: PlanInput): { ms: number[]; plan: Plan } {
  let plan = planJobs(input);
  plan = planJobs(input); // two warm-ups
  const ms: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const start = performance.now();
    plan = planJobs(input);
    ms.push(performance.now() - start);
  }
  return { ms, plan };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}, Node ${process.version}`);
console.log(`${JOBS} jobs (seed ${flags.seed}), ${RUNS} timed runs each after 2 warm-ups\n`);
console.log(
  '| run                                        | median ms | min ms | max ms | vs 1 s target | vs baseline |',
);
console.log(
  '|--------------------------------------------|----------:|-------:|-------:|--------------:|------------:|',
);
const row = (name: string, ms: number[], baselineMs: number): void => {
  console.log(
    `| ${name.padEnd(42)} | ${median(ms).toFixed(1).padStart(9)} | ${Math.min(...ms)
      .toFixed(1)
      .padStart(6)} | ${Math.max(...ms)
      .toFixed(1)
      .padStart(
        6,
      )} | ${(median(ms) / TARGET_MS).toFixed(3).padStart(13)} | ${(median(ms) / baselineMs).toFixed(2).padStart(11)} |`,
  );
};
const summaries: string[] = [];
let slowest = 0;
for (const [label, scale] of [
  ['fits', 1.25],
  ['tight', 1],
] as const) {
  const input = benchInput(Number(flags.seed), JOBS, scale);
  const baseline = time({ ...input, jobs: input.jobs.map((j) => ({ ...j, flexMs: 0 })) });
  const planned = time(input);
  const baselineMs = median(baseline.ms);
  row(`${label}: predict only (baseline, no flex)`, baseline.ms, baselineMs);
  row(`${label}: plan (place every job)`, planned.ms, baselineMs);
  slowest = Math.max(slowest, median(planned.ms));
  const { plan } = planned;
  const totalDelay = plan.jobs.reduce((sum, j) => sum + j.delayMinutes, 0);
  summaries.push(
    `${label} (limits x${scale}): period ${plan.periodMinutes} min, feasible ${plan.feasible}, ${plan.jobs.filter((j) => j.delayMinutes > 0).length} of ${JOBS} jobs moved, total delay ${totalDelay} min, ${plan.overflows.length} over budget`,
  );
  for (const provider of Object.keys(plan.peak.after)) {
    const limits = input.limits[provider] ?? {};
    const share = (peak: Partial<Record<string, number>>): string =>
      Object.entries(limits)
        .map(([d, limit]) => `${d} ${Math.round(((peak[d] ?? 0) / (limit as number)) * 100)} %`)
        .join(', ');
    summaries.push(
      `  ${provider}: peak share of limit before ${share(plan.peak.before[provider] ?? {})}; after ${share(plan.peak.after[provider] ?? {})}`,
    );
  }
}
console.log(`\n${summaries.join('\n')}`);
console.log(
  `\nverdict: ${slowest < TARGET_MS ? 'under' : 'OVER'} the 1 s target (slowest median ${slowest.toFixed(0)} ms)`,
);
