import type { CancelSignal } from '../model/cancel-signal.js';
import type { Clock } from '../model/clock.js';
import type { FailsoftEventMap, JobEvent } from '../engine/events.js';
import type { ResolvedJob } from '../engine/config/jobs-config.js';
import type { Store } from '../store/store.js';
import type { AiAvailability } from './ai-availability.js';
import { jobEnv, type JobGateway } from './job-env.js';
import { OWNED_STATUSES, type RunLease, type RunnerLog } from './run-lease.js';
import { failureReason, startProcess, type ProcessOutcome, type RunningProcess } from './run-process.js';

/** Where job events go: the engine's bus, or the scheduler's own (`EventBus` fits). */
export interface JobEventSink {
  emit<K extends keyof FailsoftEventMap>(type: K, at: number, payload: FailsoftEventMap[K]): void;
}

/** What running a claimed run needs. */
export interface RunContext {
  store: Store;
  clock: Clock;
  events: JobEventSink;
  log: RunnerLog;
  baseEnv: Readonly<Record<string, string | undefined>>;
  cwd?: string;
  gateway?: JobGateway;
  aiAvailable?: AiAvailability;
  /** How often a queued or deferred run looks again. */
  pollMs: number;
  /** Processes running now, so the runner can stop them when it closes. */
  processes: Set<RunningProcess>;
  /** True once the runner is closing: waits end, no attempt starts. */
  closing: () => boolean;
  /** Cancelled when the runner closes: ends every wait at once. */
  closed: CancelSignal;
}

/**
 * The delay before attempt `attempt + 1` after attempt `attempt` failed: backoff × multiplier^(attempt − 1).
 * @example retryDelayMs({ max: 3, backoffMs: 30_000, multiplier: 2 }, 2) // 60_000
 */
export function retryDelayMs(retries: ResolvedJob['retries'], attempt: number): number {
  return Math.round(retries.backoffMs * retries.multiplier ** (attempt - 1));
}

function jobEvent(lease: RunLease): JobEvent {
  const r = lease.current;
  return { job: r.job, runId: r.id, plannedAt: r.plannedAt };
}

/** Another run of the job planned earlier and still owned by a live instance, if any. */
async function earlierActiveRun(ctx: RunContext, lease: RunLease): Promise<string | undefined> {
  const now = ctx.clock.now();
  const runs = await ctx.store.listJobRuns({ job: lease.current.job, limit: 20 });
  const busy = runs.find(
    (r) =>
      r.id !== lease.current.id &&
      r.plannedAt < lease.current.plannedAt &&
      OWNED_STATUSES.has(r.status) &&
      (r.leaseUntil ?? 0) > now,
  );
  return busy?.id;
}

/** Sleeps `ms` unless the runner closes first. */
async function pause(ctx: RunContext, ms: number): Promise<void> {
  if (ctx.closing()) return;
  await ctx.clock.sleep(ms, ctx.closed).catch(() => undefined);
}

/** Overlap policy: false when the run was skipped; waits behind the earlier run with `queue`. */
async function clearOverlap(ctx: RunContext, job: ResolvedJob, lease: RunLease): Promise<boolean> {
  if (job.overlap === 'allow') return true;
  let busy = await earlierActiveRun(ctx, lease);
  if (busy === undefined) return true;
  if (job.overlap === 'skip') {
    const reason = `overlap: skip (run ${busy} still running)`;
    await lease.save({ status: 'skipped', finishedAt: ctx.clock.now(), detail: reason });
    ctx.events.emit('job-skipped', ctx.clock.now(), { ...jobEvent(lease), reason });
    return false;
  }
  await lease.save({ detail: `queued behind run ${busy}` });
  while (busy !== undefined && !ctx.closing() && !lease.lost) {
    await pause(ctx, ctx.pollMs);
    busy = await earlierActiveRun(ctx, lease);
  }
  return !ctx.closing() && !lease.lost;
}

/**
 * Deferral of an ai-only job while no provider can serve: waits (status `deferred`) until one can, or until its flex
 * (from the scheduled time, before the plan's delay) has passed; false when it gave up (the run stays `deferred`,
 * finished, and a `job-skipped` says why: it never failed).
 */
async function waitForAi(ctx: RunContext, job: ResolvedJob, lease: RunLease, delayMs: number): Promise<boolean> {
  if (job.tier !== 'ai-only' || ctx.aiAvailable === undefined || (await ctx.aiAvailable())) return true;
  const deadline = lease.current.plannedAt - delayMs + job.flexMs;
  const reason = 'every provider is down (breakers open or cooling down)';
  await lease.save({ status: 'deferred', detail: `deferred: ${reason}` });
  ctx.events.emit('job-deferred', ctx.clock.now(), { ...jobEvent(lease), reason, untilMs: deadline });
  while (!ctx.closing() && !lease.lost) {
    if (ctx.clock.now() >= deadline) {
      const gaveUp = `no provider recovered within its flex (until ${new Date(deadline).toISOString()})`;
      await lease.save({ status: 'deferred', finishedAt: ctx.clock.now(), detail: gaveUp });
      ctx.events.emit('job-skipped', ctx.clock.now(), { ...jobEvent(lease), reason: gaveUp });
      return false;
    }
    await pause(ctx, Math.min(ctx.pollMs, deadline - ctx.clock.now()));
    if (!ctx.closing() && (await ctx.aiAvailable())) return !lease.lost;
  }
  return false;
}

async function attempt(
  ctx: RunContext,
  job: ResolvedJob,
  lease: RunLease,
  n: number,
): Promise<ProcessOutcome | undefined> {
  const startedAt = ctx.clock.now();
  const ok = await lease.save({
    status: 'running',
    attempt: n,
    startedAt: lease.current.startedAt ?? startedAt,
    detail: `attempt ${n} of ${job.retries.max + 1}`,
  });
  if (!ok) return undefined;
  ctx.events.emit('job-started', startedAt, { ...jobEvent(lease), attempt: n });
  const env = jobEnv(
    ctx.baseEnv,
    { job: job.name, runId: lease.current.id, plannedAt: lease.current.plannedAt, attempt: n },
    ctx.gateway,
  );
  const proc = startProcess({
    command: job.command,
    shell: job.shell,
    env,
    killGraceMs: job.killGraceMs,
    clock: ctx.clock,
    ...(job.timeoutMs === undefined ? {} : { timeoutMs: job.timeoutMs }),
    ...(ctx.cwd === undefined ? {} : { cwd: ctx.cwd }),
  });
  ctx.processes.add(proc);
  lease.onLost = () => proc.stop('lease lost');
  try {
    return await proc.done;
  } finally {
    ctx.processes.delete(proc);
  }
}

/**
 * Runs a run this instance holds, from attempt `first`: the overlap rule and deferral first (only for a fresh run),
 * then attempts with retries (backoff × multiplier), recording each transition as a job event and in the store.
 */
export async function executeRun(
  ctx: RunContext,
  job: ResolvedJob,
  lease: RunLease,
  delayMs: number,
  first = 1,
): Promise<void> {
  if (first === 1 && !(await clearOverlap(ctx, job, lease))) return;
  if (first === 1 && !(await waitForAi(ctx, job, lease, delayMs))) return;
  for (let n = first; !ctx.closing(); n++) {
    const outcome = await attempt(ctx, job, lease, n);
    if (outcome === undefined || lease.lost) return;
    const tails = {
      stdoutTail: outcome.stdoutTail,
      stderrTail: outcome.stderrTail,
      ...(outcome.exitCode === undefined ? {} : { exitCode: outcome.exitCode }),
    };
    const now = ctx.clock.now();
    const reason = failureReason(outcome, job.timeoutMs);
    if (reason === undefined) {
      await lease.save({ ...tails, status: 'succeeded', finishedAt: now, detail: `attempt ${n}: exit 0` });
      ctx.events.emit('job-succeeded', now, {
        ...jobEvent(lease),
        attempt: n,
        ms: now - (lease.current.startedAt ?? now),
      });
      return;
    }
    // Stopped because the runner closes: the lease runs out and the run is taken over (and retried) like a crash.
    if (outcome.stopped && ctx.closing()) return;
    const final = n > job.retries.max;
    ctx.events.emit('job-failed', now, {
      ...jobEvent(lease),
      attempt: n,
      reason,
      final,
      ms: outcome.ms,
      ...(outcome.exitCode === undefined ? {} : { exitCode: outcome.exitCode }),
    });
    if (final) {
      await lease.save({
        ...tails,
        status: outcome.timedOut ? 'timed-out' : 'failed',
        finishedAt: now,
        detail: `attempt ${n}: ${reason}`,
      });
      return;
    }
    const delay = retryDelayMs(job.retries, n);
    await lease.save({
      ...tails,
      detail: `attempt ${n}: ${reason}; attempt ${n + 1} in ${Math.round(delay / 100) / 10} s`,
    });
    ctx.events.emit('job-retrying', now, { ...jobEvent(lease), attempt: n + 1, delayMs: delay, reason });
    await pause(ctx, delay);
  }
}
