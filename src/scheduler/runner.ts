import { CancelSource } from '../model/cancel-signal.js';
import { systemClock, type Clock } from '../model/clock.js';
import type { ResolvedJob } from '../engine/config/jobs-config.js';
import type { JobRunRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import type { AiAvailability } from './ai-availability.js';
import type { JobGateway } from './job-env.js';
import { JobSlots, runId, type SlottedJob } from './job-slots.js';
import { executeRun, type JobEventSink, type RunContext } from './run-attempts.js';
import { OWNED_STATUSES, RunLease, type RunnerLog } from './run-lease.js';
import type { RunningProcess } from './run-process.js';

/*
 * Many instances, one schedule — why unique claims and leases rather than pg-boss: every instance already knows the
 * whole schedule (the same config, the same deterministic plan), so there is no queue to share, only the question
 * "who starts the run planned for this slot?". One unique insert per slot answers it exactly once (PostgreSQL's
 * primary key does the arbitration, in the store failsoft already has, on PGlite and PostgreSQL alike, with no
 * polling of a job table and no second schema), and a compare-and-set lease per run answers "is its owner still
 * alive?". pg-boss would add its own schema, workers polling a queue and a cron of its own, which would fire at the
 * unplanned times; we would still need the planner's slots on top. Leases compare instants of several machines:
 * their clocks must agree to well within the lease (30 s by default).
 */

/** How a runner starts. */
export interface JobRunnerOptions {
  /** Jobs to fire, with the delay the plan gave each. */
  jobs: readonly SlottedJob[];
  store: Store;
  /** Which instance this runner writes as (the owner of the runs it claims). */
  instance: string;
  events: JobEventSink;
  clock?: Clock;
  /** The gateway jobs call (their OPENAI_BASE_URL / ANTHROPIC_BASE_URL), with per-job keys. */
  gateway?: JobGateway;
  /** Defers ai-only jobs while it says no provider can serve. */
  aiAvailable?: AiAvailability;
  /** How long a claim holds without renewal (default 30 s); renewed every third of it. */
  leaseMs?: number;
  /** How often queued and deferred runs look again, and expired leases are looked for (default 5 s). */
  pollMs?: number;
  /** The environment jobs inherit (default this process's). */
  baseEnv?: Readonly<Record<string, string | undefined>>;
  cwd?: string;
  log?: RunnerLog;
}

export const DEFAULT_LEASE_MS = 30_000;
export const DEFAULT_POLL_MS = 5_000;
/** Longest single timer (setTimeout holds 2^31 − 1 ms): a later slot is reached in steps. */
const MAX_TIMER_MS = 86_400_000;

/**
 * Fires jobs at their planned slots and runs them (see `executeRun`): each slot is claimed in the store first (a
 * unique insert of its run id), so any number of runners on one database start each planned run exactly once.
 * `start()` also catches up (`catchUp: once`) on the slot missed since a job's last stored run, and every `pollMs`
 * takes over runs whose owner's lease ran out (that owner died): an attempt it had started counts as failed and is
 * retried if retries remain.
 * @example const runner = new JobRunner({ jobs, store, instance: 'a', events: new EventBus() }); await runner.start();
 */
export class JobRunner {
  private readonly clock: Clock;
  private readonly slots: Map<string, JobSlots>;
  private readonly timers = new Map<string, () => void>();
  private readonly running = new Set<Promise<void>>();
  private readonly processes = new Set<RunningProcess>();
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly log: RunnerLog;
  private readonly ctx: RunContext;
  private cancelSweep: (() => void) | undefined;
  private closing = false;
  private readonly closed = new CancelSource();

  constructor(private readonly options: JobRunnerOptions) {
    this.clock = options.clock ?? systemClock;
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.pollMs = options.pollMs ?? DEFAULT_POLL_MS;
    this.log = options.log ?? (() => undefined);
    this.slots = new Map(options.jobs.map((s) => [s.job.name, new JobSlots(s)]));
    this.ctx = {
      store: options.store,
      clock: this.clock,
      events: options.events,
      log: this.log,
      baseEnv: options.baseEnv ?? process.env,
      pollMs: this.pollMs,
      processes: this.processes,
      closing: () => this.closing,
      closed: this.closed,
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      ...(options.gateway === undefined ? {} : { gateway: options.gateway }),
      ...(options.aiAvailable === undefined ? {} : { aiAvailable: options.aiAvailable }),
    };
  }

  /** Catches up missed runs, takes over orphaned ones, and arms a timer per job for its next slot. */
  async start(): Promise<void> {
    const now = this.clock.now();
    for (const slots of this.slots.values()) this.arm(slots, now);
    await this.sweep();
    for (const slots of this.slots.values()) if (slots.slotted.job.catchUp === 'once') await this.catchUp(slots, now);
    this.scheduleSweep();
  }

  /** The next planned slot of each job (ms). */
  nextRuns(after = this.clock.now()): Record<string, number | undefined> {
    return Object.fromEntries([...this.slots].map(([name, slots]) => [name, slots.next(after)]));
  }

  /** Runs started by this runner that have not finished (for tests and shutdown). */
  get active(): number {
    return this.running.size;
  }

  /** Resolves once every run this runner started has finished. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /**
   * Stops firing; stops running jobs (SIGTERM to each group, SIGKILL after its grace) and waits for them. Their runs
   * keep their last lease: when it runs out, this or another instance takes them over, as after a crash.
   */
  async stop(): Promise<void> {
    this.closing = true;
    this.closed.cancel(new Error('the job runner is closing'));
    for (const cancel of this.timers.values()) cancel();
    this.timers.clear();
    this.cancelSweep?.();
    for (const proc of this.processes) proc.stop('the runner is closing');
    await this.idle();
  }

  private arm(slots: JobSlots, after: number): void {
    const name = slots.slotted.job.name;
    const slot = slots.next(after);
    if (slot === undefined || this.closing) return;
    const wait = slot - this.clock.now();
    this.timers.set(
      name,
      this.clock.timer(Math.min(Math.max(0, wait), MAX_TIMER_MS), () => {
        if (this.clock.now() < slot) return this.arm(slots, after);
        this.arm(slots, slot);
        this.track(this.fire(slots, slot));
      }),
    );
  }

  private track(run: Promise<void>): void {
    const tracked = run
      .catch((error: unknown) =>
        this.log('warn', `job runner: ${error instanceof Error ? error.message : String(error)}`),
      )
      .finally(() => this.running.delete(tracked));
    this.running.add(tracked);
  }

  /** Claims the slot (unique insert) and, if this instance won it, runs it. */
  private async fire(slots: JobSlots, slot: number): Promise<void> {
    const job = slots.slotted.job;
    const record: JobRunRecord = {
      id: runId(job.name, slot),
      job: job.name,
      plannedAt: slot,
      status: 'planned',
      attempt: 0,
      instance: this.options.instance,
      leaseUntil: this.clock.now() + this.leaseMs,
    };
    let claimed: boolean;
    try {
      claimed = await this.options.store.claimJobRun(record);
    } catch (error) {
      this.log(
        'warn',
        `job ${job.name}: the run planned ${new Date(slot).toISOString()} could not be claimed, so it does not run: ${error instanceof Error ? error.message : String(error)}`,
      );
      return;
    }
    if (!claimed) return;
    await this.hold(
      job,
      new RunLease(this.options.store, record, this.clock, this.leaseMs, this.log),
      slots.slotted.delayMs,
      1,
    );
  }

  private async hold(job: ResolvedJob, lease: RunLease, delayMs: number, first: number): Promise<void> {
    lease.startRenewing();
    try {
      await executeRun(this.ctx, job, lease, delayMs, first);
    } finally {
      lease.stopRenewing();
    }
  }

  /** `catchUp: once`: the last slot since the job's last stored run, if one was missed (claimed like any slot). */
  private async catchUp(slots: JobSlots, now: number): Promise<void> {
    const name = slots.slotted.job.name;
    const [last] = await this.options.store.listJobRuns({ job: name, limit: 1 });
    if (last === undefined) return;
    const missed = slots.lastBetween(last.plannedAt, now);
    if (missed === undefined) return;
    this.log(
      'info',
      `job ${name}: catching up the run planned ${new Date(missed).toISOString()} (missed while no runner ran it)`,
    );
    this.track(this.fire(slots, missed));
  }

  private scheduleSweep(): void {
    if (this.closing) return;
    this.cancelSweep = this.clock.timer(this.pollMs, () => {
      this.track(this.sweep().finally(() => this.scheduleSweep()));
    });
  }

  /** Takes over the runs of known jobs whose owner's lease ran out (compare-and-set: one taker wins). */
  private async sweep(): Promise<void> {
    for (const [name, slots] of this.slots) {
      if (this.closing) return;
      const now = this.clock.now();
      const runs = await this.options.store.listJobRuns({ job: name, limit: 50 });
      for (const run of runs) {
        if (!OWNED_STATUSES.has(run.status) || run.leaseUntil === undefined || run.leaseUntil >= now) continue;
        await this.takeOver(slots, run, now);
      }
    }
  }

  private async takeOver(slots: JobSlots, run: JobRunRecord, now: number): Promise<void> {
    const job = slots.slotted.job;
    const taken: JobRunRecord = { ...run, instance: this.options.instance, leaseUntil: now + this.leaseMs };
    if (!(await this.options.store.updateJobRun(taken, { instance: run.instance, leaseUntil: run.leaseUntil }))) return;
    const lease = new RunLease(this.options.store, taken, this.clock, this.leaseMs, this.log);
    const event = { job: job.name, runId: run.id, plannedAt: run.plannedAt };
    if (run.status !== 'running') {
      this.log(
        'info',
        `job ${job.name}: run ${run.id} taken over from ${run.instance} (its lease ran out before it started)`,
      );
      this.track(this.hold(job, lease, slots.slotted.delayMs, 1));
      return;
    }
    const reason = `owner ${run.instance} lost (lease ran out at ${new Date(run.leaseUntil ?? now).toISOString()})`;
    const final = run.attempt > job.retries.max;
    this.events().emit('job-failed', now, {
      ...event,
      attempt: run.attempt,
      reason,
      final,
      ms: now - (run.startedAt ?? now),
    });
    if (final) {
      await lease.save({ status: 'failed', finishedAt: now, detail: `attempt ${run.attempt}: ${reason}` });
      return;
    }
    this.events().emit('job-retrying', now, { ...event, attempt: run.attempt + 1, delayMs: 0, reason });
    this.track(this.hold(job, lease, slots.slotted.delayMs, run.attempt + 1));
  }

  private events(): JobEventSink {
    return this.options.events;
  }
}
