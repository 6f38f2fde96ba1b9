import type { Clock } from '../model/clock.js';
import type { AttemptRecord } from '../model/errors.js';
import type { EventBus, FeatureMode } from './events.js';

/**
 * Tracks how each feature is being served and reports changes: `feature-mode-changed` on every
 * change, `feature-degraded` when it leaves `normal`, `feature-recovered` when it returns. One
 * comparison per request when nothing changes.
 */
export class FeatureModes {
  private readonly modes = new Map<string, FeatureMode>();
  /** A better mode seen since `since`, with nothing worse meanwhile: it becomes the mode after `settleMs`. */
  private readonly better = new Map<string, { mode: FeatureMode; since: number }>();

  /**
   * @param settleMs how long a better mode must hold (every request answered at least that well) before the
   * feature is said to be back in it. A change for the worse is reported at once; a change for the better waits,
   * so a brown-out where 5 % of requests fail over reads as one `normal → failover`, not hundreds of flips a
   * second in the log, the record and the alerts. 0 reports every change at once.
   */
  constructor(
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly settleMs = DEFAULT_MODE_SETTLE_MS,
  ) {}

  /** The feature's current mode (`normal` until something else happened). */
  get(feature: string): FeatureMode {
    return this.modes.get(feature) ?? 'normal';
  }

  /** Records how a request was served, emitting events if the mode changed. */
  note(feature: string, mode: FeatureMode, attempts: readonly AttemptRecord[]): void {
    const from = this.modes.get(feature) ?? 'normal';
    if (from === mode) {
      if (this.better.size > 0) this.better.delete(feature);
      return;
    }
    const at = this.clock.now();
    // Better, and not an operator's switch: only once it has held for settleMs, and then the worst mode seen
    // while it settled (never better than what every request of that time got).
    if (RANK[mode] < RANK[from] && from !== 'disabled' && mode !== 'disabled' && this.settleMs > 0) {
      const pending = this.better.get(feature);
      const held =
        pending === undefined
          ? { mode, since: at }
          : { mode: RANK[mode] > RANK[pending.mode] ? mode : pending.mode, since: pending.since };
      this.better.set(feature, held);
      if (at - held.since < this.settleMs) return;
      mode = held.mode;
    }
    this.better.delete(feature);
    if (from === mode) return;
    this.modes.set(feature, mode);
    const reason = describe(mode, attempts);
    this.bus.emit('feature-mode-changed', at, { feature, from, to: mode, ...(reason ? { reason } : {}) });
    if (mode === 'normal') this.bus.emit('feature-recovered', at, { feature, from });
    else if (from === 'normal') this.bus.emit('feature-degraded', at, { feature, mode, ...(reason ? { reason } : {}) });
  }

  toJSON(): Record<string, FeatureMode> {
    return Object.fromEntries(this.modes);
  }
}

/** How well a feature is served: lower is better; `disabled` (an operator's switch) is apart. */
const RANK: Readonly<Record<FeatureMode, number>> = {
  normal: 0,
  failover: 1,
  fallback: 2,
  unavailable: 2,
  disabled: 3,
};

/** How long a better mode must hold before a feature is said to be back in it. */
export const DEFAULT_MODE_SETTLE_MS = 5_000;

function describe(mode: FeatureMode, attempts: readonly AttemptRecord[]): string | undefined {
  if (mode === 'disabled') return 'switched off';
  const failed = attempts.filter((a) => a.outcome !== 'ok');
  if (failed.length === 0) return undefined;
  return failed.map((a) => `${a.provider}/${a.model}: ${a.outcome}${a.status ? ` ${a.status}` : ''}`).join('; ');
}
