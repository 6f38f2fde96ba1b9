import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from './cli-command.js';
import { parsePlanArgs, planCommand } from './plan-command.js';

const SEED_JOBS = [1, 2, 3]
  .map(
    (n) =>
      `  ai-job${n}: { schedule: "0 9 * * *", command: ["/path/to/ai-job${n}"], flex: 60m, ai: { provider: claude, requests: 600 } }`,
  )
  .join('\n');

function seedConfig(jobs = SEED_JOBS, extra = ''): string {
  return `providers:
  claude: { type: anthropic, apiKeyEnv: ANTHROPIC_API_KEY, limits: { rpm: 1000 } }
features:
  summary: { tier: ai-only, route: [claude/claude-sonnet] }
jobs:
${jobs}
planning: { reserve: 0.2 }
${extra}`;
}

async function file(name: string, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'failsoft-plan-'));
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await planCommand.run([...argv, '--tz', 'UTC', '--start', '2026-01-05'], {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('failsoft plan', () => {
  it('prints the table and the load chart for the seed scenario, exit 0', async () => {
    const { code, out } = await run('--config', await file('failsoft.yaml', seedConfig()));
    expect(code).toBe(0);
    expect(out).toContain('ai-job2  0 9 * * *  1 9 * * *         1 min  60 % (claude)');
    expect(out).toContain('total delay 3 min; every minute fits the usable budget');
    expect(out).toContain('claude rpm per minute, 08:58–09:04 (limit 1,000, usable 800):');
    expect(out).toMatch(/before │ {2}█ {4}│ peak 1,800 \(180 % of limit\)/);
    expect(out).toMatch(/after {2}│ {2}▅▅▅ {2}│ peak 600 \(60 % of limit\)/);
  });

  it('--json: jobs[], peak before and after per provider, feasible', async () => {
    const { code, out } = await run('--config', await file('failsoft.yaml', seedConfig()), '--json');
    expect(code).toBe(0);
    const plan = JSON.parse(out);
    expect(plan.feasible).toBe(true);
    expect(
      plan.jobs.map((j: { name: string; schedule: string; plannedSchedule: string; delayMinutes: number }) => [
        j.name,
        j.schedule,
        j.plannedSchedule,
        j.delayMinutes,
      ]),
    ).toEqual([
      ['ai-job1', '0 9 * * *', '0 9 * * *', 0],
      ['ai-job2', '0 9 * * *', '1 9 * * *', 1],
      ['ai-job3', '0 9 * * *', '2 9 * * *', 2],
    ]);
    expect(plan.peak).toEqual({ before: { claude: { rpm: 1800 } }, after: { claude: { rpm: 600 } } });
    expect(plan.totalDelayMinutes).toBe(3);
    expect(plan.overflows).toEqual([]);
  });

  it('exit 1 and names the overflowing job, its minute, and what would fit', async () => {
    const tight = SEED_JOBS.replace(/flex: 60m/g, 'flex: 1m');
    const path = await file('failsoft.yaml', seedConfig(tight));
    const text = await run('--config', path);
    expect(text.code).toBe(1);
    expect(text.out).toContain('ai-job3 (claude) does not fit within its flex:');
    expect(text.out).toContain('09:00: rpm 1200 > usable 800');
    expect(text.out).toContain('would fit with flex: 2m, or limits rpm 1500');
    const json = await run('--config', path, '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.out)).toMatchObject({
      feasible: false,
      overflows: [
        {
          job: 'ai-job3',
          provider: 'claude',
          minutes: [{ at: '2026-01-05T09:00:00.000Z', minutes: 1, dimension: 'rpm', load: 1200, usable: 800 }],
          flexThatFitsMinutes: 2,
          limitsThatFit: { rpm: 1500 },
        },
      ],
    });
    const crontab = await run('--config', path, '--crontab');
    expect(crontab.code).toBe(1);
    expect(crontab.out).toBe('');
    expect(crontab.err).toContain('no crontab written');
  });

  it('--crontab writes the planned times; --from-crontab plans the seed crontab and names lines without an estimate', async () => {
    const config = await file('failsoft.yaml', seedConfig());
    const crontab = await run('--config', config, '--crontab');
    expect(crontab.code).toBe(0);
    expect(crontab.out.split('\n').filter((l) => !l.startsWith('#'))).toEqual([
      '0 9 * * * /path/to/ai-job1',
      '1 9 * * * /path/to/ai-job2',
      '2 9 * * * /path/to/ai-job3',
    ]);
    const back = await run('--config', config, '--from-crontab', await file('planned.crontab', crontab.out), '--json');
    expect(JSON.parse(back.out).jobs.map((j: { plannedSchedule: string }) => j.plannedSchedule)).toEqual([
      '0 9 * * *',
      '1 9 * * *',
      '2 9 * * *',
    ]);

    const seed = await file(
      'seed.crontab',
      '0 9 * * * /path/to/ai-job1\n0 9 * * * /path/to/ai-job2\n0 9 * * * /path/to/ai-job3\n30 2 * * * /usr/local/bin/backup\n',
    );
    const noSchedules = await file('failsoft.yaml', seedConfig(SEED_JOBS.replace(/schedule: "0 9 \* \* \*", /g, '')));
    const planned = await run('--config', noSchedules, '--from-crontab', seed);
    expect(planned.code).toBe(0);
    expect(planned.out).toContain('total delay 3 min');
    expect(planned.out).toContain(
      `${seed}:4: no AI estimate for "/usr/local/bin/backup": kept at 30 2 * * *, not planned`,
    );
    const asCrontab = await run('--config', noSchedules, '--from-crontab', seed, '--crontab');
    expect(asCrontab.out).toContain(
      '# no AI estimate for this command: kept at its time\n30 2 * * * /usr/local/bin/backup',
    );
    expect(asCrontab.err).toContain(`${seed}:4: no AI estimate`);
  });

  it('exit 2 on bad input, naming what and where', async () => {
    const badCron = await run(
      '--config',
      await file('failsoft.yaml', seedConfig(SEED_JOBS.replace('"0 9 * * *"', '"0 9 * *"'))),
    );
    expect(badCron.code).toBe(2);
    expect(badCron.err).toContain('jobs.ai-job1.schedule: "0 9 * *" has 4 fields');
    const typo = await run(
      '--config',
      await file('failsoft.yaml', seedConfig(SEED_JOBS.replace('provider: claude', 'provider: cluade'))),
    );
    expect(typo.err).toContain('jobs.ai-job1.ai.provider: unknown provider "cluade" (did you mean "claude"?)');
    const noSchedule = await run(
      '--config',
      await file('failsoft.yaml', seedConfig(SEED_JOBS.replace('schedule: "0 9 * * *", ', ''))),
    );
    expect(noSchedule).toMatchObject({
      code: 2,
      err: 'failsoft plan: jobs.ai-job1.schedule: required to plan (or plan from a crontab with --from-crontab FILE)',
    });
    const noJobs = await run(
      '--config',
      await file('failsoft.yaml', seedConfig('  {}').replace('jobs:\n  {}', 'jobs: {}')),
    );
    expect(noJobs.code).toBe(2);
    expect(noJobs.err).toContain('no jobs to plan');
    const badLine = await run(
      '--config',
      await file('failsoft.yaml', seedConfig()),
      '--from-crontab',
      await file('c', '0 9 * * /x\n'),
    );
    expect(badLine.code).toBe(2);
    expect(badLine.err).toMatch(/c:1: "0 9 \* \* \/x" is not a valid cron expression/);
    const everySecond = await run(
      '--config',
      await file('failsoft.yaml', seedConfig(SEED_JOBS.replace('"0 9 * * *"', '"* * * * * *"'))),
    );
    expect(everySecond.err).toContain('jobs.ai-job1.schedule: "* * * * * *" runs more than once a minute');
    expect((await run('--config', '/nonexistent/failsoft.yaml')).code).toBe(2);
  });

  it('--help prints the usage with the exit codes', async () => {
    const out: string[] = [];
    expect(await planCommand.run(['--help'], { out: (l) => out.push(l), err: () => undefined })).toBe(0);
    expect(out.join('\n')).toMatch(
      /^Usage: failsoft plan \[options\][\s\S]*--from-crontab FILE[\s\S]*Exit codes: 0 the plan fits, 1 it does not/,
    );
  });

  it('parses flags strictly', () => {
    expect(parsePlanArgs([])).toEqual({
      configFile: 'failsoft.yaml',
      json: false,
      crontab: false,
      fromCrontab: undefined,
      start: undefined,
      tz: undefined,
      help: false,
    });
    expect(parsePlanArgs(['--start', '2026-01-05']).start).toBe(Date.UTC(2026, 0, 5));
    expect(() => parsePlanArgs(['--json', '--crontab'])).toThrow('--json and --crontab: choose one output');
    expect(() => parsePlanArgs(['--start', 'soon'])).toThrow(UsageError);
    expect(() => parsePlanArgs(['--tz', 'Mars/Olympus'])).toThrow('--tz Mars/Olympus: not a time zone');
    expect(() => parsePlanArgs(['--bogus'])).toThrow(UsageError);
  });
});
