/**
 * The JSON the page draws, `GET /dashboard/state`: the verdict line and its colour, providers, features, kill
 * switches, the core checks, jobs and incidents, each already in the words and numbers the page shows, so the page
 * only lays them out (and the tests can read what an operator reads).
 */
import type { HealthReport, ProviderHealth, RouteHealth } from '../engine/health.js';
import type { FeatureMode } from '../engine/events.js';
import type { CoreView, StatusLevel } from './status-words.js';
import { coolingDownMs, featureWords, providerWords, shownMode, statusWords } from './status-words.js';
import type { JobsView } from './jobs-view.js';

/** One model of a provider's routes. */
export interface ModelView {
  model: string;
  state: RouteHealth['state'];
  requests: number;
  errorRate: number;
  latencyMs: { p50: number; p95: number } | null;
  coolingDownMs: number;
  lastError: string | null;
}

/** One provider's card. */
export interface ProviderView {
  name: string;
  type: string;
  state: ProviderHealth['state'];
  level: StatusLevel;
  words: string;
  errorRate: number;
  /** Of its busiest model (the one most calls went to). */
  latencyMs: { p50: number; p95: number } | null;
  /** Share used of each limited budget dimension right now (rate budgets refill continuously). */
  budget: Array<{ dimension: string; limit: number; used: number; share: number }>;
  coolingDownMs: number;
  concurrency: { active: number; limit: number } | null;
  models: ModelView[];
}

/** One feature's row. */
export interface FeatureView {
  name: string;
  tier: string;
  mode: FeatureMode;
  level: StatusLevel;
  /** What its mode means for users ("served as configured" when normal). */
  words: string;
  enabled: boolean;
  /** Has a kill switch (critical features never call AI, so have none). */
  switchable: boolean;
  route: string[];
}

/** The incident list, or why there is none. */
export interface IncidentsView {
  /** False when the gateway keeps no record (or it could not be read: `error` says why). */
  available: boolean;
  error?: string;
  /** Open ones first, then the most recent (last 24 h, at most 20). */
  list: unknown[];
}

/** The whole state. */
export interface DashboardState {
  /** ISO time the state was read. */
  at: string;
  status: { level: StatusLevel; headline: string };
  aiEnabled: boolean;
  core: {
    checked: boolean;
    ready: boolean;
    checks: Array<{ name: string; status: string; detail: string; failingSince: string | null }>;
  };
  providers: ProviderView[];
  features: FeatureView[];
  switches: { aiEnabled: boolean; disabledFeatures: string[] };
  sharedState: HealthReport['sharedState'];
  jobs: JobsView;
  incidents: IncidentsView;
  /** How the page may act: `token` when kill switches can be flipped with the admin token, `none` when the admin routes refuse pages. */
  writes: 'token' | 'none';
}

/** The core checks as read from the monitor's readiness (undefined: none configured). */
export interface CoreReading {
  ready: boolean;
  checks: readonly object[];
}

/** What `buildState` reads. */
export interface StateInputs {
  health: HealthReport;
  switches: { aiEnabled: boolean; disabledFeatures: string[] };
  core: CoreReading | undefined;
  jobs: JobsView;
  incidents: IncidentsView;
  writes: 'token' | 'none';
  now: number;
}

function field(check: object, name: string): string | undefined {
  const value = (check as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

function coreOf(reading: CoreReading | undefined): DashboardState['core'] {
  if (reading === undefined) return { checked: false, ready: true, checks: [] };
  return {
    checked: true,
    ready: reading.ready,
    checks: reading.checks.map((c) => ({
      name: field(c, 'name') ?? '?',
      status: field(c, 'status') ?? 'unknown',
      detail: field(c, 'detail') ?? '',
      failingSince: field(c, 'failingSince') ?? null,
    })),
  };
}

function providerView(name: string, p: ProviderHealth): ProviderView {
  const models = Object.entries(p.models).map(
    ([model, m]): ModelView => ({
      model,
      state: m.state,
      requests: m.requests,
      errorRate: m.errorRate,
      latencyMs: m.latencyMs,
      coolingDownMs: m.coolingDownMs ?? 0,
      lastError: m.lastError === undefined ? null : `${m.lastError.class}: ${m.lastError.message}`,
    }),
  );
  const busiest = [...models].sort((a, b) => b.requests - a.requests)[0];
  const budget = Object.entries(p.budget).flatMap(([dimension, b]) => {
    if (b === undefined || b.limit <= 0) return [];
    const used = Math.max(0, b.limit - b.remaining);
    return [{ dimension, limit: b.limit, used, share: used / b.limit }];
  });
  const cooling = coolingDownMs(p);
  return {
    name,
    type: p.type,
    state: p.state,
    level: p.state === 'closed' && cooling === 0 && p.missingKeyEnv === undefined ? 'ok' : 'degraded',
    words: providerWords(p),
    errorRate: p.errorRate,
    latencyMs: busiest?.latencyMs ?? null,
    budget,
    coolingDownMs: cooling,
    concurrency: p.concurrency ? { active: p.concurrency.active, limit: p.concurrency.limit } : null,
    models,
  };
}

/**
 * Builds the state the page draws (pure: every input is read by the caller).
 * @example buildState({ health, switches, core: undefined, jobs, incidents, writes: 'token', now: Date.now() }).status.headline
 */
export function buildState(inputs: StateInputs): DashboardState {
  const { health } = inputs;
  const core = coreOf(inputs.core);
  const coreView: CoreView = {
    checked: core.checked,
    ready: core.ready,
    failing: core.checks.filter((c) => c.status === 'critical').map((c) => ({ name: c.name, detail: c.detail })),
  };
  const features = Object.entries(health.features).map(([name, f]): FeatureView => {
    const mode = shownMode(f, health.aiEnabled);
    return {
      name,
      tier: f.tier,
      mode,
      level: mode === 'normal' ? 'ok' : 'degraded',
      words: featureWords(name, f.tier, mode) ?? 'served as configured',
      enabled: f.enabled,
      switchable: f.tier !== 'critical',
      route: f.route,
    };
  });
  return {
    at: new Date(inputs.now).toISOString(),
    status: statusWords(health, coreView),
    aiEnabled: health.aiEnabled,
    core,
    providers: Object.entries(health.providers).map(([name, p]) => providerView(name, p)),
    features,
    switches: inputs.switches,
    sharedState: health.sharedState,
    jobs: inputs.jobs,
    incidents: inputs.incidents,
    writes: inputs.writes,
  };
}
