import { describe, expect, it } from 'vitest';
import { DemoTime } from './demo-time.js';
import {
  DEMO_JOBS,
  JOB_CONCURRENCY,
  JOB_REQUESTS,
  compareJobs,
  demoJobDelays,
  runJob,
  type CallOutcome,
} from './jobs-comparison.js';

const DAY = Date.UTC(2026, 11, 6);

describe('the 09:00 jobs', () => {
  it('the planner staggers three jobs that each fit the budget alone but not together', () => {
    const time = new DemoTime(3600, 0, DAY + 8 * 3_600_000);
    const delays = demoJobDelays(time, 'gemini-batch', 30);
    expect(Object.keys(delays).sort()).toEqual([...DEMO_JOBS].sort());
    expect(Object.values(delays).sort()).toEqual([0, 1, 2]);
    // A budget three jobs fit in: nothing moves.
    expect(Object.values(demoJobDelays(time, 'gemini-batch', 1000))).toEqual([0, 0, 0]);
  });

  it('a job starts at its planned minute and makes its calls at most JOB_CONCURRENCY at a time', async () => {
    // The day's 09:00 is now: the job planned at +1 min starts 60 s / 60 000 = 1 ms later at this speed.
    const time = new DemoTime(60_000, Date.now(), DAY + 9 * 3_600_000);
    let inFlight = 0;
    let most = 0;
    const outcomesByIndex: CallOutcome[] = ['answered', 'fallback', 'rate-limited', 'failed'];
    const run = await runJob('nightly-digest', 1, time, async (_job, index) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 2));
      inFlight--;
      return outcomesByIndex[index % 4] as CallOutcome;
    });
    expect(most).toBe(JOB_CONCURRENCY);
    const each = JOB_REQUESTS / 4;
    expect(run).toEqual({
      job: 'nightly-digest',
      delayMinutes: 1,
      outcomes: { answered: each, fallback: each, 'rate-limited': each, failed: each },
    });
  });

  it('compares the runs from what each budget counted', async () => {
    const time = new DemoTime(600_000, Date.now(), DAY + 9 * 3_600_000);
    const result = await compareJobs(
      time,
      { 'nightly-digest': 1, 'tag-backfill': 2, 'churn-report': 0 },
      async () => 'rate-limited',
      async () => 'answered',
      (which) => (which === 'naive' ? 31 : 0),
    );
    expect(result.naive.rateLimited).toBe(31);
    expect(result.naive.runs.every((r) => r.delayMinutes === 0 && r.outcomes['rate-limited'] === JOB_REQUESTS)).toBe(
      true,
    );
    expect(result.planned).toMatchObject({ rateLimited: 0, deferred: 2, completed: 3 });
  });
});
