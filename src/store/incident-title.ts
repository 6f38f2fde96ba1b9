/**
 * An incident's title: a short human summary of what went wrong, one phrase per component in the order
 * trouble reached it, e.g. "claude/claude-sonnet-4-5 overloaded; summary on fallback".
 */
import type { FailsoftEvent } from '../engine/events.js';

/** How a failure class reads after a route's name. */
const CLASS_WORDS: Record<string, string> = {
  rate_limited: 'rate-limited',
  quota_exhausted: 'out of quota',
  overloaded: 'overloaded',
  server_error: 'failing (5xx)',
  timeout: 'timing out',
  network: 'unreachable',
  auth: 'refusing the key',
  not_found: 'model not found',
};

const MODE_WORDS: Record<string, string> = {
  fallback: 'on fallback',
  unavailable: 'unavailable',
  disabled: 'switched off',
};
const MODE_RANK: Record<string, number> = { failover: 0, fallback: 1, unavailable: 2, disabled: 3 };

/** Phrases shown before "+N more". */
const MAX_PHRASES = 3;

/**
 * Builds an incident's title from the troubles it saw.
 * @example const t = new IncidentTitle(); t.note(openedEvent, 'overloaded'); t.text() // 'claude/claude-sonnet-4-5 overloaded'
 */
export class IncidentTitle {
  /** Component → phrase, in first-seen order. */
  private readonly phrases = new Map<string, { text: string; rank: number }>();

  /** @param base the title of a resumed incident, kept as its first phrase. */
  constructor(base?: string) {
    if (base !== undefined && base !== '') this.phrases.set('(resumed)', { text: base, rank: 99 });
  }

  /**
   * Notes a trouble event. `topClass` is the failure class a provider opened on, when known.
   * Returns true when the title changed.
   */
  note(event: FailsoftEvent, component: string, topClass?: string): boolean {
    const phrase = phraseOf(event, topClass);
    if (phrase === undefined) return false;
    const current = this.phrases.get(component);
    if (current !== undefined && current.rank >= phrase.rank) return false;
    this.phrases.set(component, phrase);
    return true;
  }

  text(): string {
    const texts = [...this.phrases.values()].map((p) => p.text);
    const shown = texts.slice(0, MAX_PHRASES).join('; ');
    return texts.length > MAX_PHRASES ? `${shown}; +${texts.length - MAX_PHRASES} more` : shown || 'incident';
  }
}

/** A phrase and how strongly it describes its component (a later, stronger phrase replaces a weaker one). */
function phraseOf(event: FailsoftEvent, topClass: string | undefined): { text: string; rank: number } | undefined {
  switch (event.type) {
    case 'provider-opened':
      return { text: `${event.key} ${topClass === undefined ? 'down' : (CLASS_WORDS[topClass] ?? topClass)}`, rank: 3 };
    case 'provider-cooldown-started':
      return { text: `${event.key} rate-limited`, rank: 2 };
    case 'stream-failed':
      return { text: `${event.provider}/${event.model} streams cut`, rank: 1 };
    case 'feature-mode-changed':
      return modePhrase(event.feature, event.to);
    case 'feature-degraded':
      return modePhrase(event.feature, event.mode);
    case 'engine-faulted':
      return { text: `failsoft fault in ${event.feature}`, rank: 0 };
    case 'budget-exhausted':
      return { text: `${event.provider} rate budget exhausted`, rank: 1 };
    case 'switch-changed':
      return event.enabled
        ? undefined
        : { text: `${event.target === 'global' ? 'AI' : event.target} switched off`, rank: 1 };
    case 'shared-state-lost':
      return { text: 'shared state lost', rank: 1 };
    case 'core-check-failed':
      return { text: `${event.check} down`, rank: 4 };
    case 'job-failed':
      return event.final ? { text: `job ${event.job} failed`, rank: 1 } : undefined;
    default:
      return undefined;
  }
}

function modePhrase(feature: string, mode: string): { text: string; rank: number } | undefined {
  const words = MODE_WORDS[mode];
  return words === undefined ? undefined : { text: `${feature} ${words}`, rank: MODE_RANK[mode] ?? 0 };
}
