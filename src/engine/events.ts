import type { AttemptRecord, ErrorClass } from '../model/errors.js';

/** How a feature is being served right now. */
export type FeatureMode = 'normal' | 'failover' | 'fallback' | 'unavailable' | 'disabled';

/**
 * Every state change the engine reports, by noun-verb name. The monitor, alerting, the incident
 * timeline and the dashboard live on these. Every event carries `type` and `at` (ms since epoch).
 */
export interface FailsoftEventMap {
  'provider-opened': { provider: string; model: string; key: string; reason: string; retryAfterMs?: number };
  'provider-half-opened': { provider: string; model: string; key: string; reason: string };
  'provider-closed': { provider: string; model: string; key: string; reason: string };
  'feature-mode-changed': { feature: string; from: FeatureMode; to: FeatureMode; reason?: string };
  'feature-degraded': { feature: string; mode: FeatureMode; reason?: string };
  'feature-recovered': { feature: string; from: FeatureMode };
  'budget-exhausted': { provider: string; dimension?: string };
  'budget-recovered': { provider: string };
  'switch-changed': { target: string; enabled: boolean; source: string };
  /** Shared policy state (Redis) stopped answering: each instance now keeps budgets, breakers and cool-downs alone. */
  'shared-state-lost': SharedStateEvent;
  /** Shared policy state answers again, after `lostMs`: instances share budgets, breakers and cool-downs again. */
  'shared-state-restored': SharedStateEvent;
  /** An interactive request started its next route entry beside one that had shown no content yet (`slow`), or beside a half-open probe (`probe`). */
  'attempt-hedged': { feature: string; provider: string; model: string; after: string; reason: 'slow' | 'probe' };
  /** A provider asked to be left alone (a 429's Retry-After) until `untilMs`: every request skips it meanwhile. `source: shared` = learned from another instance. */
  'provider-cooldown-started': {
    key: string;
    provider: string;
    model: string;
    untilMs: number;
    source: 'local' | 'shared';
  };
  'provider-cooldown-ended': {
    key: string;
    provider: string;
    model: string;
    untilMs: number;
    source: 'local' | 'shared';
  };
  /** A failure inside failsoft itself (a policy, shared state) answered as a loss instead of an error. */
  'engine-faulted': { feature: string; message: string };
  'attempt-failed': {
    feature: string;
    provider: string;
    model: string;
    class: ErrorClass;
    status?: number;
    ms: number;
    message: string;
  };
  'stream-failed': { feature: string; provider: string; model: string; class: ErrorClass; message: string };
  /** A scheduled job's run started its attempt (`attempt` 1 is the first). Job events come from the scheduler, on its own bus or the engine's. */
  'job-started': JobEvent & { attempt: number };
  'job-succeeded': JobEvent & { attempt: number; ms: number };
  /** An attempt failed (`final`: no retry is left: the run failed). `reason`: `exit 3`, `timed out after 20 s`, `owner lost`… */
  'job-failed': JobEvent & { attempt: number; reason: string; final: boolean; ms: number; exitCode?: number };
  /** The next attempt starts after `delayMs` (backoff × multiplier). */
  'job-retrying': JobEvent & { attempt: number; delayMs: number; reason: string };
  /** An ai-only job waits: no provider can serve now; it starts when one recovers, until `untilMs` (its flex). */
  'job-deferred': JobEvent & { reason: string; untilMs: number };
  /** A run was not started: the previous run still runs (`overlap: skip`), or its flex passed while deferred. */
  'job-skipped': JobEvent & { reason: string };
  /** A core dependency check failed (the monitor of `failsoft serve`): core is down, critical. `detail`: `connection refused (127.0.0.1:5432)`. */
  'core-check-failed': { check: string; kind: string; detail: string; ms: number };
  /** A core check that had failed passes again, after `downMs`. */
  'core-check-recovered': { check: string; kind: string; detail: string; ms: number; downMs: number };
  'request-completed': {
    feature: string;
    source: 'provider' | 'fallback' | 'error';
    provider?: string;
    model?: string;
    degraded: boolean;
    ms: number;
    attempts: readonly AttemptRecord[];
  };
}

/** What every job event names: the job, the run's id (one per planned slot) and the slot's planned start (ms). */
export interface JobEvent {
  job: string;
  runId: string;
  plannedAt: number;
}

/** Payload of `shared-state-lost` (with `error`) and `shared-state-restored` (with `lostMs`). */
export interface SharedStateEvent {
  backend: 'redis';
  error?: string;
  lostMs?: number;
}

export type FailsoftEventType = keyof FailsoftEventMap;

/** One event: its payload plus `type` and `at`. */
export type FailsoftEvent<K extends FailsoftEventType = FailsoftEventType> = K extends FailsoftEventType
  ? { type: K; at: number } & FailsoftEventMap[K]
  : never;

type Listener<K extends FailsoftEventType> = (event: FailsoftEvent<K>) => void;
type AnyListener = (event: FailsoftEvent) => void;

/**
 * A small typed event bus. Listeners run synchronously; a throwing listener never breaks a request
 * (its error goes to `onListenerError`). Emitting with no listeners costs one map lookup.
 * @example bus.on('provider-opened', (e) => console.log(e.provider, e.reason));
 */
export class EventBus {
  private readonly listeners = new Map<string, Set<(event: never) => void>>();

  constructor(
    private readonly onListenerError: (error: unknown) => void = (error) =>
      console.error('failsoft: event listener threw', error),
  ) {}

  on<K extends FailsoftEventType>(type: K, listener: Listener<K>): () => void;
  on(type: '*', listener: AnyListener): () => void;
  on(type: string, listener: (event: never) => void): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(listener);
    return () => this.off(type, listener);
  }

  off(type: string, listener: (event: never) => void): void {
    this.listeners.get(type)?.delete(listener);
  }

  /** True if anyone listens to `type` (or to every event): lets callers skip building payloads. */
  wants(type: FailsoftEventType): boolean {
    return (this.listeners.get(type)?.size ?? 0) > 0 || (this.listeners.get('*')?.size ?? 0) > 0;
  }

  emit<K extends FailsoftEventType>(type: K, at: number, payload: FailsoftEventMap[K]): void {
    if (!this.wants(type)) return;
    const event = { type, at, ...payload } as unknown as never;
    for (const key of [type, '*']) {
      const set = this.listeners.get(key);
      if (!set) continue;
      for (const listener of set) {
        try {
          listener(event);
        } catch (error) {
          this.onListenerError(error);
        }
      }
    }
  }
}
