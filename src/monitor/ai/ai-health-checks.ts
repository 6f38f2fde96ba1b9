/**
 * AI judged passively, from what real traffic taught the engine (`ai.health()`, or a running serve's
 * `/health/ai`): breaker states, cool-downs, recent error rates, kill switches. AI trouble is a warning,
 * never critical: products serve fallbacks meanwhile.
 */
import type { HealthReport, ProviderHealth } from '../../engine/health.js';
import type { CheckResult } from '../check-result.js';

function percent(rate: number): string {
  return `${Math.round(rate * 100)}%`;
}

function providerResult(name: string, provider: ProviderHealth, errorRate: number): CheckResult {
  const problems: string[] = [];
  if (provider.missingKeyEnv !== undefined) problems.push(`API key variable ${provider.missingKeyEnv} is not set`);
  for (const [model, route] of Object.entries(provider.models)) {
    const why = route.lastError ? ` (${route.lastError.class})` : '';
    if (route.state === 'open') problems.push(`${model} breaker open${why}`);
    else if (route.state === 'half-open') problems.push(`${model} breaker half-open${why}`);
    else if (route.coolingDownMs !== undefined)
      problems.push(`${model} cooling down ${Math.ceil(route.coolingDownMs / 1000)} s (429 Retry-After)`);
    else if (route.requests > 0 && route.errorRate >= errorRate)
      problems.push(`${model} error rate ${percent(route.errorRate)} over ${route.requests} recent requests`);
  }
  return {
    name,
    group: 'ai',
    status: problems.length > 0 ? 'warning' : 'ok',
    detail: problems.length > 0 ? problems.join('; ') : 'ok',
    ms: 0,
  };
}

/** What AI trouble means for users, in one line (the `ai` summary result's detail). */
export function aiSummaryText(report: HealthReport, troubled: readonly string[]): string {
  if (!report.aiEnabled) return 'AI switched off (AI_ENABLED=false or the global switch): features serve fallbacks';
  const fallbacks = Object.entries(report.features)
    .filter(([, f]) => f.mode === 'fallback')
    .map(([name]) => name);
  const unavailable = Object.entries(report.features)
    .filter(([, f]) => f.mode === 'unavailable' || !f.enabled)
    .map(([name]) => name);
  if (report.status === 'down') return 'AI services degraded, using fallbacks: every provider is down';
  const parts: string[] = [];
  if (troubled.length > 0)
    parts.push(
      `${troubled.length} of ${Object.keys(report.providers).length} providers degraded (${troubled.join(', ')})`,
    );
  if (fallbacks.length > 0) parts.push(`${fallbacks.join(', ')} serving fallbacks`);
  if (unavailable.length > 0) parts.push(`${unavailable.join(', ')} unavailable`);
  if (!report.sharedState.connected) parts.push('shared state lost: budgets enforced per instance');
  return parts.length > 0 ? `AI degraded: ${parts.join('; ')}` : 'AI ok';
}

/**
 * One result per provider plus an `ai` summary: warning when anything is off, ok otherwise.
 * @example aiHealthChecks(await ai.health(), 0.5).at(-1) // { name: 'ai', status: 'warning', detail: 'AI degraded: …' }
 */
export function aiHealthChecks(report: HealthReport, errorRate: number, ms = 0): CheckResult[] {
  const providers = Object.entries(report.providers).map(([name, p]) => providerResult(name, p, errorRate));
  const troubled = providers.filter((r) => r.status !== 'ok').map((r) => r.name);
  const off = !report.aiEnabled || report.status !== 'ok' || troubled.length > 0;
  return [
    ...providers,
    { name: 'ai', group: 'ai', status: off ? 'warning' : 'ok', detail: aiSummaryText(report, troubled), ms },
  ];
}

/** True when `value` looks like a `/health/ai` body (what `--url` reads). */
export function isHealthReport(value: unknown): value is HealthReport {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.status === 'string' &&
    typeof v.aiEnabled === 'boolean' &&
    typeof v.providers === 'object' &&
    v.providers !== null &&
    typeof v.features === 'object' &&
    v.features !== null &&
    typeof v.sharedState === 'object' &&
    v.sharedState !== null
  );
}
