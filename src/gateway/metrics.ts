/**
 * Prometheus metrics of the gateway (`GET /metrics`), on a registry of their own (never prom-client's
 * global one), all named `failsoft_…`. They are fed from engine events, so the request path pays a
 * counter increment and nothing more; budgets (and a reconciliation of breaker states) are read at scrape.
 */
import { Counter, Gauge, Registry, type LabelValues } from 'prom-client';
import type { Failsoft } from '../engine/failsoft.js';
import type { FailsoftEvent } from '../engine/events.js';
import type { BreakerStateName } from '../engine/health.js';
import { LatencyHistogram } from './latency-histogram.js';

/** Breaker states as gauge values: 0 closed, 1 half-open, 2 open. */
export const BREAKER_STATE_VALUE: Record<BreakerStateName, number> = { closed: 0, 'half-open': 1, open: 2 };

/** Latency buckets in seconds, from a cache-fast answer to a slow long generation. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

type RequestOutcome = 'provider' | 'failover' | 'fallback' | 'error';

/**
 * The record store's writer as the gateway sees it (`/health/ready`'s store line and `/metrics`): passed in
 * by `failsoft serve` as a function, so the gateway never imports the store.
 */
export interface GatewayStoreStatus {
  backend: string;
  /** False while the last flush failed (records wait in the buffer). */
  connected: boolean;
  buffered: number;
  written: number;
  dropped: number;
  failingSince?: number;
  lastError?: string;
}

/** Alert deliveries so far on one channel with one outcome (`sent` or `failed`): passed in as a function by `failsoft serve`. */
export interface GatewayAlertCount {
  channel: string;
  status: 'sent' | 'failed';
  count: number;
}

/** Child metrics bound to their labels, so an event costs a map lookup and an increment. */
class Children<T> {
  private readonly byKey = new Map<string, T>();
  constructor(private readonly make: (labels: string[]) => T) {}
  get(...labels: string[]): T {
    const key = labels.join('\u0000');
    let child = this.byKey.get(key);
    if (child === undefined) this.byKey.set(key, (child = this.make(labels)));
    return child;
  }
  forEach(fn: (child: T) => void): void {
    for (const child of this.byKey.values()) fn(child);
  }
}

/**
 * A count kept as a plain number and added to its prom-client counter at scrape: prom-client hashes the
 * label set on every `inc`, and requests are counted on the hot path.
 */
class PendingCount {
  private pending = 0;
  constructor(private readonly counter: { inc(value?: number): void }) {}
  inc(): void {
    this.pending++;
  }
  flush(): void {
    if (this.pending === 0) return;
    this.counter.inc(this.pending);
    this.pending = 0;
  }
}

/**
 * The gateway's metrics: requests by feature/provider/outcome, latency by feature, breaker states,
 * budget remaining, fallbacks served, failed attempts by provider/class.
 * @example const metrics = new GatewayMetrics(ai); const { contentType, body } = await metrics.render();
 */
export class GatewayMetrics {
  /** The registry of the prom-client metrics (not prom-client's global one); `render()` adds the latency histogram, kept outside it. */
  readonly registry = new Registry();
  private readonly breakerState: Gauge<'provider' | 'model'>;
  private readonly budgetRemaining: Gauge<'provider' | 'dimension'>;
  private readonly budgetLimit: Gauge<'provider' | 'dimension'>;
  private readonly concurrencyActive: Gauge<'provider'>;
  private readonly concurrencyLimit: Gauge<'provider'>;
  private readonly concurrencyRejected: Counter<'provider'>;
  /** Rejections already added to the counter, per provider (the bulkhead keeps a running total). */
  private readonly rejectedSeen = new Map<string, number>();
  private readonly sharedStateConnected: Gauge<'backend'>;
  private readonly sharedStateLost: Counter<'backend'>;
  /** Lost operations already added to the counter (the shared state keeps a running total). */
  private lostSeen = 0;
  /** Requests counted in plain numbers per label set, added to the prom-client counter at scrape. */
  private readonly requests: Children<PendingCount>;
  private readonly latency: LatencyHistogram;
  private readonly fallbacks: Children<{ inc(): void }>;
  private readonly attemptsFailed: Children<{ inc(): void }>;
  private readonly hedges: Children<{ inc(): void }>;
  private readonly hedgeWins: Children<{ inc(): void }>;
  private readonly cooldowns: Children<{ inc(): void }>;
  private readonly coolingDown: Gauge<'provider' | 'model'>;
  private readonly engineFaults: Counter<'feature'>;
  private readonly unsubscribe: () => void;
  private readonly storeGauges:
    | { buffered: Gauge<'backend'>; dropped: Counter<'backend'>; connected: Gauge<'backend'> }
    | undefined;
  /** Drops already added to the counter (the writer keeps a running total). */
  private droppedSeen = 0;

  private readonly alertsSent: Counter<'channel' | 'status'> | undefined;
  /** Deliveries already added to the counter, per channel and status. */
  private readonly alertsSeen = new Map<string, number>();

  /**
   * @param storeStatus the record writer's status, read at scrape (none: no store metrics).
   * @param alertCounts alert deliveries so far, read at scrape (none: no alert metric).
   */
  constructor(
    private readonly ai: Failsoft,
    private readonly storeStatus?: () => GatewayStoreStatus,
    private readonly alertCounts?: () => readonly GatewayAlertCount[],
  ) {
    const registers = [this.registry];
    const requests = new Counter({
      name: 'failsoft_requests_total',
      help: 'Requests answered, by feature, provider (none for fallbacks and errors) and outcome (provider, failover, fallback, error).',
      labelNames: ['feature', 'provider', 'outcome'],
      registers,
    });
    this.latency = new LatencyHistogram(
      'failsoft_request_duration_seconds',
      'Time from request to answer (to the end of the stream for streams), by feature.',
      LATENCY_BUCKETS,
    );
    this.breakerState = new Gauge({
      name: 'failsoft_breaker_state',
      help: 'Circuit breaker state per provider and model: 0 closed, 1 half-open, 2 open.',
      labelNames: ['provider', 'model'],
      registers,
    });
    this.budgetRemaining = new Gauge({
      name: 'failsoft_budget_remaining',
      help: 'Rate budget left per provider and dimension (requests, inputTokens, outputTokens, tokens), read at scrape.',
      labelNames: ['provider', 'dimension'],
      registers,
    });
    this.budgetLimit = new Gauge({
      name: 'failsoft_budget_limit',
      help: 'Rate budget capacity per provider and dimension.',
      labelNames: ['provider', 'dimension'],
      registers,
    });
    this.concurrencyActive = new Gauge({
      name: 'failsoft_concurrency_active',
      help: 'Calls in flight per provider with maxConcurrent (a stream counts until it ends), read at scrape.',
      labelNames: ['provider'],
      registers,
    });
    this.concurrencyLimit = new Gauge({
      name: 'failsoft_concurrency_limit',
      help: 'maxConcurrent per provider.',
      labelNames: ['provider'],
      registers,
    });
    this.concurrencyRejected = new Counter({
      name: 'failsoft_concurrency_rejected_total',
      help: 'Calls that found every slot of a provider taken and moved on to the next route entry.',
      labelNames: ['provider'],
      registers,
    });
    this.sharedStateConnected = new Gauge({
      name: 'failsoft_shared_state_connected',
      help: 'Whether the shared policy state (Redis) answers: 1 yes, 0 lost (each instance then enforces budgets alone); memory is always 1.',
      labelNames: ['backend'],
      registers,
    });
    this.sharedStateLost = new Counter({
      name: 'failsoft_shared_state_operations_lost_total',
      help: 'Policy-state calls the shared state (Redis) did not answer and local state answered instead.',
      labelNames: ['backend'],
      registers,
    });
    const fallbacks = new Counter({
      name: 'failsoft_fallbacks_total',
      help: 'Fallback answers served, by feature.',
      labelNames: ['feature'],
      registers,
    });
    const failed = new Counter({
      name: 'failsoft_attempts_failed_total',
      help: 'Provider attempts that failed, by provider and error class.',
      labelNames: ['provider', 'class'],
      registers,
    });
    const hedges = new Counter({
      name: 'failsoft_hedges_total',
      help: 'Attempts started beside one that had shown no content yet, by feature and reason (slow: past its usual time to first token; probe: beside a half-open probe).',
      labelNames: ['feature', 'reason'],
      registers,
    });
    const hedgeWins = new Counter({
      name: 'failsoft_hedge_wins_total',
      help: 'Requests answered by their hedge (the attempt started beside a slow one), by feature.',
      labelNames: ['feature'],
      registers,
    });
    const cooldowns = new Counter({
      name: 'failsoft_cooldowns_total',
      help: 'Cool-downs started (a 429 Retry-After, here or learned from another instance), by provider, model and source.',
      labelNames: ['provider', 'model', 'source'],
      registers,
    });
    this.coolingDown = new Gauge({
      name: 'failsoft_cooldown_remaining_seconds',
      help: 'Seconds until a provider model that asked for quiet (429 Retry-After) is called again; 0 when it is not cooling down.',
      labelNames: ['provider', 'model'],
      registers,
    });
    this.engineFaults = new Counter({
      name: 'failsoft_engine_faults_total',
      help: 'Failures inside failsoft itself (a policy, shared state) answered as fallback or 503 instead of an error, by feature.',
      labelNames: ['feature'],
      registers,
    });
    this.storeGauges =
      storeStatus === undefined
        ? undefined
        : {
            buffered: new Gauge({
              name: 'failsoft_store_records_buffered',
              help: 'Records waiting to be written to the record store (events, incidents, switches, aggregates).',
              labelNames: ['backend'],
              registers,
            }),
            dropped: new Counter({
              name: 'failsoft_store_records_dropped_total',
              help: 'Records dropped because the record store was away and the buffer was full.',
              labelNames: ['backend'],
              registers,
            }),
            connected: new Gauge({
              name: 'failsoft_store_connected',
              help: 'Whether the record store takes writes: 1 yes, 0 no (records wait in the buffer).',
              labelNames: ['backend'],
              registers,
            }),
          };
    this.alertsSent =
      alertCounts === undefined
        ? undefined
        : new Counter({
            name: 'failsoft_alerts_sent_total',
            help: 'Alert messages by channel and outcome: sent (delivered), failed (every try failed).',
            labelNames: ['channel', 'status'],
            registers,
          });
    this.hedges = new Children(([feature, reason]) => hedges.labels(label(feature), label(reason)));
    this.hedgeWins = new Children(([feature]) => hedgeWins.labels(label(feature)));
    this.cooldowns = new Children(([provider, model, source]) =>
      cooldowns.labels(label(provider), label(model), label(source)),
    );
    this.requests = new Children(
      ([feature, provider, outcome]) =>
        new PendingCount(requests.labels(label(feature), label(provider), label(outcome))),
    );
    this.fallbacks = new Children(([feature]) => fallbacks.labels(label(feature)));
    this.attemptsFailed = new Children(([provider, errorClass]) => failed.labels(label(provider), label(errorClass)));
    for (const feature of Object.values(ai.config.features)) {
      for (const entry of feature.route) this.breakerState.set({ provider: entry.provider, model: entry.model }, 0);
    }
    // Only the events these metrics use: the engine skips building payloads nobody listens to.
    const observe = (event: FailsoftEvent): void => this.observe(event);
    const offs = (
      [
        'request-completed',
        'attempt-failed',
        'provider-opened',
        'provider-half-opened',
        'provider-closed',
        'attempt-hedged',
        'provider-cooldown-started',
        'engine-faulted',
      ] as const
    ).map((type) => ai.on(type, observe));
    this.unsubscribe = () => {
      for (const off of offs) off();
    };
  }

  private observe(event: FailsoftEvent): void {
    switch (event.type) {
      case 'request-completed': {
        const outcome: RequestOutcome =
          event.source === 'provider' ? (event.degraded ? 'failover' : 'provider') : event.source;
        this.requests.get(event.feature, event.provider ?? 'none', outcome).inc();
        this.latency.observe(label(event.feature), event.ms / 1000);
        if (event.source === 'fallback') this.fallbacks.get(event.feature).inc();
        for (const attempt of event.attempts)
          if (attempt.hedge === true && attempt.outcome === 'ok') this.hedgeWins.get(event.feature).inc();
        return;
      }
      case 'attempt-hedged':
        return this.hedges.get(event.feature, event.reason).inc();
      case 'provider-cooldown-started':
        return this.cooldowns.get(event.provider, event.model, event.source).inc();
      case 'engine-faulted':
        return void this.engineFaults.inc({ feature: label(event.feature) });
      case 'attempt-failed':
        return this.attemptsFailed.get(event.provider, event.class).inc();
      case 'provider-opened':
        return this.setBreaker(event.provider, event.model, 2);
      case 'provider-half-opened':
        return this.setBreaker(event.provider, event.model, 1);
      case 'provider-closed':
        return this.setBreaker(event.provider, event.model, 0);
      default:
        return undefined;
    }
  }

  private setBreaker(provider: string, model: string, value: number): void {
    const labels: LabelValues<'provider' | 'model'> = { provider, model };
    this.breakerState.set(labels, value);
  }

  /** Reads what only changes with time (budgets refilling, breakers timing out) from the engine's health. */
  private async refresh(): Promise<void> {
    this.requests.forEach((pending) => {
      pending.flush();
    });
    const health = await this.ai.health();
    for (const [provider, p] of Object.entries(health.providers)) {
      for (const [model, route] of Object.entries(p.models)) {
        this.setBreaker(provider, model, BREAKER_STATE_VALUE[route.state]);
        this.coolingDown.set({ provider, model }, (route.coolingDownMs ?? 0) / 1000);
      }
      for (const [dimension, budget] of Object.entries(p.budget)) {
        this.budgetRemaining.set({ provider, dimension }, budget.remaining);
        this.budgetLimit.set({ provider, dimension }, budget.limit);
      }
      if (p.concurrency) {
        this.concurrencyActive.set({ provider }, p.concurrency.active);
        this.concurrencyLimit.set({ provider }, p.concurrency.limit);
        const added = p.concurrency.rejected - (this.rejectedSeen.get(provider) ?? 0);
        this.concurrencyRejected.inc({ provider }, Math.max(0, added));
        this.rejectedSeen.set(provider, p.concurrency.rejected);
      }
    }
    if (this.storeStatus && this.storeGauges) {
      const store = this.storeStatus();
      this.storeGauges.buffered.set({ backend: store.backend }, store.buffered);
      this.storeGauges.connected.set({ backend: store.backend }, store.connected ? 1 : 0);
      this.storeGauges.dropped.inc({ backend: store.backend }, Math.max(0, store.dropped - this.droppedSeen));
      this.droppedSeen = Math.max(this.droppedSeen, store.dropped);
    }
    if (this.alertCounts && this.alertsSent) {
      for (const { channel, status, count } of this.alertCounts()) {
        const key = `${channel}\u0000${status}`;
        this.alertsSent.inc({ channel, status }, Math.max(0, count - (this.alertsSeen.get(key) ?? 0)));
        this.alertsSeen.set(key, Math.max(count, this.alertsSeen.get(key) ?? 0));
      }
    }
    const shared = health.sharedState;
    this.sharedStateConnected.set({ backend: shared.backend }, shared.connected ? 1 : 0);
    this.sharedStateLost.inc({ backend: shared.backend }, Math.max(0, shared.operationsLost - this.lostSeen));
    this.lostSeen = Math.max(this.lostSeen, shared.operationsLost);
  }

  /** The Prometheus text exposition, with budgets read now. */
  async render(): Promise<{ contentType: string; body: string }> {
    await this.refresh();
    return {
      contentType: this.registry.contentType,
      body: `${await this.registry.metrics()}\n${this.latency.render()}`,
    };
  }

  /** Stops listening to the engine. */
  close(): void {
    this.unsubscribe();
  }
}

function label(value: string | undefined): string {
  return value ?? '';
}
