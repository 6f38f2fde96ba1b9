import type { ResolvedAiEstimate } from '../engine/config/jobs-config.js';
import type { PlanInput, PlanJob } from './plan-types.js';

/** Monday 5 January 2026, 00:00 UTC: the period start the tests plan from. */
export const MONDAY = Date.UTC(2026, 0, 5);

/** A job for tests: defaults like the config's, with `ai` and `flex` given in short form. */
export function testJob(
  name: string,
  schedule: string,
  ai?: Partial<ResolvedAiEstimate>,
  extra: Partial<PlanJob> & { flexMinutes?: number } = {},
): PlanJob {
  const { flexMinutes, ...rest } = extra;
  const job: PlanJob = {
    name,
    schedule,
    command: [`/path/to/${name}`],
    shell: false,
    tier: 'enhanced',
    priority: 5,
    flexMs: (flexMinutes ?? 60) * 60_000,
    killGraceMs: 10_000,
    retries: { max: 0, backoffMs: 30_000, multiplier: 2 },
    overlap: 'skip',
    catchUp: 'none',
    ...rest,
  };
  if (ai !== undefined)
    job.ai = { provider: 'claude', requests: 0, inputTokens: 0, outputTokens: 0, minutes: 1, ...ai };
  return job;
}

/** The seed scenario: three 600-request, one-minute jobs at 09:00 against 1,000 RPM with a 20 % reserve. */
export function seedInput(overrides: Partial<PlanInput> = {}): PlanInput {
  return {
    jobs: [1, 2, 3].map((n) => testJob(`ai-job${n}`, '0 9 * * *', { requests: 600 })),
    limits: { claude: { rpm: 1000 } },
    reserve: 0.2,
    avoid: [],
    periodStart: MONDAY,
    defaultTz: 'UTC',
    ...overrides,
  };
}
