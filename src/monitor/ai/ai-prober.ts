import { systemClock, type Clock } from '../../model/clock.js';

/** What the prober needs of the engine (`Failsoft.probe` and `routeKeys`). */
export interface ProbingEngine {
  probe(key: string): Promise<{ key: string; outcome: 'answered' | 'failed' | 'skipped'; detail: string; ms: number }>;
  routeKeys(): string[];
}

/** The last round's results, for the log and tests. */
export type ProbeRound = Array<{ key: string; outcome: 'answered' | 'failed' | 'skipped'; detail: string; ms: number }>;

/**
 * `checks.ai.probes` inside `failsoft serve`: every `intervalMs`, one probe per provider+model on the routes,
 * through the serving engine itself (its breakers, cool-downs and rate budget, as batch traffic), so a provider
 * that failed while traffic was quiet opens its breaker before a user meets it, and one that came back is closed
 * again by the probe its half-open breaker lets through. What a probe finds shows where real traffic's results
 * show: breaker states, `/health/ai`, events and the incident record. Probes of one round go one after the other.
 * @example const prober = new AiProber(ai, { intervalMs: 60_000 }); prober.start(); … prober.stop();
 */
export class AiProber {
  private readonly clock: Clock;
  private cancel: (() => void) | undefined;
  private running: Promise<ProbeRound> | undefined;
  private stopped = false;
  last: ProbeRound = [];

  constructor(
    private readonly engine: ProbingEngine,
    private readonly options: { intervalMs: number; clock?: Clock; onRound?: (round: ProbeRound) => void },
  ) {
    this.clock = options.clock ?? systemClock;
  }

  /** Runs a first round now, then one every interval. */
  start(): void {
    void this.round();
  }

  /** One round (a round already under way is not doubled: its promise is returned). */
  round(): Promise<ProbeRound> {
    this.running ??= this.runRound().finally(() => {
      this.running = undefined;
      this.schedule();
    });
    return this.running;
  }

  /** Stops the timer (a round under way finishes). */
  stop(): void {
    this.cancel?.();
    this.cancel = undefined;
    this.stopped = true;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.cancel?.();
    this.cancel = this.clock.timer(this.options.intervalMs, () => void this.round());
  }

  private async runRound(): Promise<ProbeRound> {
    const results: ProbeRound = [];
    for (const key of this.engine.routeKeys()) {
      if (this.stopped) break;
      try {
        results.push(await this.engine.probe(key));
      } catch (error) {
        results.push({ key, outcome: 'failed', detail: error instanceof Error ? error.message : String(error), ms: 0 });
      }
    }
    this.last = results;
    this.options.onRound?.(results);
    return results;
  }
}
