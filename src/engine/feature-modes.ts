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

  constructor(private readonly bus: EventBus, private readonly clock: Clock) {}

  /** The feature's current mode (`normal` until something else happened). */
  get(feature: string): FeatureMode {
    return this.modes.get(feature) ?? 'normal';
  }

  /** Records how a request was served, emitting events if the mode changed. */
  note(feature: string, mode: FeatureMode, attempts: readonly AttemptRecord[]): void {
    const from = this.modes.get(feature) ?? 'normal';
    if (from === mode) return;
    this.modes.set(feature, mode);
    const at = this.clock.now();
    const reason = describe(mode, attempts);
    this.bus.emit('feature-mode-changed', at, { feature, from, to: mode, ...(reason ? { reason } : {}) });
    if (mode === 'normal') this.bus.emit('feature-recovered', at, { feature, from });
    else if (from === 'normal') this.bus.emit('feature-degraded', at, { feature, mode, ...(reason ? { reason } : {}) });
  }

  toJSON(): Record<string, FeatureMode> {
    return Object.fromEntries(this.modes);
  }
}

function describe(mode: FeatureMode, attempts: readonly AttemptRecord[]): string | undefined {
  if (mode === 'disabled') return 'switched off';
  const failed = attempts.filter((a) => a.outcome !== 'ok');
  if (failed.length === 0) return undefined;
  return failed.map((a) => `${a.provider}/${a.model}: ${a.outcome}${a.status ? ` ${a.status}` : ''}`).join('; ');
}
