import { UnknownFeatureError } from '../model/errors.js';
import type { EventBus } from './events.js';
import type { Clock } from '../model/clock.js';

/**
 * Kill switches: one global AI switch and one per feature. Reads never throw and cost a map
 * lookup; every change is a `switch-changed` event and takes effect on the next request.
 * @example ai.switches.disable('summary'); ai.switches.enable('summary'); ai.switches.disableAll();
 */
export class Switches {
  private global: boolean;
  /** Who last turned AI off (`config`, `api`, `admin`, …): the unavailable message names it. */
  private globalSource = 'config';
  private readonly disabled = new Set<string>();

  /**
   * @param known the features that exist: switching anything else is an `UnknownFeatureError` (a typo must not
   * look like it worked); omitted, any name is accepted.
   */
  constructor(
    aiEnabled: boolean,
    disabledFeatures: Iterable<string>,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly known?: ReadonlySet<string>,
  ) {
    this.global = aiEnabled;
    for (const feature of disabledFeatures) this.disabled.add(feature);
  }

  /** Is AI on globally? */
  get aiEnabled(): boolean {
    return this.global;
  }

  /** Is this feature allowed to call providers (global switch and its own)? */
  isEnabled(feature: string): boolean {
    return this.global && !this.disabled.has(feature);
  }

  /** Why a feature is off, if it is. */
  reasonOff(feature: string): 'ai-disabled' | 'feature-disabled' | undefined {
    if (!this.global) return 'ai-disabled';
    return this.disabled.has(feature) ? 'feature-disabled' : undefined;
  }

  /** Switches one feature off: enhanced features answer with their fallback, ai-only fail fast. */
  disable(feature: string, source = 'api'): void {
    this.assertKnown(feature);
    if (this.disabled.has(feature)) return;
    this.disabled.add(feature);
    this.bus.emit('switch-changed', this.clock.now(), { target: feature, enabled: false, source });
  }

  /** Switches one feature back on. */
  enable(feature: string, source = 'api'): void {
    this.assertKnown(feature);
    if (!this.disabled.delete(feature)) return;
    this.bus.emit('switch-changed', this.clock.now(), { target: feature, enabled: true, source });
  }

  /** The global switch (AI_ENABLED). */
  setAiEnabled(enabled: boolean, source = 'api'): void {
    if (this.global === enabled) return;
    this.global = enabled;
    this.globalSource = source;
    this.bus.emit('switch-changed', this.clock.now(), { target: 'global', enabled, source });
  }

  disableAll(source = 'api'): void {
    this.setAiEnabled(false, source);
  }

  enableAll(source = 'api'): void {
    this.setAiEnabled(true, source);
  }

  /** Serializable view for health/admin. */
  /** Why AI is off, for messages: the AI_ENABLED setting, or the source that switched it off. */
  get offBecause(): string {
    return this.globalSource === 'config' ? 'AI_ENABLED=false' : `switched off through ${this.globalSource}`;
  }

  toJSON(): { aiEnabled: boolean; disabledFeatures: string[] } {
    return { aiEnabled: this.global, disabledFeatures: [...this.disabled].sort() };
  }

  private assertKnown(feature: string): void {
    if (this.known !== undefined && !this.known.has(feature))
      throw new UnknownFeatureError(String(feature), [...this.known]);
  }
}
