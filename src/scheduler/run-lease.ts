import type { Clock } from '../model/clock.js';
import type { JobRunRecord } from '../store/records.js';
import type { Store } from '../store/store.js';

/** Statuses in which a run is owned (and leased) by an instance; the others are over. */
export const OWNED_STATUSES: ReadonlySet<JobRunRecord['status']> = new Set(['planned', 'deferred', 'running']);

/** Where the runner reports what it cannot do silently. */
export type RunnerLog = (level: 'info' | 'warn', message: string) => void;

/**
 * One instance's hold on one run. Every write is a compare-and-set on (owner, lease) (`Store.updateJobRun`), made one
 * at a time; while held, the lease is renewed every third of its length. A write that finds the run changed means
 * another instance took it over (this one was taken for dead): the lease is lost, `onLost` is called, and nothing
 * more is written. A store that does not answer is logged and the write skipped: the lease then runs out, the safe
 * side (another instance may take the run over, as if this one had died).
 */
export class RunLease {
  private record: JobRunRecord;
  private queue: Promise<unknown> = Promise.resolve();
  private cancelRenew: (() => void) | undefined;
  private lostFlag = false;
  /** Called once when another instance holds the run. */
  onLost: () => void = () => undefined;

  constructor(
    private readonly store: Store,
    record: JobRunRecord,
    private readonly clock: Clock,
    private readonly leaseMs: number,
    private readonly log: RunnerLog,
  ) {
    this.record = record;
  }

  /** The run as last written. */
  get current(): JobRunRecord {
    return this.record;
  }

  /** True once another instance took the run over. */
  get lost(): boolean {
    return this.lostFlag;
  }

  /**
   * Writes the run with `patch` applied: with a renewed lease while it stays owned, without one once it is over.
   * Resolves false when the lease is lost.
   */
  save(patch: Partial<JobRunRecord>): Promise<boolean> {
    const write = this.queue.then(() => this.write(patch));
    this.queue = write.catch(() => undefined);
    return write;
  }

  private async write(patch: Partial<JobRunRecord>): Promise<boolean> {
    if (this.lostFlag) return false;
    const next: JobRunRecord = { ...this.record, ...patch };
    if (OWNED_STATUSES.has(next.status)) next.leaseUntil = this.clock.now() + this.leaseMs;
    else delete next.leaseUntil;
    for (const key of Object.keys(next) as Array<keyof JobRunRecord>) if (next[key] === undefined) delete next[key];
    try {
      const ok = await this.store.updateJobRun(next, {
        instance: this.record.instance,
        leaseUntil: this.record.leaseUntil,
      });
      if (ok) {
        this.record = next;
        return true;
      }
    } catch (error) {
      this.log(
        'warn',
        `job ${this.record.job}: run ${this.record.id} could not be written to the store (${error instanceof Error ? error.message : String(error)}); its lease may run out`,
      );
      return true;
    }
    this.lostFlag = true;
    this.stopRenewing();
    this.log(
      'warn',
      `job ${this.record.job}: run ${this.record.id} was taken over by another instance (this one's lease ran out)`,
    );
    this.onLost();
    return false;
  }

  /** Renews the lease every third of its length until `stopRenewing()` or the run is over or lost. */
  startRenewing(): void {
    this.stopRenewing();
    const tick = (): void => {
      if (this.lostFlag || !OWNED_STATUSES.has(this.record.status)) return;
      void this.save({}).then(() => {
        if (this.cancelRenew !== undefined)
          this.cancelRenew = this.clock.timer(Math.max(1, Math.floor(this.leaseMs / 3)), tick);
      });
    };
    this.cancelRenew = this.clock.timer(Math.max(1, Math.floor(this.leaseMs / 3)), tick);
  }

  /** Stops renewing (the record keeps its last lease). */
  stopRenewing(): void {
    this.cancelRenew?.();
    this.cancelRenew = undefined;
  }
}
