/**
 * The seed scenario, run: `npx tsx bench/plan-seed.ts [--scale 0.1] [--concurrency 10]`.
 *
 * Three batch jobs scheduled for the same minute, each making `600 × scale` chat completions as fast as it can
 * (10 at a time) through the gateway to the simulator, whose OpenAI endpoint allows `1,000 × scale` requests a
 * minute (a token bucket, as providers run them). Run twice by the job runner, on the real clock: without the plan
 * (all three at their schedule) and with it (the planner's delays for a 20 % reserve: 0, 1 and 2 minutes). Prints
 * the 429s the simulator answered, the calls that fell back, and the makespan (first slot to the last job's end).
 * Targets (issue 12): 0 429s with the plan; makespan ≤ 1.1 × total requests / usable rate.
 *
 * Scale 0.1 (60-request jobs, 100 rpm) keeps the ratios of the seed (600-request jobs, 1,000 rpm) and the same
 * minutes, with a tenth of the requests. The engine is given no limits: what is measured is the plan alone.
 */
import { cpus } from 'node:os';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createFailsoft } from '../src/engine/failsoft.js';
import { EventBus } from '../src/engine/events.js';
import type { ResolvedJob } from '../src/engine/config/jobs-config.js';
import { startGateway } from '../src/gateway/gateway-server.js';
import { planJobs } from '../src/scheduler/plan-jobs.js';
import type { PlanJob } from '../src/scheduler/plan-types.js';
import { JobRunner } from '../src/scheduler/runner.js';
import { startSimulator } from '../src/sim/start-simulator.js';
import { MemoryStore } from '../src/store/memory-store.js';

const { values: flags } = parseArgs({
  options: { scale: { type: 'string', default: '0.1' }, concurrency: { type: 'string', default: '10' } },
});
const SCALE = Number(flags.scale);
const REQUESTS = Math.round(600 * SCALE);
const RPM = Math.round(1000 * SCALE);
const RESERVE = 0.2;
const BURST = fileURLToPath(new URL('../test/fixtures/jobs/burst-calls.mjs', import.meta.url));

interface JobLine {
  job: string;
  scheduledAt: string;
  startedAt: number;
  endedAt: number;
  provider: number;
  fallback: number;
  failed: number;
}

async function runOnce(planned: boolean): Promise<{
  rateLimited: number;
  provider: number;
  fallback: number;
  failed: number;
  makespanMs: number;
  delays: number[];
}> {
  const sim = await startSimulator({ port: 0, limits: { openai: { rpm: RPM } } });
  const ai = createFailsoft(
    {
      providers: { gpt: { type: 'openai', baseUrl: sim.urlFor('openai'), apiKey: 'sim' } },
      features: { batch: { tier: 'enhanced', route: ['gpt/gpt-4o-mini'], fallback: { text: 'later' } } },
    },
    { env: {} },
  );
  const gateway = await startGateway({ ai, port: 0 });
  const out = join(mkdtempSync(join(tmpdir(), 'failsoft-seed-')), 'jobs.jsonl');
  // The next minute at least 5 s away, as a daily UTC schedule: what three cron lines "0 9 * * *" are at 09:00.
  const slot = Math.ceil((Date.now() + 5_000) / 60_000) * 60_000;
  const at = new Date(slot);
  const jobs: PlanJob[] = ['job-a', 'job-b', 'job-c'].map(
    (name): PlanJob =>
      ({
        name,
        schedule: `${at.getUTCMinutes()} ${at.getUTCHours()} * * *`,
        tz: 'UTC',
        command: [process.execPath, BURST, String(REQUESTS), flags.concurrency, out],
        shell: false,
        tier: 'enhanced',
        priority: 1,
        flexMs: 10 * 60_000,
        killGraceMs: 10_000,
        retries: { max: 0, backoffMs: 30_000, multiplier: 2 },
        overlap: 'allow',
        catchUp: 'none',
        ai: { provider: 'gpt', requests: REQUESTS, inputTokens: 0, outputTokens: 0, minutes: 1 },
      }) satisfies ResolvedJob & { schedule: string },
  );
  const plan = planJobs({
    jobs,
    limits: { gpt: { rpm: RPM } },
    reserve: RESERVE,
    avoid: [],
    periodStart: slot - (slot % 86_400_000),
    defaultTz: 'UTC',
  });
  const delays = jobs.map((j) => (planned ? (plan.jobs.find((p) => p.name === j.name)?.delayMinutes ?? 0) : 0));
  const bus = new EventBus();
  let done = 0;
  bus.on('job-succeeded', () => {
    done++;
  });
  bus.on('job-failed', () => {
    done++;
  });
  const runner = new JobRunner({
    jobs: jobs.map((job, i) => ({ job, delayMs: (delays[i] ?? 0) * 60_000, tz: 'UTC' })),
    store: new MemoryStore(),
    instance: 'bench',
    events: bus,
    gateway: { url: gateway.url },
  });
  await runner.start();
  while (done < jobs.length) await new Promise((r) => setTimeout(r, 200));
  await runner.stop();
  // Counted where they happen: the 429s the simulator answered.
  const rateLimited = sim.stats().openai?.statuses['429'] ?? 0;
  await gateway.close();
  await ai.close();
  await sim.close();
  const lines = existsSync(out)
    ? readFileSync(out, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as JobLine)
    : [];
  const sum = (key: 'provider' | 'fallback' | 'failed'): number => lines.reduce((n, l) => n + l[key], 0);
  return {
    rateLimited,
    provider: sum('provider'),
    fallback: sum('fallback'),
    failed: sum('failed'),
    makespanMs: Math.max(...lines.map((l) => l.endedAt)) - slot,
    delays,
  };
}

const total = 3 * REQUESTS;
const usablePerMin = RPM * (1 - RESERVE);
const bound = 1.1 * (total / usablePerMin) * 60_000;
console.log(
  `seed scenario x${SCALE}: 3 jobs x ${REQUESTS} requests at one minute, ${RPM} rpm at the simulator, reserve ${RESERVE * 100} %; ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`,
);
console.log(
  '| run | delays (min) | 429s | answered by the provider | fallbacks | failed | makespan | vs 1.1 × total / usable rate |',
);
console.log('|---|---|---:|---:|---:|---:|---:|---:|');
for (const planned of [false, true]) {
  const r = await runOnce(planned);
  console.log(
    `| ${planned ? 'with the plan' : 'without the plan'} | ${r.delays.join(', ')} | ${r.rateLimited} | ${r.provider} | ${r.fallback} | ${r.failed} | ${(r.makespanMs / 60_000).toFixed(2)} min | ${(r.makespanMs / bound).toFixed(2)} |`,
  );
}
console.log(`bound: 1.1 × ${total} / ${usablePerMin} per min = ${(bound / 60_000).toFixed(2)} min`);
