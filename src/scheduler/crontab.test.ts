import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { crontabCommand, crontabJobs, parseCrontab, renderCrontab } from './crontab.js';
import { planJobs } from './plan-jobs.js';
import { seedInput, testJob } from './plan-test-helpers.test-helper.js';
import { quoteArgv, shellSplit } from './shell-words.js';

const SEED_CRONTAB = `# the seed's jobs
MAILTO=ops@example.com
0 9 * * * /path/to/ai-job1
0 9 * * * /path/to/ai-job2
0 9 * * * /path/to/ai-job3
`;

describe('shell words', () => {
  it('quotes arguments so sh reads back the same argv', () => {
    const argv = ['/bin/echo', 'plain', 'two words', "it's", '$HOME', 'a"b', '*', '', 'back\\slash', '100%'];
    const printed = execFileSync('/bin/sh', ['-c', `printf '%s\\n' ${quoteArgv(argv.slice(1))}`], { encoding: 'utf8' });
    expect(printed.split('\n').slice(0, -1)).toEqual(argv.slice(1));
    expect(shellSplit(quoteArgv(argv))).toEqual(argv);
  });

  it('refuses lines that need a shell', () => {
    for (const line of ['a | b', 'a > out', 'echo $HOME', 'rm *', 'a; b', 'echo "$x"', "unterminated 'quote"])
      expect(shellSplit(line)).toBeUndefined();
    expect(shellSplit(`/x --a "b c" d\\ e`)).toEqual(['/x', '--a', 'b c', 'd e']);
  });
});

describe('crontab', () => {
  it('reads schedule lines, CRON_TZ and job comments; skips variables and @reboot; names bad lines', () => {
    const { entries, problems, skipped } = parseCrontab(
      `${SEED_CRONTAB}CRON_TZ=Europe/Paris\n# failsoft job: nightly\n@daily /bin/nightly --x 50\\%\n@reboot /bin/boot\n0 9 * * /bin/short\n`,
    );
    expect(entries.map((e) => [e.line, e.schedule, e.command, e.tz, e.jobName])).toEqual([
      [3, '0 9 * * *', '/path/to/ai-job1', undefined, undefined],
      [4, '0 9 * * *', '/path/to/ai-job2', undefined, undefined],
      [5, '0 9 * * *', '/path/to/ai-job3', undefined, undefined],
      [8, '@daily', '/bin/nightly --x 50%', 'Europe/Paris', 'nightly'],
    ]);
    expect(skipped).toEqual([{ line: 9, message: '@reboot has no time to plan: left out (@reboot /bin/boot)' }]);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.line).toBe(10);
    expect(problems[0]?.message).toMatch(/^"0 9 \* \* \/bin\/short" is not a valid cron expression/);
  });

  it('matches commands to configured jobs and names the lines without an estimate', () => {
    const configured = [
      ...[1, 2, 3].map((n) => testJob(`ai-job${n}`, '30 4 * * *', { requests: 600 })),
      testJob('quiet', '0 1 * * *', undefined, { command: ['/path/to/quiet'] }),
      testJob('unused', '0 1 * * *', { requests: 5 }, { command: ['/path/to/unused'] }),
    ];
    const text = `${SEED_CRONTAB}15 9 * * * /path/to/ai-job1\n0 3 * * * /path/to/quiet\n0 4 * * * /path/to/other --x\n`;
    const result = crontabJobs(parseCrontab(text).entries, configured);
    expect(result.jobs.map((j) => [j.name, j.schedule, j.ai?.requests])).toEqual([
      ['ai-job1', '0 9 * * *', 600],
      ['ai-job2', '0 9 * * *', 600],
      ['ai-job3', '0 9 * * *', 600],
      ['ai-job1#2', '15 9 * * *', 600],
    ]);
    expect(result.unestimated).toEqual([
      { line: 7, schedule: '0 3 * * *', command: '/path/to/quiet', job: 'quiet' },
      { line: 8, schedule: '0 4 * * *', command: '/path/to/other --x' },
    ]);
    expect(result.notInCrontab).toEqual(['unused']);
  });

  it('writes the planned times with each command quoted, and escapes % for cron', () => {
    expect(crontabCommand({ command: ['/bin/report', '--title', "Q3's 100%"], shell: false })).toBe(
      `/bin/report --title 'Q3'\\''s 100\\%'`,
    );
    expect(crontabCommand({ command: ['cd /srv && ./run | gzip > out.gz'], shell: true })).toBe(
      'cd /srv && ./run | gzip > out.gz',
    );
  });

  it('round-trips: plan → crontab → plan from that crontab → the same planned schedules', () => {
    const input = seedInput();
    input.jobs = [
      ...input.jobs,
      testJob('quoted', '0 9 * * *', { requests: 300 }, { command: ['/bin/report', '--title', "Q3's 100%"] }),
      testJob('paris', '0 10 * * *', { requests: 600 }, { tz: 'Europe/Paris', command: ['/bin/paris'] }),
      testJob('piped', '0 9 * * *', { requests: 100 }, { shell: true, command: ['cd /srv && ./run | gzip > out.gz'] }),
    ];
    const plan = planJobs(input);
    expect(plan.feasible).toBe(true);
    const crontab = renderCrontab(plan, input.jobs, 'UTC');
    expect(crontab).toContain('CRON_TZ=Europe/Paris\n');
    const again = crontabJobs(parseCrontab(crontab).entries, input.jobs);
    expect(again.unestimated).toEqual([]);
    const replanned = planJobs({ ...input, jobs: again.jobs });
    const schedules = (p: typeof plan) => Object.fromEntries(p.jobs.map((j) => [j.name, [j.tz, j.plannedSchedule]]));
    expect(schedules(replanned)).toEqual(schedules(plan));
    expect(replanned.jobs.every((j) => j.delayMinutes === 0)).toBe(true);
  });
});
