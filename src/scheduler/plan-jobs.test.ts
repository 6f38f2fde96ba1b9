import { Cron } from 'croner';
import { describe, expect, it } from 'vitest';
import { planJobs } from './plan-jobs.js';
import { MONDAY, seedInput, testJob } from './plan-test-helpers.test-helper.js';

describe('planJobs: the seed scenario', () => {
  it('staggers three 600-request jobs at 09:00 under 800 RPM: delays 0 + 1 + 2', () => {
    const plan = planJobs(seedInput());
    expect(plan.feasible).toBe(true);
    expect(plan.periodMinutes).toBe(1440);
    expect(plan.jobs.map((j) => [j.name, j.delayMinutes, j.plannedSchedule])).toEqual([
      ['ai-job1', 0, ['0 9 * * *']],
      ['ai-job2', 1, ['1 9 * * *']],
      ['ai-job3', 2, ['2 9 * * *']],
    ]);
    expect(plan.jobs.reduce((sum, j) => sum + j.delayMinutes, 0)).toBe(3);
    expect(plan.peak.before.claude?.rpm).toBe(1800);
    expect(plan.peak.after.claude?.rpm).toBe(600);
    expect(plan.peak.after.claude?.rpm).toBeLessThanOrEqual(800);
    expect(plan.jobs[0]?.peakShare).toBeCloseTo(0.6);
  });

  it('gives the same plan on every run, whatever the input order', () => {
    const first = planJobs(seedInput());
    for (let i = 0; i < 5; i++) expect(planJobs(seedInput()).jobs).toEqual(first.jobs);
    const reversed = planJobs(seedInput({ jobs: [...seedInput().jobs].reverse() }));
    expect(Object.fromEntries(reversed.jobs.map((j) => [j.name, j.delayMinutes]))).toEqual({
      'ai-job1': 0,
      'ai-job2': 1,
      'ai-job3': 2,
    });
  });

  it('puts shorter runs first within a priority: less total delay', () => {
    const jobs = [
      testJob('a-long', '0 9 * * *', { requests: 6000, minutes: 10 }),
      testJob('b-short', '0 9 * * *', { requests: 600 }),
    ];
    const plan = planJobs({ ...seedInput(), jobs });
    expect(plan.jobs.map((j) => [j.name, j.delayMinutes])).toEqual([
      ['a-long', 1],
      ['b-short', 0],
    ]);
  });

  it('gives higher priority (lower number) the earlier slot', () => {
    const input = seedInput();
    input.jobs = input.jobs.map((j) => (j.name === 'ai-job3' ? { ...j, priority: 1 } : j));
    const delays = Object.fromEntries(planJobs(input).jobs.map((j) => [j.name, j.delayMinutes]));
    expect(delays).toEqual({ 'ai-job3': 0, 'ai-job1': 1, 'ai-job2': 2 });
  });
});

describe('planJobs: budgets', () => {
  it('checks token budgets too: input and output tokens per minute', () => {
    const jobs = [1, 2].map((n) =>
      testJob(`t${n}`, '0 2 * * *', { requests: 10, inputTokens: 300_000, outputTokens: 10_000, minutes: 10 }),
    );
    // 30,000 input tokens a minute each; 50,000 usable of 62,500: one at a time.
    const plan = planJobs({ ...seedInput(), jobs, limits: { claude: { rpm: 4000, itpm: 62_500, otpm: 20_000 } } });
    expect(plan.jobs.map((j) => j.delayMinutes)).toEqual([0, 10]);
    expect(plan.peak.after.claude).toEqual({ rpm: 1, itpm: 30_000, otpm: 1_000 });
    expect(plan.peak.before.claude?.itpm).toBe(60_000);
  });

  it('spreads a run over its minutes and lets runs overlap as far as the budget allows', () => {
    const jobs = [1, 2, 3].map((n) => testJob(`s${n}`, '30 3 * * *', { requests: 3000, minutes: 10 }));
    // 300 RPM each over 10 minutes; 800 usable: two may overlap, the third waits for the first to end.
    const plan = planJobs({ ...seedInput(), jobs });
    expect(plan.jobs.map((j) => j.delayMinutes)).toEqual([0, 0, 10]);
    expect(plan.peak.after.claude?.rpm).toBe(600);
  });

  it('never moves jobs without an estimate or on a provider without limits', () => {
    const plan = planJobs({
      ...seedInput(),
      jobs: [
        testJob('plain', '0 9 * * *'),
        ...seedInput().jobs.map((j) => ({ ...j, ai: { ...j.ai!, provider: 'open' } })),
      ],
    });
    expect(plan.feasible).toBe(true);
    expect(plan.jobs.map((j) => j.delayMinutes)).toEqual([0, 0, 0, 0]);
    expect(plan.peak.after.open?.rpm).toBe(1800);
  });
});

describe('planJobs: infeasible plans are named, never partial', () => {
  it('names the job, its minutes, and the flex or budget that would fit', () => {
    const input = seedInput();
    input.jobs = input.jobs.map((j) => ({ ...j, flexMs: 60_000 }));
    const plan = planJobs(input);
    expect(plan.feasible).toBe(false);
    expect(plan.overflows).toHaveLength(1);
    const overflow = plan.overflows[0]!;
    expect(overflow).toMatchObject({
      job: 'ai-job3',
      provider: 'claude',
      flexThatFits: 2,
      limitsThatFit: { rpm: 1500 },
    });
    expect(overflow.spans).toEqual([
      { at: MONDAY + 9 * 60 * 60_000, minutes: 1, dimension: 'rpm', load: 1200, usable: 800 },
    ]);
    expect(plan.jobs.find((j) => j.name === 'ai-job3')?.overflows).toBe(true);
  });

  it('says when one run alone is too big for the budget, and how many minutes would fit it', () => {
    const plan = planJobs({ ...seedInput(), jobs: [testJob('huge', '0 9 * * *', { requests: 2000 })] });
    expect(plan.feasible).toBe(false);
    expect(plan.overflows[0]).toMatchObject({ job: 'huge', minutesThatFit: 3, limitsThatFit: { rpm: 2500 } });
    expect(plan.overflows[0]?.flexThatFits).toBeUndefined();
  });
});

describe('planJobs: periods, schedules and avoid windows', () => {
  it('plans a week when a schedule names weekdays, and shifts weekday schedules', () => {
    const jobs = [
      testJob('daily', '0 9 * * *', { requests: 600 }),
      testJob('weekdays', '0 9 * * 1-5', { requests: 600 }),
    ];
    const plan = planJobs({ ...seedInput(), jobs });
    expect(plan.periodMinutes).toBe(10_080);
    expect(plan.jobs.map((j) => [j.delayMinutes, j.plannedSchedule])).toEqual([
      [0, ['0 9 * * *']],
      [1, ['1 9 * * 1-5']],
    ]);
  });

  it('keeps 6-field schedules and writes shifts across the hour', () => {
    const jobs = [testJob('a', '30 59 8 * * *', { requests: 600 }), testJob('b', '30 59 8 * * *', { requests: 600 })];
    const plan = planJobs({ ...seedInput(), jobs });
    expect(plan.jobs.map((j) => j.plannedSchedule)).toEqual([['30 59 8 * * *'], ['30 0 9 * * *']]);
  });

  it('stays out of avoid windows where flex allows, and says when it cannot', () => {
    const avoid = [{ days: [1, 2, 3, 4, 5], fromMinute: 9 * 60, toMinute: 9 * 60 + 30 }];
    const jobs = [
      testJob('movable', '0 9 * * *', { requests: 100 }),
      testJob('stuck', '0 9 * * *', { requests: 100 }, { flexMinutes: 10 }),
    ];
    const plan = planJobs({ ...seedInput(), jobs, avoid });
    expect(plan.periodMinutes).toBe(10_080);
    expect(plan.jobs.map((j) => [j.name, j.delayMinutes, j.inAvoidWindow ?? false])).toEqual([
      ['movable', 30, false],
      ['stuck', 0, true],
    ]);
    expect(plan.feasible).toBe(true);
  });

  it('reads schedules and windows in their own time zones', () => {
    const jobs = [
      testJob('ny', '0 9 * * *', { requests: 600 }, { tz: 'America/New_York' }),
      testJob('utc', '0 14 * * *', { requests: 600 }),
    ];
    const plan = planJobs({ ...seedInput(), jobs }); // 09:00 in New York in January is 14:00 UTC
    expect(plan.jobs.map((j) => j.plannedSchedule)).toEqual([['0 9 * * *'], ['1 14 * * *']]);
    expect(plan.jobs[0]?.starts[0]).toBe(MONDAY + 14 * 3_600_000);
  });

  it('never moves a calendar schedule past midnight', () => {
    const jobs = [testJob('m1', '59 23 1 * *', { requests: 600 }), testJob('m2', '59 23 1 * *', { requests: 600 })];
    const plan = planJobs({ ...seedInput(), jobs });
    expect(plan.feasible).toBe(false);
    expect(plan.jobs[0]?.plannedSchedule).toEqual(['59 23 1 * *']);
  });

  it('writes planned schedules that croner fires at exactly the planned starts', () => {
    const jobs = ['*/20 8-10 * * 1,3', '15 6,18 * * *', '0 23 * * 0'].flatMap((s, k) =>
      [0, 1, 2].map((n) => testJob(`j${k}-${n}`, s, { requests: 500, minutes: 7 }, { flexMinutes: 240 })),
    );
    const plan = planJobs({ ...seedInput(), jobs });
    for (const job of plan.jobs) {
      const fired: number[] = [];
      for (const expression of job.plannedSchedule) {
        const cron = new Cron(expression, { timezone: 'UTC', paused: true });
        for (
          let t = cron.nextRun(new Date(MONDAY - 1));
          t !== null && t.getTime() < MONDAY + plan.periodMinutes * 60_000 + job.delayMinutes * 60_000;
          t = cron.nextRun(t)
        )
          fired.push(t.getTime());
      }
      const inPeriod = (t: number): number => MONDAY + (((t - MONDAY) / 60_000) % plan.periodMinutes) * 60_000;
      expect([...new Set(fired.map(inPeriod))].sort()).toEqual([...new Set(job.starts.map(inPeriod))].sort());
    }
  });
});
