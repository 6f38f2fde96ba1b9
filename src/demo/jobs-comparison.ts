/**
 * The demo's 09:00: three AI cron jobs written for the same minute, run twice on budgets of the same size.
 * Naively, all three start at 09:00 and call the provider directly (a copy of the account's budget, so the
 * rehearsal costs the real one nothing); as planned, each starts when the stagger planner (`planJobs`) says and
 * calls through the gateway. Each job's work is real calls, as fast as it can (`JOB_CONCURRENCY` at a time), as
 * batch jobs run, against the simulator's token bucket of `JOB_RPM` requests a simulated minute: one job fits in
 * it, three at once do not. The 429s are counted where they happen.
 */
import type { ResolvedJob } from '../engine/config/jobs-config.js';
import { planJobs } from '../scheduler/plan-jobs.js';
import type { PlanJob } from '../scheduler/plan-types.js';
import { DAY } from './scenario.js';
import { dayOf, type DemoTime } from './demo-time.js';

/** The three jobs: each makes `JOB_REQUESTS` calls, expected to take `JOB_MINUTES` (the planner's estimate). */
export const DEMO_JOBS = ['nightly-digest', 'tag-backfill', 'churn-report'] as const;
export const JOB_REQUESTS = 20;
export const JOB_MINUTES = 1;
/** Calls a job has in flight at once. */
export const JOB_CONCURRENCY = 10;
/** Share of the budget the planner keeps for interactive traffic. */
export const PLAN_RESERVE = 0.2;

/** One call's outcome. */
export type CallOutcome = 'answered' | 'fallback' | 'rate-limited' | 'failed';

/** One job run. */
export interface JobRun {
  job: string;
  /** Minutes after its schedule it started. */
  delayMinutes: number;
  outcomes: Record<CallOutcome, number>;
}

/** Both runs, measured. */
export interface JobsComparison {
  naive: { runs: JobRun[]; rateLimited: number };
  planned: { runs: JobRun[]; rateLimited: number; deferred: number; completed: number };
}

/** How a job's call is sent: resolves to what became of it. */
export type SendCall = (job: string, index: number) => Promise<CallOutcome>;

/**
 * The planner's delays (minutes) for the three jobs, all written `0 9 * * *`, against the account's limit.
 * @example demoJobDelays(time, 'gemini-batch', 30) // { 'churn-report': 0, 'nightly-digest': 1, 'tag-backfill': 2 }
 */
export function demoJobDelays(time: DemoTime, provider: string, rpm: number): Record<string, number> {
  const [hours, minutes] = DAY.jobsDue.split(':').map(Number);
  const jobs = DEMO_JOBS.map(
    (name): PlanJob =>
      ({
        name,
        schedule: `${minutes} ${hours} * * *`,
        tz: 'UTC',
        command: ['(in-process)'],
        shell: false,
        tier: 'enhanced',
        priority: 1,
        flexMs: 3 * 3_600_000,
        killGraceMs: 10_000,
        retries: { max: 0, backoffMs: 30_000, multiplier: 2 },
        overlap: 'allow',
        catchUp: 'none',
        ai: { provider, requests: JOB_REQUESTS, inputTokens: 0, outputTokens: 0, minutes: JOB_MINUTES },
      }) satisfies ResolvedJob & { schedule: string },
  );
  const plan = planJobs({
    jobs,
    limits: { [provider]: { rpm } },
    reserve: PLAN_RESERVE,
    avoid: [],
    periodStart: dayOf(time.simStart),
    defaultTz: 'UTC',
  });
  return Object.fromEntries(plan.jobs.map((job) => [job.name, job.delayMinutes]));
}

/** Runs one job: waits for its (simulated) start, then makes its calls, `JOB_CONCURRENCY` at a time. */
export async function runJob(job: string, delayMinutes: number, time: DemoTime, send: SendCall): Promise<JobRun> {
  const wait = time.realAt(time.at(DAY.jobsDue) + delayMinutes * 60_000) - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  const outcomes: Record<CallOutcome, number> = { answered: 0, fallback: 0, 'rate-limited': 0, failed: 0 };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < JOB_REQUESTS) {
      const index = next++;
      outcomes[await send(job, index)] += 1;
    }
  };
  await Promise.all(Array.from({ length: JOB_CONCURRENCY }, worker));
  return { job, delayMinutes, outcomes };
}

/**
 * Both runs at once (they spend different budgets): naive on `naiveSend`, planned on `plannedSend` with the
 * planner's delays. `simRateLimited(which)` reads the simulator's 429 count of that run's budget.
 */
export async function compareJobs(
  time: DemoTime,
  delays: Record<string, number>,
  naiveSend: SendCall,
  plannedSend: SendCall,
  simRateLimited: (which: 'naive' | 'planned') => number,
): Promise<JobsComparison> {
  const [naiveRuns, plannedRuns] = await Promise.all([
    Promise.all(DEMO_JOBS.map((job) => runJob(job, 0, time, naiveSend))),
    Promise.all(DEMO_JOBS.map((job) => runJob(job, delays[job] ?? 0, time, plannedSend))),
  ]);
  return {
    naive: { runs: naiveRuns, rateLimited: simRateLimited('naive') },
    planned: {
      runs: plannedRuns,
      rateLimited: simRateLimited('planned'),
      deferred: plannedRuns.filter((run) => run.delayMinutes > 0).length,
      completed: plannedRuns.filter((run) => run.outcomes.answered === JOB_REQUESTS).length,
    },
  };
}

/** A call straight to a Gemini-protocol provider at `providerUrl` (no failsoft): answered, a 429, or failed. */
export function directCall(providerUrl: string, model: string): SendCall {
  return async (job, index) => {
    try {
      const res = await fetch(`${providerUrl}/v1beta/models/${model}:generateContent`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-goog-api-key': 'sim-batch-key' },
        signal: AbortSignal.timeout(10_000),
        body: JSON.stringify({
          contents: [{ role: 'user', parts: [{ text: `${job} item ${index}` }] }],
          generationConfig: { maxOutputTokens: 16 },
        }),
      });
      await res.arrayBuffer();
      return res.status === 200 ? 'answered' : res.status === 429 ? 'rate-limited' : 'failed';
    } catch {
      return 'failed';
    }
  };
}

/** A call through the gateway to `feature`: answered by a provider, or by the fallback, or failed. */
export function gatewayCall(gatewayUrl: string, feature: string): SendCall {
  return async (job, index) => {
    try {
      const res = await fetch(`${gatewayUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        signal: AbortSignal.timeout(10_000),
        body: JSON.stringify({
          model: feature,
          max_tokens: 16,
          messages: [{ role: 'user', content: `${job} item ${index}` }],
        }),
      });
      await res.arrayBuffer();
      if (res.status === 429) return 'rate-limited';
      if (res.status !== 200) return 'failed';
      return res.headers.get('x-failsoft-source') === 'fallback' ? 'fallback' : 'answered';
    } catch {
      return 'failed';
    }
  };
}
