import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../engine/config/resolve-config.js';
import type { JobRunRecord } from '../store/records.js';
import { JobsPlanView, type JobRunReader } from './jobs-view.js';

const MONDAY_0830 = Date.UTC(2026, 11, 7, 8, 30);
const TUESDAY_0830 = Date.UTC(2026, 11, 8, 8, 30);

function config(jobs: Record<string, unknown>) {
  return resolveConfig(
    { providers: { claude: { type: 'anthropic', apiKey: 'k', limits: { rpm: 100 } } }, features: {}, jobs },
    { env: {} },
  );
}

describe('JobsPlanView', () => {
  it("moves a job the budget cannot hold, and shows its planned schedule, next run and today's load", async () => {
    // Two 400-request jobs at 09:00 on a 100 rpm budget (80 usable): the second waits until the first is done.
    const view = new JobsPlanView(
      config({
        a: {
          schedule: '0 9 * * *',
          tz: 'UTC',
          command: ['true'],
          priority: 1,
          ai: { provider: 'claude', requests: 400, minutes: 5 },
        },
        b: {
          schedule: '0 9 * * *',
          tz: 'UTC',
          command: ['true'],
          priority: 2,
          ai: { provider: 'claude', requests: 400, minutes: 5 },
          flex: '30m',
        },
      }),
      undefined,
      'UTC',
    );
    const { jobs, feasible } = await view.jobs(MONDAY_0830);
    expect(feasible).toBe(true);
    expect(jobs.map((j) => [j.name, j.plannedSchedule, j.delayMinutes, j.nextRun])).toEqual([
      ['a', ['0 9 * * *'], 0, '2026-12-07T09:00:00.000Z'],
      ['b', ['5 9 * * *'], 5, '2026-12-07T09:05:00.000Z'],
    ]);
    const plan = view.plan(MONDAY_0830);
    expect(plan.day).toBe('2026-12-07T00:00:00.000Z');
    expect(plan.providers[0]?.perMinute.slice(539, 551)).toEqual([0, 80, 80, 80, 80, 80, 80, 80, 80, 80, 80, 0]);
  });

  it("reads a weekly plan at today's day: a Monday job loads Monday's chart only", () => {
    const view = new JobsPlanView(
      config({
        weekly: { schedule: '0 9 * * 1', tz: 'UTC', command: ['true'], ai: { provider: 'claude', requests: 60 } },
      }),
      undefined,
      'UTC',
    );
    const monday = view.plan(MONDAY_0830).providers[0];
    expect(monday?.perMinute[540]).toBe(60);
    expect(monday?.perMinute.reduce((a, b) => a + b, 0)).toBe(60);
    expect(view.plan(TUESDAY_0830).providers).toEqual([]);
  });

  it('shows jobs without an estimate at their own times, and their last stored run', async () => {
    const run: JobRunRecord = {
      id: 'r',
      job: 'plain',
      plannedAt: Date.UTC(2026, 11, 7, 7),
      status: 'succeeded',
      attempt: 1,
      instance: 'a',
      finishedAt: Date.UTC(2026, 11, 7, 7, 1),
    };
    const reads: Array<{ job?: string; limit?: number }> = [];
    const runs: JobRunReader = {
      listJobRuns: async (query) => {
        reads.push(query);
        return [run];
      },
    };
    const view = new JobsPlanView(
      config({ plain: { schedule: '*/15 * * * *', tz: 'UTC', command: ['true'] } }),
      runs,
      'UTC',
    );
    const [plain] = (await view.jobs(MONDAY_0830)).jobs;
    expect(plain).toEqual({
      name: 'plain',
      schedule: '*/15 * * * *',
      plannedSchedule: ['*/15 * * * *'],
      tz: 'UTC',
      delayMinutes: 0,
      provider: null,
      nextRun: '2026-12-07T08:45:00.000Z',
      lastRun: {
        status: 'succeeded',
        plannedAt: '2026-12-07T07:00:00.000Z',
        finishedAt: '2026-12-07T07:01:00.000Z',
        attempt: 1,
        detail: null,
      },
    });
    expect(reads).toEqual([{ job: 'plain', limit: 1 }]);
    expect(view.plan(MONDAY_0830).providers).toEqual([]);
  });

  it('has nothing to show without jobs', async () => {
    const view = new JobsPlanView(config({}), undefined, 'UTC');
    expect(await view.jobs(MONDAY_0830)).toEqual({ jobs: [], notes: [], feasible: true });
    expect(view.plan(MONDAY_0830)).toEqual({ day: '2026-12-07T00:00:00.000Z', providers: [] });
  });
});
