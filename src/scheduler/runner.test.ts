import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../store/memory-store.js';
import { retryDelayMs } from './run-attempts.js';
import { fixture, harness, outputFile, testJob, waitFor } from './runner.test-helper.js';

const node = process.execPath;
const SLOT = Date.UTC(2026, 0, 5, 9, 0, 0);
const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

function started(h: ReturnType<typeof harness>) {
  stops.push(() => h.runner.stop());
  return h;
}

describe('JobRunner: retries', () => {
  it('retries after backoff × multiplier^(attempt − 1), then records the failure with exit code, attempts and output tails', async () => {
    const h0 = outputFile();
    const h = started(
      harness([
        testJob({
          command: [node, fixture('record-run.mjs'), h0.out, '0', '3'],
          retries: { max: 2, backoffMs: 10_000, multiplier: 3 },
        }),
      ]),
    );
    await h.runner.start();
    await h.clock.advance(1_000);
    await waitFor(() => h.of('job-retrying').length === 1, 'first retry');
    expect(h.of('job-retrying')[0]).toMatchObject({ attempt: 2, delayMs: 10_000, reason: 'exit 3', at: SLOT });
    await h.clock.advance(9_999);
    await new Promise((r) => setTimeout(r, 50)); // deliberate: nothing may start in these 50 ms, 1 ms before the backoff ends
    expect(h.of('job-started')).toHaveLength(1);
    await h.clock.advance(1);
    await waitFor(() => h.of('job-retrying').length === 2, 'second retry');
    expect(h.of('job-retrying')[1]).toMatchObject({ attempt: 3, delayMs: 30_000, at: SLOT + 10_000 });
    await h.clock.advance(30_000);
    await waitFor(() => h.of('job-failed').some((e) => e.type === 'job-failed' && e.final), 'final failure');
    await h.runner.idle();
    expect(h.of('job-started').map((e) => e.at)).toEqual([SLOT, SLOT + 10_000, SLOT + 40_000]);
    expect(h.of('job-failed').map((e) => (e.type === 'job-failed' ? [e.attempt, e.final] : []))).toEqual([
      [1, false],
      [2, false],
      [3, true],
    ]);
    const [run] = await h.store.listJobRuns({});
    expect(run).toMatchObject({
      id: 'nightly@2026-01-05T09:00:00.000Z',
      status: 'failed',
      attempt: 3,
      exitCode: 3,
      startedAt: SLOT,
      finishedAt: SLOT + 40_000,
      stderrTail: 'exiting 3\n',
      instance: 'i1',
    });
    expect(run?.leaseUntil).toBeUndefined();
  });

  it("computes the delays from the job's retries", () => {
    const retries = { max: 3, backoffMs: 30_000, multiplier: 2 };
    expect([1, 2, 3].map((n) => retryDelayMs(retries, n))).toEqual([30_000, 60_000, 120_000]);
  });

  it('records a success with its duration and gives the job its run identity in the environment', async () => {
    const h0 = outputFile();
    const h = started(harness([testJob({ command: [node, fixture('record-run.mjs'), h0.out] })]));
    await h.runner.start();
    await h.clock.advance(1_000);
    await waitFor(() => h.of('job-succeeded').length === 1, 'success');
    await h.runner.idle();
    expect(h0.lines()).toEqual([
      expect.objectContaining({
        job: 'nightly',
        runId: 'nightly@2026-01-05T09:00:00.000Z',
        scheduledAt: '2026-01-05T09:00:00.000Z',
      }),
    ]);
    expect((await h.store.listJobRuns({}))[0]).toMatchObject({
      status: 'succeeded',
      attempt: 1,
      exitCode: 0,
      stdoutTail: 'run nightly@2026-01-05T09:00:00.000Z\n',
    });
  });
});

describe('JobRunner: timeout', () => {
  it('kills the process group at the timeout on the fake clock (SIGTERM, SIGKILL after killGrace) and records timed-out', async () => {
    const h0 = outputFile();
    const pidFile = join(h0.dir, 'grandchild.pid');
    const h = started(
      harness([
        testJob({ command: [node, fixture('spawn-grandchild.mjs'), pidFile], timeoutMs: 5_000, killGraceMs: 2_000 }),
      ]),
    );
    await h.runner.start();
    await h.clock.advance(1_000);
    const grandchild = await waitFor(() => {
      try {
        return Number(readFileSync(pidFile, 'utf8')) || undefined;
      } catch {
        return undefined;
      }
    }, 'grandchild pid');
    await h.clock.advance(5_000); // SIGTERM: the leader dies, the grandchild ignores it
    await new Promise((r) => setTimeout(r, 200)); // deliberate: the grandchild must still be alive 200 ms later
    expect(isAlive(grandchild)).toBe(true);
    await h.clock.advance(2_000); // SIGKILL to the group
    await waitFor(() => h.of('job-failed').length === 1, 'timeout failure');
    await h.runner.idle();
    expect(isAlive(grandchild)).toBe(false);
    expect(h.of('job-failed')[0]).toMatchObject({ reason: 'timed out after 5 s', final: true });
    expect((await h.store.listJobRuns({}))[0]).toMatchObject({
      status: 'timed-out',
      detail: 'attempt 1: timed out after 5 s',
    });
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('JobRunner: overlap', () => {
  const everyMinute = (overlap: 'skip' | 'queue' | 'allow', out: string) =>
    testJob({ schedule: '* * * * *', overlap, command: [node, fixture('record-run.mjs'), out, '800'] });

  it('skip: a run planned while the previous one still runs is recorded skipped, and only the first runs', async () => {
    const h0 = outputFile();
    const h = started(harness([everyMinute('skip', h0.out)]));
    await h.runner.start();
    await h.clock.advance(1_000);
    await waitFor(() => h.of('job-started').length === 1, 'first start');
    await h.clock.advance(60_000);
    await waitFor(() => h.of('job-skipped').length === 1, 'skip');
    await h.runner.idle();
    expect(h.of('job-skipped')[0]).toMatchObject({
      runId: 'nightly@2026-01-05T09:01:00.000Z',
      reason: 'overlap: skip (run nightly@2026-01-05T09:00:00.000Z still running)',
    });
    expect(h0.lines().map((l) => l.runId)).toEqual(['nightly@2026-01-05T09:00:00.000Z']);
    expect((await h.store.listJobRuns({})).map((r) => r.status)).toEqual(['skipped', 'succeeded']);
  });

  it('queue: the later run waits for the earlier one, then runs', async () => {
    const h0 = outputFile();
    const h = started(harness([everyMinute('queue', h0.out)], { pollMs: 1_000 }));
    await h.runner.start();
    await h.clock.advance(1_000);
    await waitFor(() => h.of('job-started').length === 1, 'first start');
    await h.clock.advance(60_000);
    await waitFor(() => h.of('job-succeeded').length === 1, 'first success');
    expect(h.of('job-started')).toHaveLength(1);
    await h.clock.advance(1_000);
    await waitFor(() => h.of('job-started').length === 2, 'queued start');
    await h.runner.idle();
    expect(h0.lines().map((l) => l.runId)).toEqual([
      'nightly@2026-01-05T09:00:00.000Z',
      'nightly@2026-01-05T09:01:00.000Z',
    ]);
    const [a, b] = h0.lines() as Array<{ at: number }>;
    expect(b!.at).toBeGreaterThanOrEqual(a!.at + 800);
  });

  it('allow: runs overlap', async () => {
    const h0 = outputFile();
    const h = started(harness([everyMinute('allow', h0.out)]));
    await h.runner.start();
    await h.clock.advance(1_000);
    await waitFor(() => h.of('job-started').length === 1, 'first start');
    await h.clock.advance(60_000);
    await waitFor(() => h.of('job-started').length === 2, 'second start');
    expect(h.of('job-succeeded')).toHaveLength(0);
    await h.runner.idle();
    expect(h.of('job-succeeded')).toHaveLength(2);
  });
});

describe('JobRunner: catch-up', () => {
  const seed = async (store: MemoryStore, plannedAt: number) => {
    await store.upsertJobRuns([
      {
        id: `nightly@${new Date(plannedAt).toISOString()}`,
        job: 'nightly',
        plannedAt,
        status: 'succeeded',
        attempt: 1,
        instance: 'old',
      },
    ]);
  };

  it('once: runs the slot missed since the last stored run, once, at start', async () => {
    const store = new MemoryStore();
    await seed(store, Date.UTC(2026, 0, 3, 9)); // two slots missed: the 4th and the 5th
    const h0 = outputFile();
    const h = started(
      harness(
        [testJob({ catchUp: 'once', command: [node, fixture('record-run.mjs'), h0.out] })],
        { store },
        Date.UTC(2026, 0, 5, 9, 30),
      ),
    );
    await h.runner.start();
    await waitFor(() => h.of('job-succeeded').length === 1, 'catch-up run');
    await h.runner.idle();
    expect(h0.lines().map((l) => l.scheduledAt)).toEqual(['2026-01-05T09:00:00.000Z']);
    expect(h.logs).toContain(
      'info: job nightly: catching up the run planned 2026-01-05T09:00:00.000Z (missed while no runner ran it)',
    );
  });

  it('none, or nothing missed: no run at start', async () => {
    for (const [catchUp, last] of [
      ['none', Date.UTC(2026, 0, 3, 9)],
      ['once', Date.UTC(2026, 0, 5, 9)],
    ] as const) {
      const store = new MemoryStore();
      await seed(store, last);
      const h = started(
        harness([testJob({ catchUp, command: ['/bin/true'] })], { store }, Date.UTC(2026, 0, 5, 9, 30)),
      );
      await h.runner.start();
      await new Promise((r) => setTimeout(r, 50)); // deliberate: nothing may start in these 50 ms
      expect(h.of('job-started')).toHaveLength(0);
    }
  });
});

describe('JobRunner: deferral of ai-only jobs', () => {
  it('defers while every provider is down and starts when one recovers, within its flex', async () => {
    let up = false;
    const h0 = outputFile();
    const h = started(
      harness([testJob({ tier: 'ai-only', flexMs: 600_000, command: [node, fixture('record-run.mjs'), h0.out] })], {
        aiAvailable: async () => up,
        pollMs: 10_000,
      }),
    );
    await h.runner.start();
    await h.clock.advance(1_000);
    await waitFor(() => h.of('job-deferred').length === 1, 'deferral');
    expect(h.of('job-deferred')[0]).toMatchObject({
      untilMs: SLOT + 600_000,
      reason: 'every provider is down (breakers open or cooling down)',
    });
    expect((await h.store.listJobRuns({}))[0]?.status).toBe('deferred');
    await h.clock.advance(10_000);
    expect(h.of('job-started')).toHaveLength(0);
    up = true;
    await h.clock.advance(10_000);
    await waitFor(() => h.of('job-succeeded').length === 1, 'start after recovery');
    expect(h.of('job-started')[0]?.at).toBe(SLOT + 20_000);
    expect(h.of('job-failed')).toHaveLength(0);
  });

  it('gives up when its flex passes: the run stays deferred (not failed) and says why', async () => {
    const h = started(
      harness([testJob({ tier: 'ai-only', flexMs: 30_000, command: ['/bin/true'] })], {
        aiAvailable: async () => false,
        pollMs: 10_000,
      }),
    );
    await h.runner.start();
    await h.clock.advance(1_000);
    await waitFor(() => h.of('job-deferred').length === 1, 'deferral');
    for (let i = 0; i < 3; i++) await h.clock.advance(10_000);
    await waitFor(() => h.of('job-skipped').length === 1, 'give up');
    expect((await h.store.listJobRuns({}))[0]).toMatchObject({
      status: 'deferred',
      finishedAt: SLOT + 30_000,
      detail: 'no provider recovered within its flex (until 2026-01-05T09:00:30.000Z)',
    });
    expect(h.of('job-started')).toHaveLength(0);
  });

  it('an enhanced job runs during the outage (its calls get fallbacks)', async () => {
    const h = started(
      harness([testJob({ tier: 'enhanced', command: ['/bin/true'] })], { aiAvailable: async () => false }),
    );
    await h.runner.start();
    await h.clock.advance(1_000);
    await waitFor(() => h.of('job-succeeded').length === 1, 'run');
  });
});

describe('JobRunner: one run per slot, leases', () => {
  it('two runners on one store start a slot once', async () => {
    const store = new MemoryStore();
    const h0 = outputFile();
    const job = () => testJob({ command: [node, fixture('record-run.mjs'), h0.out] });
    const a = started(harness([job()], { store }));
    const b = started(harness([job()], { store, instance: 'i2' }));
    await a.runner.start();
    await b.runner.start();
    await Promise.all([a.clock.advance(1_000), b.clock.advance(1_000)]);
    await waitFor(() => a.of('job-succeeded').length + b.of('job-succeeded').length === 1, 'one run');
    await a.runner.idle();
    await b.runner.idle();
    expect(h0.lines()).toHaveLength(1);
    expect(await store.listJobRuns({})).toHaveLength(1);
  });

  it("takes over a run whose owner's lease ran out: the lost attempt failed, the next one runs", async () => {
    const store = new MemoryStore();
    const plannedAt = SLOT;
    await store.claimJobRun({
      id: 'nightly@2026-01-05T09:00:00.000Z',
      job: 'nightly',
      plannedAt,
      status: 'running',
      attempt: 1,
      startedAt: plannedAt,
      leaseUntil: plannedAt + 30_000,
      instance: 'dead',
    });
    const h0 = outputFile();
    const h = started(
      harness(
        [
          testJob({
            retries: { max: 1, backoffMs: 1_000, multiplier: 2 },
            command: [node, fixture('record-run.mjs'), h0.out],
          }),
        ],
        { store },
        plannedAt + 30_001,
      ),
    );
    await h.runner.start();
    await waitFor(() => h.of('job-succeeded').length === 1, 'retry by the taker');
    expect(h.of('job-failed')[0]).toMatchObject({
      attempt: 1,
      final: false,
      reason: 'owner dead lost (lease ran out at 2026-01-05T09:00:30.000Z)',
    });
    await h.runner.idle();
    expect((await store.listJobRuns({}))[0]).toMatchObject({ status: 'succeeded', attempt: 2, instance: 'i1' });
  });

  it('marks a run of a dead owner failed when no retry is left; leaves a live lease alone', async () => {
    const store = new MemoryStore();
    await store.claimJobRun({
      id: 'nightly@2026-01-05T09:00:00.000Z',
      job: 'nightly',
      plannedAt: SLOT,
      status: 'running',
      attempt: 1,
      startedAt: SLOT,
      leaseUntil: SLOT + 30_000,
      instance: 'dead',
    });
    await store.claimJobRun({
      id: 'nightly@2026-01-04T09:00:00.000Z',
      job: 'nightly',
      plannedAt: SLOT - 86_400_000,
      status: 'running',
      attempt: 1,
      leaseUntil: SLOT + 90_000,
      instance: 'alive',
    });
    const h = started(harness([testJob({ command: ['/bin/true'] })], { store }, SLOT + 60_000));
    await h.runner.start();
    await h.runner.idle();
    const runs = await store.listJobRuns({});
    expect(runs.map((r) => [r.instance, r.status])).toEqual([
      ['i1', 'failed'],
      ['alive', 'running'],
    ]);
    expect(h.of('job-failed')[0]).toMatchObject({ final: true });
  });
});
