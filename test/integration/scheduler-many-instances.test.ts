import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { PostgresStore } from '../../src/store/postgres-store.js';
import { describeWithPostgres, postgresUrl } from './services.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const RECORD_RUN = fileURLToPath(new URL('../fixtures/jobs/record-run.mjs', import.meta.url));
const url = postgresUrl ?? '';
const children: ChildProcess[] = [];

function startRunner(config: string, instance: string): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'run-jobs', '--config', config], {
    env: { ...process.env, DATABASE_URL: url, FAILSOFT_INSTANCE: instance, FAILSOFT_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  children.push(child);
  return { child, output: () => text };
}

async function until(fn: () => boolean | Promise<boolean>, what: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describeWithPostgres('many run-jobs instances, one schedule (PostgreSQL)', () => {
  afterAll(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  });

  it('three runners with a job every 2 seconds start every slot exactly once over a minute, one of them SIGKILLed mid-run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'failsoft-many-'));
    const out = join(dir, 'runs.jsonl');
    const job = `tick_${Date.now().toString(36)}`;
    const config = join(dir, 'failsoft.yaml');
    writeFileSync(
      config,
      [
        'scheduler: { lease: 3s }',
        'jobs:',
        `  ${job}: { schedule: "*/2 * * * * *", tz: UTC, overlap: allow, command: ["${process.execPath}", "${RECORD_RUN}", "${out}", "1200"] }`,
      ].join('\n'),
    );
    const runners = ['r1', 'r2', 'r3'].map((name) => ({ name, ...startRunner(config, name) }));
    await until(
      () => runners.every((r) => r.output().includes('failsoft run-jobs: running 1 job(s)')),
      'three runners up',
      60_000,
    );
    for (const r of runners) expect(r.output()).toContain('schedule shared through PostgreSQL');
    const from = Date.now();
    const store = new PostgresStore({ url });
    try {
      // ~10 s in, kill (SIGKILL) a runner while it runs a job: its run's lease runs out and another runner marks it.
      await sleep(10_000);
      let victim: (typeof runners)[number] | undefined;
      let killedRun: string | undefined;
      await until(
        async () => {
          const running = (await store.listJobRuns({ job, limit: 5 })).find((r) => r.status === 'running');
          victim = runners.find((r) => r.name === running?.instance);
          killedRun = running?.id;
          return victim !== undefined;
        },
        'a run in progress',
        10_000,
      );
      victim?.child.kill('SIGKILL');
      await sleep(50_000);
      const to = Date.now();
      for (const r of runners) if (r !== victim) r.child.kill('SIGTERM');
      await Promise.all(
        runners
          .filter((r) => r !== victim)
          .map(
            (r) =>
              new Promise((resolve) => (r.child.exitCode !== null ? resolve(null) : r.child.once('exit', resolve))),
          ),
      );
      await until(
        async () =>
          (await store.listJobRuns({ job, limit: 1000 })).find((r) => r.id === killedRun)?.status !== 'running',
        'the killed run marked',
        10_000,
      ).catch(() => undefined);

      const lines = existsSync(out)
        ? readFileSync(out, 'utf8')
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l) as { runId: string; scheduledAt: string })
        : [];
      const started = new Map<string, number>();
      for (const l of lines) started.set(l.runId, (started.get(l.runId) ?? 0) + 1);
      // Every slot from 2 s after all were up to 2 s before the end: started once, no slot twice.
      const slots: string[] = [];
      for (let t = Math.ceil((from + 2_000) / 2_000) * 2_000; t <= to - 2_000; t += 2_000)
        slots.push(`${job}@${new Date(t).toISOString()}`);
      expect(slots.length).toBeGreaterThanOrEqual(28);
      expect(slots.filter((s) => started.get(s) !== 1)).toEqual([]);
      expect([...started.values()].every((n) => n === 1)).toBe(true);
      const records = await store.listJobRuns({ job, limit: 1000 });
      expect(records.filter((r) => slots.includes(r.id))).toHaveLength(slots.length);
      const killed = records.find((r) => r.id === killedRun);
      expect(killed).toMatchObject({
        status: 'failed',
        detail: expect.stringContaining(`owner ${victim?.name ?? ''} lost (lease ran out`),
      });
      const byInstance = new Map<string, number>();
      for (const r of records.filter((x) => slots.includes(x.id)))
        byInstance.set(r.instance, (byInstance.get(r.instance) ?? 0) + 1);
      // Written to the log of the test run: how the slots were shared.
      console.log(
        `scheduler-many-instances: ${slots.length} slots, ${lines.length} starts, by instance ${JSON.stringify(Object.fromEntries(byInstance))}, killed ${victim?.name} during ${killedRun}`,
      );
    } finally {
      await store.close();
    }
  }, 150_000);
});
