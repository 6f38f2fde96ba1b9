import type { FailsoftEvent } from './events.js';

/** How loud an event is in a log: state changes at `warn`/`info`, per-request events at `debug`. */
export type EventLevel = 'warn' | 'info' | 'debug';

function formatSeconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${Math.round(ms / 100) / 10} s`;
}

function route(event: { provider: string; model: string }): string {
  return `${event.provider}/${event.model}`;
}

/**
 * An event's level and one-line message: what an on-call reader needs without opening the payload. The
 * gateway's log and the incident timeline both use it, so an event reads the same wherever it is shown.
 * @example describeEvent({ type: 'budget-recovered', at: 0, provider: 'claude' }) // ['info', 'claude rate budget recovered']
 */
export function describeEvent(event: FailsoftEvent): [EventLevel, string] {
  switch (event.type) {
    case 'provider-opened': {
      const retry =
        event.retryAfterMs === undefined ? '' : ` (tried again in ${Math.ceil(event.retryAfterMs / 1000)} s)`;
      return ['warn', `${route(event)} opened: ${event.reason}${retry}`];
    }
    case 'provider-half-opened':
      return ['info', `${route(event)} half-open: ${event.reason}`];
    case 'provider-closed':
      return ['info', `${route(event)} closed: ${event.reason}`];
    case 'feature-mode-changed': {
      const bad = event.to === 'fallback' || event.to === 'unavailable' || event.to === 'disabled';
      return [
        bad ? 'warn' : 'info',
        `feature ${event.feature}: ${event.from} → ${event.to}${event.reason ? ` (${event.reason})` : ''}`,
      ];
    }
    case 'feature-degraded':
      return ['warn', `feature ${event.feature} degraded to ${event.mode}${event.reason ? ` (${event.reason})` : ''}`];
    case 'feature-recovered':
      return ['info', `feature ${event.feature} recovered from ${event.from}`];
    case 'budget-exhausted':
      return ['warn', `${event.provider} rate budget exhausted${event.dimension ? ` (${event.dimension})` : ''}`];
    case 'budget-recovered':
      return ['info', `${event.provider} rate budget recovered`];
    case 'shared-state-lost':
      return [
        'warn',
        `shared state (${event.backend}) lost${event.error ? `: ${event.error}` : ''}; each instance now enforces budgets, breakers and cool-downs alone`,
      ];
    case 'shared-state-restored':
      return [
        'info',
        `shared state (${event.backend}) restored${event.lostMs === undefined ? '' : ` after ${Math.round(event.lostMs / 100) / 10} s`}`,
      ];
    case 'switch-changed':
      return [
        'warn',
        `${event.target === 'global' ? 'AI' : `feature ${event.target}`} switched ${event.enabled ? 'on' : 'off'} (${event.source})`,
      ];
    case 'stream-failed':
      return ['warn', `feature ${event.feature}: stream from ${route(event)} failed after it started: ${event.class}`];
    case 'provider-cooldown-started': {
      const seconds = Math.max(1, Math.round((event.untilMs - event.at) / 1000));
      return [
        'warn',
        `${event.key} asked for quiet (429 Retry-After): no requests for ${seconds} s${event.source === 'shared' ? ' (learned from another instance)' : ''}`,
      ];
    }
    case 'provider-cooldown-ended':
      return ['info', `${event.key} cool-down over: requests go to it again`];
    case 'engine-faulted':
      return [
        'warn',
        `feature ${event.feature}: failsoft itself failed (${event.message}); answered with its fallback or a 503`,
      ];
    case 'attempt-hedged':
      return ['debug', `feature ${event.feature}: ${route(event)} started beside ${event.after} (${event.reason})`];
    case 'attempt-failed':
      return [
        'debug',
        `feature ${event.feature}: ${route(event)} failed: ${event.class}${event.status === undefined ? '' : ` (${event.status})`}`,
      ];
    case 'request-completed':
      return [
        'debug',
        `feature ${event.feature}: ${event.source}${event.provider ? ` from ${event.provider}` : ''} in ${event.ms} ms`,
      ];
    case 'job-started':
      return [
        'info',
        `job ${event.job}: started (attempt ${event.attempt}, planned ${new Date(event.plannedAt).toISOString()})`,
      ];
    case 'job-succeeded':
      return ['info', `job ${event.job}: succeeded in ${formatSeconds(event.ms)} (attempt ${event.attempt})`];
    case 'job-failed':
      return [
        event.final ? 'warn' : 'info',
        `job ${event.job}: attempt ${event.attempt} failed: ${event.reason}${event.final ? ' (no retry left)' : ''}`,
      ];
    case 'job-retrying':
      return [
        'info',
        `job ${event.job}: attempt ${event.attempt} in ${formatSeconds(event.delayMs)} (${event.reason})`,
      ];
    case 'job-deferred':
      return [
        'warn',
        `job ${event.job}: deferred (${event.reason}); starts when a provider recovers, until ${new Date(event.untilMs).toISOString()}`,
      ];
    case 'job-skipped':
      return [
        'info',
        `job ${event.job}: run planned ${new Date(event.plannedAt).toISOString()} skipped (${event.reason})`,
      ];
    case 'core-check-failed':
      return ['warn', `core check ${event.check} (${event.kind}) failed: ${event.detail}`];
    case 'core-check-recovered':
      return ['info', `core check ${event.check} (${event.kind}) passes again after ${formatSeconds(event.downMs)}`];
    default:
      return ['debug', (event as { type: string }).type];
  }
}
