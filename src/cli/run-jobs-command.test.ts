import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIo } from './cli-command.js';
import { jobsCommand, type JobJson } from './jobs-command.js';
import { runJobs, runJobsCommand } from './run-jobs-command.js';

const fixture = (name: string): string => new URL(`../../test/fixtures/jobs/${name}`, import.meta.url).pathname;

function captureIo(): CliIo & { out_: string[]; err_: string[] } {
  const out_: string[] = [];
  const err_: string[] = [];
  return { out_, err_, out: (l) => out_.push(l), err: (l) => err_.push(l) };
}

function writeConfig(dir: string, jobs: string): string {
  const file = join(dir, 'failsoft.yaml');
  writeFileSync(file, `store:\n  dir: ${join(dir, 'store')}\njobs:\n${jobs}`);
  return file;
}

describe('failsoft run-jobs and failsoft jobs', () => {
  it('runs a job every 2 seconds (6-field cron), records each run once, and jobs lists them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'failsoft-runjobs-'));
    const out = join(dir, 'runs.jsonl');
    const config = writeConfig(
      dir,
      `  tick:\n    schedule: "*/2 * * * * *"\n    tz: UTC\n    command: ["${process.execPath}", "${fixture('record-run.mjs')}", "${out}"]\n  broken:\n    schedule: "0 0 1 1 *"\n    command: ["/bin/false"]\n`,
    );
    const io = captureIo();
    // Stop once three runs have written their line (or after 15 s).
    const stop = new Promise<string>((resolve) => {
      const started = Date.now();
      const poll = setInterval(() => {
        let count = 0;
        try {
          count = readFileSync(out, 'utf8').trim().split('\n').length;
        } catch {
          /* not yet */
        }
        if (count >= 3 || Date.now() - started > 15_000) {
          clearInterval(poll);
          resolve('SIGTERM');
        }
      }, 50);
    });
    expect(
      await runJobs(config, io, { ...process.env, FAILSOFT_INSTANCE: 'runner-1', FAILSOFT_LOG_LEVEL: 'info' }, stop),
    ).toBe(0);
    const text = io.out_.join('\n');
    expect(text).toContain('failsoft run-jobs: running 2 job(s)');
    expect(text).toContain('single instance: without DATABASE_URL the schedule is not shared');
    expect(text).toContain('"msg":"job tick: started (attempt 1');
    const runs = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { runId: string; scheduledAt: string });
    expect(runs.length).toBeGreaterThanOrEqual(3);
    expect(new Set(runs.map((r) => r.runId)).size).toBe(runs.length);
    for (const r of runs) expect(r.runId).toBe(`tick@${r.scheduledAt}`);

    const listed = captureIo();
    const argv = ['--config', config, '--json', '--runs', '50'];
    expect(await jobsCommand.run(argv, listed)).toBe(0);
    const { jobs } = JSON.parse(listed.out_.join('\n')) as { jobs: JobJson[] };
    const tick = jobs.find((j) => j.name === 'tick');
    expect(tick?.plannedSchedule).toEqual(['*/2 * * * * *']);
    // Every run that started is recorded under its slot's id (one stopped by the SIGTERM stays running: its lease runs out).
    expect(tick?.runs.map((r) => r.id).sort()).toEqual(expect.arrayContaining(runs.map((r) => r.runId).sort()));
    expect(tick?.runs.find((r) => r.status === 'succeeded')).toMatchObject({
      attempts: 1,
      exitCode: 0,
      instance: 'runner-1',
    });
    expect(jobs.find((j) => j.name === 'broken')).toMatchObject({
      runs: [],
      nextRun: expect.stringMatching(/-01-01T/),
    });

    const readable = captureIo();
    expect(await jobsCommand.run(['--config', config], readable)).toBe(0);
    expect(readable.out_[0]).toMatch(/^tick {2}\*\/2 \* \* \* \* \* UTC {2}next /);
    expect(
      readable.out_.some((l) => /^ {2}\S+Z {2}succeeded {2}exit 0 {2}attempts 1 {2}\d+ ms {2}on runner-1$/.test(l)),
    ).toBe(true);
  }, 30_000);

  it('says what is wrong with the input (exit 2)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'failsoft-runjobs-'));
    const empty = join(dir, 'empty.yaml');
    writeFileSync(empty, 'providers: {}\n');
    const io = captureIo();
    expect(await runJobs(empty, io, {}, Promise.resolve('SIGTERM'))).toBe(2);
    expect(io.err_).toEqual([`failsoft run-jobs: ${empty} has no jobs: add a jobs: section (schedule, command, …)`]);
    const bad = captureIo();
    expect(await jobsCommand.run(['--runs', 'x'], bad).catch((e: Error) => e.message)).toBe(
      '--runs x: expected an integer from 0 to 1000',
    );
    const help = captureIo();
    expect(await runJobsCommand.run(['--help'], help)).toBe(0);
    expect(help.out_[0]).toMatch(/^Usage: failsoft run-jobs/);
  });
});
