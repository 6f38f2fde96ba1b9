/**
 * The dashboard's words: what the engine's state means for users, in one line an operator reads at a glance
 * ("summary is serving fallbacks; core OK"), and its colour: red only when a core dependency fails (the monitor's
 * core checks), amber when AI is degraded at all, green otherwise.
 */
import type { FeatureHealth, HealthReport, ProviderHealth } from '../engine/health.js';
import type { FeatureMode } from '../engine/events.js';

/** green: all well; amber: AI degraded (users get fallbacks, backups or 503s); red: a core dependency fails. */
export type StatusLevel = 'ok' | 'degraded' | 'critical';

/** The core checks as the dashboard sees them: not configured, or their last results. */
export interface CoreView {
  checked: boolean;
  ready: boolean;
  /** The failing ones, named, with why. */
  failing: ReadonlyArray<{ name: string; detail: string }>;
}

/** The one-line verdict and its colour. */
export interface StatusWords {
  level: StatusLevel;
  headline: string;
}

/** The mode a feature is shown in: a switch that is off shows `disabled` at once (the engine notes it on the next call). */
export function shownMode(feature: FeatureHealth, aiEnabled: boolean): FeatureMode {
  if (feature.tier === 'critical') return 'normal';
  if (!feature.enabled || !aiEnabled) return 'disabled';
  // Switched back on, no call since: the engine still says `disabled`; its route is what serves the next call.
  return feature.mode === 'disabled' ? 'normal' : feature.mode;
}

/**
 * What a feature's mode means for its users; undefined when it is served as configured.
 * @example featureWords('summary', 'enhanced', 'fallback') // 'summary is serving fallbacks'
 */
export function featureWords(name: string, tier: string, mode: FeatureMode): string | undefined {
  switch (mode) {
    case 'normal':
      return undefined;
    case 'failover':
      return `${name} is served by a backup provider`;
    case 'fallback':
      return `${name} is serving fallbacks`;
    case 'unavailable':
      return `${name} is unavailable (answers 503)`;
    case 'disabled':
      return tier === 'ai-only'
        ? `${name} is switched off (answers 503)`
        : `${name} is switched off (serving fallbacks)`;
  }
}

/** Longest cool-down among a provider's models, in ms (0: none). */
export function coolingDownMs(provider: ProviderHealth): number {
  return Math.max(0, ...Object.values(provider.models).map((m) => m.coolingDownMs ?? 0));
}

/**
 * A provider's state in words.
 * @example providerWords(health.providers.claude) // 'healthy' | 'down (circuit open): calls go to the next provider' | …
 */
export function providerWords(provider: ProviderHealth): string {
  if (provider.missingKeyEnv !== undefined) return `no API key: ${provider.missingKeyEnv} is not set`;
  if (provider.state === 'open') return 'down (circuit open): calls go to the next provider';
  if (provider.state === 'half-open') return 'recovering: trying one call before trusting it again';
  const cooling = coolingDownMs(provider);
  if (cooling > 0) return `rate-limited by the provider: calls wait or go elsewhere for ${Math.ceil(cooling / 1000)} s`;
  return 'healthy';
}

/** Names joined with "is" or "are". */
function named(names: readonly string[], what: string): string[] {
  return names.length === 0 ? [] : [`${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} ${what}`];
}

/** Providers that are down, recovering or rate-limited while every feature is still served as configured. */
function providerPhrases(health: HealthReport): string[] {
  const providers = Object.entries(health.providers);
  const where = (test: (p: ProviderHealth) => boolean): string[] =>
    providers.filter(([, p]) => test(p)).map(([name]) => name);
  return [
    ...named(
      where((p) => p.state === 'open'),
      'down (features are served by the others)',
    ),
    ...named(
      where((p) => p.state === 'half-open'),
      'recovering',
    ),
    ...named(
      where((p) => p.state === 'closed' && coolingDownMs(p) > 0),
      'rate-limited (asked for quiet)',
    ),
  ];
}

/** What the core checks say, in words. */
function coreWords(core: CoreView): string {
  if (!core.checked) return 'no core checks configured';
  if (core.ready) return 'core OK';
  return `core FAILING: ${core.failing.map((c) => `${c.name} (${c.detail})`).join(', ') || 'a check is failing'}`;
}

/**
 * The verdict line: each feature that is not served as configured (or, when none, providers that are down,
 * recovering or rate-limited), then the core.
 * @example statusWords(health, { checked: true, ready: true, failing: [] }).headline // 'summary is serving fallbacks; core OK'
 */
export function statusWords(health: HealthReport, core: CoreView): StatusWords {
  const phrases: string[] = [];
  if (!health.aiEnabled)
    phrases.push('AI is switched off: enhanced features serve fallbacks, ai-only features answer 503');
  else {
    for (const [name, feature] of Object.entries(health.features)) {
      const words = featureWords(name, feature.tier, shownMode(feature, health.aiEnabled));
      if (words !== undefined) phrases.push(words);
    }
  }
  // Users first: when features say what changed for them, the providers behind it are the cards' detail.
  if (phrases.length === 0) phrases.push(...providerPhrases(health));
  if (!health.sharedState.connected) phrases.push('shared state (Redis) is away: each instance enforces budgets alone');
  if (phrases.length === 0 && health.status !== 'ok') phrases.push('AI degraded');
  const aiDegraded = phrases.length > 0;
  if (!aiDegraded) phrases.push('AI OK');
  phrases.push(coreWords(core));
  const level: StatusLevel = core.checked && !core.ready ? 'critical' : aiDegraded ? 'degraded' : 'ok';
  return { level, headline: phrases.join('; ') };
}
