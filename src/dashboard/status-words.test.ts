import { describe, expect, it } from 'vitest';
import type { FeatureHealth, HealthReport, ProviderHealth } from '../engine/health.js';
import { featureWords, providerWords, statusWords, type CoreView } from './status-words.js';

const CORE_OK: CoreView = { checked: true, ready: true, failing: [] };

function provider(overrides: Partial<ProviderHealth> = {}, cooling?: number): ProviderHealth {
  return {
    type: 'anthropic',
    state: 'closed',
    errorRate: 0,
    budget: {},
    models: {
      m: {
        state: overrides.state ?? 'closed',
        requests: 1,
        errorRate: 0,
        latencyMs: null,
        ...(cooling === undefined ? {} : { coolingDownMs: cooling }),
      },
    },
    ...overrides,
  };
}

function feature(tier: string, mode: FeatureHealth['mode'] = 'normal', enabled = true): FeatureHealth {
  return { tier, mode, enabled, route: ['claude/m'] };
}

function health(overrides: Partial<HealthReport> = {}): HealthReport {
  return {
    status: 'ok',
    aiEnabled: true,
    providers: { claude: provider(), gemini: provider({ type: 'gemini' }) },
    features: { summary: feature('enhanced'), chat: feature('ai-only'), billing: feature('critical') },
    sharedState: { backend: 'memory', connected: true, operationsLost: 0 },
    ...overrides,
  };
}

describe('statusWords', () => {
  it('says all is well in green', () => {
    expect(statusWords(health(), CORE_OK)).toEqual({ level: 'ok', headline: 'AI OK; core OK' });
  });

  it('says what a degraded feature means for users, in amber, with the core line', () => {
    const h = health({
      status: 'degraded',
      features: { summary: feature('enhanced', 'fallback'), chat: feature('ai-only') },
    });
    expect(statusWords(h, CORE_OK)).toEqual({ level: 'degraded', headline: 'summary is serving fallbacks; core OK' });
  });

  it('names every feature that is not served as configured, and leaves the providers behind it to their cards', () => {
    const h = health({
      status: 'degraded',
      providers: { claude: provider({ state: 'open' }), gemini: provider() },
      features: { summary: feature('enhanced', 'failover'), chat: feature('ai-only', 'unavailable') },
    });
    expect(statusWords(h, CORE_OK).headline).toBe(
      'summary is served by a backup provider; chat is unavailable (answers 503); core OK',
    );
  });

  it('names providers that are down, recovering or rate-limited while every feature is still served as configured', () => {
    const h = health({
      status: 'degraded',
      providers: {
        claude: provider({ state: 'open' }),
        gemini: provider({}, 4_000),
        gpt: provider({ state: 'half-open' }),
      },
    });
    expect(statusWords(h, CORE_OK)).toEqual({
      level: 'degraded',
      headline:
        'claude is down (features are served by the others); gpt is recovering; gemini is rate-limited (asked for quiet); core OK',
    });
  });

  it('is red only for a failing core check, whatever AI does', () => {
    const core: CoreView = {
      checked: true,
      ready: false,
      failing: [{ name: 'db', detail: 'connection refused (127.0.0.1:5432)' }],
    };
    expect(statusWords(health(), core)).toEqual({
      level: 'critical',
      headline: 'AI OK; core FAILING: db (connection refused (127.0.0.1:5432))',
    });
    const allDown = health({
      status: 'down',
      providers: { claude: provider({ state: 'open' }) },
      features: { chat: feature('ai-only', 'unavailable') },
    });
    expect(statusWords(allDown, CORE_OK).level).toBe('degraded');
  });

  it('says when no core check is configured (never red then)', () => {
    expect(statusWords(health(), { checked: false, ready: true, failing: [] })).toEqual({
      level: 'ok',
      headline: 'AI OK; no core checks configured',
    });
  });

  it('shows a switch that is off at once, by tier, and the master switch as one phrase', () => {
    const h = health({
      features: { summary: feature('enhanced', 'normal', false), chat: feature('ai-only', 'normal', false) },
    });
    expect(statusWords(h, CORE_OK).headline).toBe(
      'summary is switched off (serving fallbacks); chat is switched off (answers 503); core OK',
    );
    expect(statusWords(health({ aiEnabled: false, status: 'down' }), CORE_OK)).toEqual({
      level: 'degraded',
      headline: 'AI is switched off: enhanced features serve fallbacks, ai-only features answer 503; core OK',
    });
  });

  it('reads a feature switched back on (still `disabled` until its next call) as served as configured', () => {
    expect(
      statusWords(health({ features: { summary: feature('enhanced', 'disabled', true) } }), CORE_OK).headline,
    ).toBe('AI OK; core OK');
  });

  it('says so when the shared state is away', () => {
    const h = health({ status: 'degraded', sharedState: { backend: 'redis', connected: false, operationsLost: 3 } });
    expect(statusWords(h, CORE_OK)).toEqual({
      level: 'degraded',
      headline: 'shared state (Redis) is away: each instance enforces budgets alone; core OK',
    });
  });
});

describe('featureWords and providerWords', () => {
  it('words every feature mode for its users', () => {
    expect(featureWords('summary', 'enhanced', 'normal')).toBeUndefined();
    expect(featureWords('summary', 'enhanced', 'failover')).toBe('summary is served by a backup provider');
    expect(featureWords('summary', 'enhanced', 'fallback')).toBe('summary is serving fallbacks');
    expect(featureWords('chat', 'ai-only', 'unavailable')).toBe('chat is unavailable (answers 503)');
    expect(featureWords('chat', 'ai-only', 'disabled')).toBe('chat is switched off (answers 503)');
  });

  it('words every provider state, a missing key first', () => {
    expect(providerWords(provider())).toBe('healthy');
    expect(providerWords(provider({ state: 'open' }))).toBe('down (circuit open): calls go to the next provider');
    expect(providerWords(provider({ state: 'half-open' }))).toBe(
      'recovering: trying one call before trusting it again',
    );
    expect(providerWords(provider({}, 12_400))).toBe(
      'rate-limited by the provider: calls wait or go elsewhere for 13 s',
    );
    expect(providerWords(provider({ state: 'open', missingKeyEnv: 'ANTHROPIC_API_KEY' }))).toBe(
      'no API key: ANTHROPIC_API_KEY is not set',
    );
  });
});
