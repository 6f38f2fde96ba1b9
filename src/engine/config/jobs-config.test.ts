import { describe, expect, it } from 'vitest';
import { parseDays } from './jobs-schema.js';
import { resolveConfig } from './resolve-config.js';
import { issuesOf } from './config-issues.test-helper.js';

const providers = { claude: { type: 'anthropic', limits: { rpm: 1000, itpm: 400_000, otpm: 80_000 } } };

describe('jobs and planning in the config', () => {
  it('resolves the issue example with defaults and durations in ms', () => {
    const config = resolveConfig(
      {
        providers,
        jobs: {
          'ai-job1': {
            schedule: '0 9 * * *',
            command: ['/path/to/ai-job1', '--flag'],
            tier: 'enhanced',
            priority: 1,
            ai: { provider: 'claude', requests: 600, inputTokens: 1_200_000, outputTokens: 150_000, minutes: 10 },
            flex: '60m',
            timeout: '20m',
            retries: { max: 3, backoff: '30s', multiplier: 2 },
            overlap: 'skip',
            catchUp: 'once',
          },
          nightly: {
            schedule: '30 0 3 * * *',
            tz: 'Europe/Paris',
            command: 'cd /srv && ./nightly | gzip > out.gz',
            shell: true,
          },
        },
        planning: { reserve: 0.2, avoid: [{ days: 'mon-fri', from: '09:00', to: '17:00', tz: 'America/Los_Angeles' }] },
      },
      { env: {} },
    );
    expect(config.jobs?.['ai-job1']).toEqual({
      name: 'ai-job1',
      schedule: '0 9 * * *',
      command: ['/path/to/ai-job1', '--flag'],
      shell: false,
      tier: 'enhanced',
      priority: 1,
      ai: { provider: 'claude', requests: 600, inputTokens: 1_200_000, outputTokens: 150_000, minutes: 10 },
      flexMs: 3_600_000,
      timeoutMs: 1_200_000,
      killGraceMs: 10_000,
      retries: { max: 3, backoffMs: 30_000, multiplier: 2 },
      overlap: 'skip',
      catchUp: 'once',
    });
    expect(config.jobs?.nightly).toMatchObject({
      schedule: '30 0 3 * * *',
      tz: 'Europe/Paris',
      command: ['cd /srv && ./nightly | gzip > out.gz'],
      shell: true,
      priority: 5,
      flexMs: 0,
    });
    expect(config.planning).toEqual({
      reserve: 0.2,
      avoid: [{ days: [1, 2, 3, 4, 5], fromMinute: 540, toMinute: 1020, tz: 'America/Los_Angeles' }],
    });
  });

  it('names the path of every bad key', () => {
    expect(issuesOf({ providers, jobs: { 'ai-job1': { schedule: '0 9 * *', command: ['/x'] } } })).toEqual([
      'jobs.ai-job1.schedule: "0 9 * *" has 4 fields: write 5 (minute hour day month weekday) or 6 with seconds first',
    ]);
    expect(issuesOf({ providers, jobs: { j: { schedule: '0 25 * * *', command: ['/x'] } } })[0]).toMatch(
      /^jobs\.j\.schedule: "0 25 \* \* \*" is not a valid cron expression/,
    );
    expect(
      issuesOf({
        providers,
        jobs: { j: { schedule: '0 9 * * *', command: ['/x'], ai: { provider: 'cluade', requests: 5 } } },
      }),
    ).toEqual(['jobs.j.ai.provider: unknown provider "cluade" (did you mean "claude"?)']);
    expect(issuesOf({ providers, jobs: { j: { schedule: '0 9 * * *', command: 'run --now' } } })).toEqual([
      'jobs.j.command: a command line as one string needs `shell: true`; otherwise write it as an argv list ["/path/to/job", "--flag"]',
    ]);
    expect(
      issuesOf({
        providers,
        jobs: { j: { command: ['/x'], flex: 'an hour', tz: 'Mars/Olympus', overlap: 'never', tier: 'critical' } },
      }),
    ).toEqual([
      'jobs.j.tz: must be an IANA time zone like "Europe/Paris" or "UTC"',
      'jobs.j.tier: Invalid option: expected one of "enhanced"|"ai-only"',
      'jobs.j.flex: must be a duration like "30s", "20m" or "1h"',
      'jobs.j.overlap: Invalid option: expected one of "skip"|"queue"|"allow"',
    ]);
    expect(
      issuesOf({ providers, planning: { reserve: 1.5, avoid: [{ days: 'weekdays', from: '9:00', to: '17:00' }] } }),
    ).toEqual([
      'planning.reserve: Too big: expected number to be <=0.95',
      'planning.avoid[0].days: must be days like "mon-fri", "sat,sun" or "*"',
      'planning.avoid[0].from: must be a time of day "HH:MM" (00:00 to 24:00)',
    ]);
    expect(issuesOf({ providers, jobs: { 'bad name': { command: ['/x'] } } })[0]).toMatch(/^jobs\.bad name: /);
  });

  it('reads day lists, ranges and wrapping ranges', () => {
    expect(parseDays('mon-fri')).toEqual([1, 2, 3, 4, 5]);
    expect(parseDays('sat,sun')).toEqual([0, 6]);
    expect(parseDays('fri-mon')).toEqual([0, 1, 5, 6]);
    expect(parseDays('*')).toHaveLength(7);
    expect(parseDays('weekdays')).toBeUndefined();
  });
});
