import type { HealthReport } from '../engine/health.js';

/** Whether some provider can take a call now: for deferring ai-only jobs while every provider is down. */
export type AiAvailability = () => Promise<boolean>;

/**
 * True when AI is on and some provider has a model whose breaker is not open and that is not cooling down
 * (a 429's Retry-After). The same reading for the engine's `health()` and the gateway's `GET /health/ai`.
 * @example canServe(await ai.health()) // false while every breaker is open
 */
export function canServe(report: Pick<HealthReport, 'aiEnabled' | 'providers'>): boolean {
  if (!report.aiEnabled) return false;
  return Object.values(report.providers).some((p) =>
    Object.values(p.models).some((m) => m.state !== 'open' && m.coolingDownMs === undefined),
  );
}

/**
 * Availability read from a gateway's `GET /health/ai` (for `run-jobs` beside a `serve`, `scheduler.gatewayUrl`). A
 * gateway that does not answer counts as available: the job then runs and its own calls find out, rather than be
 * deferred on a guess.
 * @example const available = gatewayAvailability('http://127.0.0.1:8787'); await available()
 */
export function gatewayAvailability(url: string, timeoutMs = 2_000): AiAvailability {
  const endpoint = `${url.replace(/\/+$/, '')}/health/ai`;
  return async () => {
    try {
      const response = await fetch(endpoint, { signal: AbortSignal.timeout(timeoutMs) });
      const body = (await response.json()) as Partial<HealthReport>;
      if (typeof body !== 'object' || body === null || typeof body.providers !== 'object' || body.providers === null)
        return true;
      return canServe({ aiEnabled: body.aiEnabled !== false, providers: body.providers });
    } catch {
      return true;
    }
  };
}
