/**
 * The core checks of `failsoft serve`, run every `checks.interval`: they drive `/health/ready` (core only, never
 * AI) and report `core-check-failed` / `core-check-recovered` on a bus the incident tracker reads. A check is
 * reported once when it starts failing and once when it passes again, never on every round.
 */
import { systemClock, type Clock } from '../model/clock.js';
import { EventBus, type FailsoftEvent } from '../engine/events.js';
import type { ResolvedCoreCheck } from '../engine/config/checks-config.js';
import type { CheckResult } from './check-result.js';
import { runCoreCheck } from './core/run-core-check.js';

/** What `/health/ready` shows: ready unless a core check fails, and the checks as last run. */
export interface Readiness {
  ready: boolean;
  checks: Array<CheckResult & { checkedAt: string; failingSince?: string }>;
}

/** Options of `CoreMonitor`. */
export interface CoreMonitorOptions {
  checks: readonly ResolvedCoreCheck[];
  intervalMs: number;
  env: Record<string, string | undefined>;
  clock?: Clock;
  /** Runs one check (tests pass a scripted one). */
  run?: (check: ResolvedCoreCheck) => Promise<CheckResult>;
}

interface CheckState {
  last: CheckResult | undefined;
  checkedAt: number;
  failingSince: number | undefined;
}

/**
 * Runs the core checks on a timer and remembers their last results.
 * @example const monitor = new CoreMonitor({ checks, intervalMs: 15_000, env: process.env }); await monitor.start(); monitor.readiness().ready
 */
export class CoreMonitor {
  /** `core-check-failed` and `core-check-recovered`, for the incident tracker and the log. */
  readonly events = new EventBus();
  private readonly clock: Clock;
  private readonly states = new Map<string, CheckState>();
  private readonly run: (check: ResolvedCoreCheck) => Promise<CheckResult>;
  private cancel: (() => void) | undefined;
  private stopped = false;
  private round: Promise<void> | undefined;

  constructor(private readonly options: CoreMonitorOptions) {
    this.clock = options.clock ?? systemClock;
    this.run = options.run ?? ((check) => runCoreCheck(check, options.env));
    for (const check of options.checks)
      this.states.set(check.name, { last: undefined, checkedAt: 0, failingSince: undefined });
  }

  /** Runs the first round (so readiness is known before traffic), then one every interval. */
  async start(): Promise<void> {
    await this.runRound();
    this.schedule();
  }

  /** Subscribes to the check events (`'*'`): the shape the incident tracker and the event log take. */
  on(type: '*', listener: (event: FailsoftEvent) => void): () => void {
    return this.events.on(type, listener);
  }

  /** One round of every check now; resolves when all have answered (each within its timeout). */
  runRound(): Promise<void> {
    this.round ??= Promise.all(this.options.checks.map((check) => this.runOne(check))).then(() => {
      this.round = undefined;
    });
    return this.round;
  }

  /** Ready unless a core check failed its last run. */
  readiness(): Readiness {
    const checks = this.options.checks.map((check) => {
      const state = this.states.get(check.name);
      const last = state?.last ?? {
        name: check.name,
        group: 'core' as const,
        status: 'unknown' as const,
        detail: 'not run yet',
        ms: 0,
      };
      return {
        ...last,
        checkedAt: new Date(state?.checkedAt ?? 0).toISOString(),
        ...(state?.failingSince === undefined ? {} : { failingSince: new Date(state.failingSince).toISOString() }),
      };
    });
    return { ready: checks.every((c) => c.status !== 'critical'), checks };
  }

  /** Stops the timer (a round in flight finishes, unreported). */
  stop(): void {
    this.stopped = true;
    this.cancel?.();
    this.cancel = undefined;
  }

  private schedule(): void {
    if (this.stopped || this.options.checks.length === 0) return;
    this.cancel = this.clock.timer(this.options.intervalMs, () => {
      void this.runRound().finally(() => this.schedule());
    });
  }

  private async runOne(check: ResolvedCoreCheck): Promise<void> {
    let result: CheckResult;
    try {
      result = await this.run(check);
    } catch (error) {
      result = {
        name: check.name,
        group: 'core',
        status: 'critical',
        detail: `check failed: ${error instanceof Error ? error.message : String(error)}`,
        ms: 0,
      };
    }
    if (this.stopped) return;
    const state = this.states.get(check.name);
    if (!state) return;
    const now = this.clock.now();
    const failing = result.status === 'critical';
    state.last = result;
    state.checkedAt = now;
    if (failing && state.failingSince === undefined) {
      state.failingSince = now;
      this.events.emit('core-check-failed', now, {
        check: check.name,
        kind: check.target.kind,
        detail: result.detail,
        ms: result.ms,
      });
    } else if (!failing && state.failingSince !== undefined) {
      const downMs = now - state.failingSince;
      state.failingSince = undefined;
      this.events.emit('core-check-recovered', now, {
        check: check.name,
        kind: check.target.kind,
        detail: result.detail,
        ms: result.ms,
        downMs,
      });
    }
  }
}
