import type { Clock } from '../model/clock.js';
import type { ResolvedConfig } from '../engine/config/resolve-config.js';
import type { Store } from '../store/store.js';
import { gatewayAvailability, type AiAvailability } from './ai-availability.js';
import type { JobGateway } from './job-env.js';
import type { JobEventSink } from './run-attempts.js';
import type { RunnerLog } from './run-lease.js';
import { JobRunner } from './runner.js';
import { slottedJobs } from './runner-plan.js';

/** What a face (`serve`, `run-jobs`) hands the runner. */
export interface JobRunnerHost {
  config: ResolvedConfig;
  store: Store;
  /** `postgres` shares the schedule with other instances; the others are one process's. */
  backend: 'pglite' | 'postgres' | 'memory';
  instance: string;
  events: JobEventSink;
  log: RunnerLog;
  /** Inside `serve`: its own gateway and per-job keys (else `scheduler.gatewayUrl`, without keys). */
  gateway?: JobGateway;
  /** Inside `serve`: the engine's health (else the gateway's `/health/ai` when `scheduler.gatewayUrl` is set). */
  aiAvailable?: AiAvailability;
  clock?: Clock;
  baseEnv?: Readonly<Record<string, string | undefined>>;
  /** Time zone of schedules without `tz` (default the machine's, as cron). */
  defaultTz?: string;
}

/** A started runner and the lines that say what it runs. */
export interface StartedJobRunner {
  runner: JobRunner;
  lines: string[];
}

/**
 * Plans the config's jobs and starts a runner for them (catch-up, takeovers, then each job's timer), or returns
 * undefined when the config has no job with a schedule.
 * @example const started = await startJobRunner({ config, store, backend: 'postgres', instance: 'a', events: bus, log });
 */
export async function startJobRunner(host: JobRunnerHost): Promise<StartedJobRunner | undefined> {
  const now = host.clock?.now() ?? Date.now();
  const tz = host.defaultTz ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const plan = slottedJobs(host.config, now, tz);
  if (plan.jobs.length === 0) return undefined;
  const gatewayUrl = host.config.scheduler?.gatewayUrl;
  const gateway = host.gateway ?? (gatewayUrl === undefined ? undefined : { url: gatewayUrl });
  const aiAvailable = host.aiAvailable ?? (gatewayUrl === undefined ? undefined : gatewayAvailability(gatewayUrl));
  const runner = new JobRunner({
    jobs: plan.jobs,
    store: host.store,
    instance: host.instance,
    events: host.events,
    log: host.log,
    leaseMs: host.config.scheduler?.leaseMs ?? 30_000,
    ...(host.clock === undefined ? {} : { clock: host.clock }),
    ...(host.baseEnv === undefined ? {} : { baseEnv: host.baseEnv }),
    ...(gateway === undefined ? {} : { gateway }),
    ...(aiAvailable === undefined ? {} : { aiAvailable }),
  });
  const lines = plan.jobs.map((s) => {
    const next = runner.nextRuns(now)[s.job.name];
    const moved = s.delayMs === 0 ? '' : ` (planned ${s.delayMs / 60_000} min later)`;
    return `jobs: ${s.job.name}: ${s.job.schedule} ${s.tz}${moved}; next run ${next === undefined ? 'never' : new Date(next).toISOString()}`;
  });
  lines.push(...plan.notes.map((n) => `jobs: ${n}`));
  lines.push(
    host.backend === 'postgres'
      ? `jobs: schedule shared through PostgreSQL: however many instances run, each planned run starts once (instance ${host.instance})`
      : 'jobs: single instance: without DATABASE_URL the schedule is not shared, so run one runner per config (a second would run every job again)',
  );
  lines.push(
    gateway === undefined
      ? 'jobs: no gateway known (scheduler.gatewayUrl): jobs call their providers directly, and ai-only jobs are never deferred'
      : `jobs: jobs call the gateway at ${gateway.url} (OPENAI_BASE_URL ${gateway.url}/v1, ANTHROPIC_BASE_URL)`,
  );
  await runner.start();
  return { runner, lines };
}
