/**
 * What each engine event means for incidents, as a table: the component it is about, how bad it is, and
 * whether it starts trouble on that component (`trouble`), ends it (`recovery`), is trouble of a moment that
 * needs no recovery (`blip`: a stream cut, a fault inside failsoft), or only joins an open incident (`note`).
 * Core checks and job outcomes (`critical` when core fails) extend this table when they arrive.
 */
import type { FailsoftEvent, FailsoftEventType, FeatureMode } from '../engine/events.js';
import type { Severity } from './records.js';

/** What an event does to the incident picture. */
export type IncidentEffect = 'trouble' | 'recovery' | 'blip' | 'note';

/** An event, read for incidents. */
export interface IncidentReading {
  effect: IncidentEffect;
  severity: Severity;
  /** The component it is about, e.g. `provider:claude/claude-sonnet-4-5`, `feature:summary`, `budget:claude`. */
  component: string;
  /**
   * The condition it starts or ends (one component may have several: a provider model's breaker and its
   * cool-down are two). Undefined for blips and notes.
   */
  condition?: string;
  /** For trouble that ends by itself at a known time (a cool-down): when. */
  until?: number;
}

/** Per-request events: counted (requests, failed attempts), never stored one by one. */
export const PER_REQUEST_EVENTS: ReadonlySet<FailsoftEventType> = new Set([
  'request-completed',
  'attempt-failed',
  'attempt-hedged',
]);

/** Feature modes in which a feature no longer answers with AI: the trouble that opens an incident. */
export const TROUBLED_MODES: ReadonlySet<FeatureMode> = new Set(['fallback', 'unavailable', 'disabled']);

type Rule<K extends FailsoftEventType> = (event: FailsoftEvent<K>) => IncidentReading;
type RuleTable = { [K in FailsoftEventType]?: Rule<K> };

const providerComponent = (event: { key: string }): string => `provider:${event.key}`;

function featureMode(feature: string, mode: FeatureMode, from?: FeatureMode): IncidentReading {
  const component = `feature:${feature}`;
  if (TROUBLED_MODES.has(mode)) return { effect: 'trouble', severity: 'warning', component, condition: component };
  // Back to AI answers (normal, or failover to a later provider): the feature's own trouble is over.
  if (from !== undefined && TROUBLED_MODES.has(from))
    return { effect: 'recovery', severity: 'info', component, condition: component };
  return { effect: 'note', severity: 'info', component };
}

/** The table. An event type missing from it is a note on an open incident. */
const RULES: RuleTable = {
  'provider-opened': (e) => ({
    effect: 'trouble',
    severity: 'warning',
    component: providerComponent(e),
    condition: `breaker:${e.key}`,
  }),
  'provider-half-opened': (e) => ({ effect: 'note', severity: 'info', component: providerComponent(e) }),
  'provider-closed': (e) => ({
    effect: 'recovery',
    severity: 'info',
    component: providerComponent(e),
    condition: `breaker:${e.key}`,
  }),
  'provider-cooldown-started': (e) => ({
    effect: 'trouble',
    severity: 'warning',
    component: providerComponent(e),
    condition: `cooldown:${e.key}`,
    until: e.untilMs,
  }),
  'provider-cooldown-ended': (e) => ({
    effect: 'recovery',
    severity: 'info',
    component: providerComponent(e),
    condition: `cooldown:${e.key}`,
  }),
  'feature-mode-changed': (e) => featureMode(e.feature, e.to, e.from),
  'feature-degraded': (e) => featureMode(e.feature, e.mode),
  'feature-recovered': (e) => featureMode(e.feature, 'normal', e.from),
  'budget-exhausted': (e) => ({
    effect: 'trouble',
    severity: 'warning',
    component: `budget:${e.provider}`,
    condition: `budget:${e.provider}`,
  }),
  'budget-recovered': (e) => ({
    effect: 'recovery',
    severity: 'info',
    component: `budget:${e.provider}`,
    condition: `budget:${e.provider}`,
  }),
  'switch-changed': (e) => ({
    effect: e.enabled ? 'recovery' : 'trouble',
    severity: e.enabled ? 'info' : 'warning',
    component: `switch:${e.target}`,
    condition: `switch:${e.target}`,
  }),
  'shared-state-lost': () => ({
    effect: 'trouble',
    severity: 'warning',
    component: 'shared-state',
    condition: 'shared-state',
  }),
  'shared-state-restored': () => ({
    effect: 'recovery',
    severity: 'info',
    component: 'shared-state',
    condition: 'shared-state',
  }),
  'engine-faulted': (e) => ({ effect: 'blip', severity: 'warning', component: `feature:${e.feature}` }),
  'stream-failed': (e) => ({ effect: 'blip', severity: 'warning', component: `provider:${e.provider}/${e.model}` }),
  // A job that failed after its last retry is trouble of a moment (the next run may well succeed): it opens an incident.
  'job-failed': (e) =>
    e.final
      ? { effect: 'blip', severity: 'warning', component: `job:${e.job}` }
      : { effect: 'note', severity: 'info', component: `job:${e.job}` },
  'job-deferred': (e) => ({ effect: 'note', severity: 'warning', component: `job:${e.job}` }),
  'job-skipped': (e) => ({ effect: 'note', severity: 'info', component: `job:${e.job}` }),
  // Core down is the one critical trouble: products fail, not only their AI parts.
  'core-check-failed': (e) => ({
    effect: 'trouble',
    severity: 'critical',
    component: `core:${e.check}`,
    condition: `core:${e.check}`,
  }),
  'core-check-recovered': (e) => ({
    effect: 'recovery',
    severity: 'info',
    component: `core:${e.check}`,
    condition: `core:${e.check}`,
  }),
};

/**
 * Reads one state-change event for incidents.
 * @example readEvent({ type: 'budget-exhausted', at: 0, provider: 'claude' }) // { effect: 'trouble', severity: 'warning', component: 'budget:claude', … }
 */
export function readEvent(event: FailsoftEvent): IncidentReading {
  const rule = RULES[event.type] as Rule<typeof event.type> | undefined;
  return rule ? rule(event as never) : { effect: 'note', severity: 'info', component: 'failsoft' };
}

/** `critical` above `warning` above `info`. */
export const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };
