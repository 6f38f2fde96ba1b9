/**
 * One run of every check, as `failsoft check` does it. A one-shot run has no traffic history, so AI state
 * comes from probes when `checks.ai.probes` is on, else from a running serve's `/health/ai` when a URL is
 * given, else AI is reported as not checked.
 */
import { request } from 'undici';
import { DEFAULT_CHECKS } from '../engine/config/checks-config.js';
import type { ResolvedConfig } from '../engine/config/resolve-config.js';
import { aiHealthChecks, isHealthReport } from './ai/ai-health-checks.js';
import { probeProviders, probeSummary } from './ai/ai-probes.js';
import { checkReport, type AiSource, type CheckReport } from './check-report.js';
import type { CheckResult } from './check-result.js';
import { runCoreChecks } from './core/run-core-check.js';
import { networkErrorText } from './core/network-error-text.js';

/** What to check once. */
export interface CheckOnceOptions {
  /** Undefined: no config (only `--url`'s AI state). */
  config: ResolvedConfig | undefined;
  env: Record<string, string | undefined>;
  only?: 'core' | 'ai';
  /** A running `failsoft serve` (`http://127.0.0.1:8787`): AI state from its `/health/ai`. */
  url?: string;
  /** Longest a `/health/ai` read waits (default 5 s). */
  urlTimeoutMs?: number;
}

async function aiFromServe(url: string, errorRate: number, timeoutMs: number): Promise<CheckResult[]> {
  const target = `${url.replace(/\/+$/, '')}/health/ai`;
  const started = performance.now();
  const failed = (detail: string): CheckResult[] => [
    {
      name: 'ai',
      group: 'ai',
      status: 'unknown',
      detail: `cannot read ${target}: ${detail}`,
      ms: Math.round(performance.now() - started),
    },
  ];
  try {
    const response = await request(target, { method: 'GET', signal: AbortSignal.timeout(timeoutMs) });
    const text = await response.body.text();
    if (response.statusCode !== 200) return failed(`HTTP ${response.statusCode}`);
    const body: unknown = JSON.parse(text);
    if (!isHealthReport(body)) return failed('not a failsoft /health/ai answer');
    return aiHealthChecks(body, errorRate, Math.round(performance.now() - started));
  } catch (error) {
    return failed(error instanceof SyntaxError ? 'not JSON' : networkErrorText(error));
  }
}

const STATUSES: ReadonlySet<string> = new Set(['ok', 'warning', 'critical', 'unknown']);

/** Core state from a running serve's `/health/ready` (its checks as last run), for `--url` without a config. */
async function coreFromServe(url: string, timeoutMs: number): Promise<CheckResult[]> {
  const target = `${url.replace(/\/+$/, '')}/health/ready`;
  const started = performance.now();
  const ms = (): number => Math.round(performance.now() - started);
  try {
    const response = await request(target, { method: 'GET', signal: AbortSignal.timeout(timeoutMs) });
    const body = JSON.parse(await response.body.text()) as { checks?: unknown };
    if (!Array.isArray(body.checks)) {
      return [
        {
          name: 'ready',
          group: 'core',
          status: response.statusCode === 200 ? 'ok' : 'critical',
          detail:
            response.statusCode === 200 ? 'ready (no core checks configured there)' : `HTTP ${response.statusCode}`,
          ms: ms(),
        },
      ];
    }
    return body.checks.map((raw: unknown): CheckResult => {
      const c = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
      const status =
        typeof c.status === 'string' && STATUSES.has(c.status) ? (c.status as CheckResult['status']) : 'unknown';
      return {
        name: typeof c.name === 'string' ? c.name : '?',
        group: 'core',
        status,
        detail: typeof c.detail === 'string' ? c.detail : '',
        ms: typeof c.ms === 'number' ? c.ms : 0,
      };
    });
  } catch (error) {
    return [
      {
        name: 'ready',
        group: 'core',
        status: 'unknown',
        detail: `cannot read ${target}: ${error instanceof SyntaxError ? 'not JSON' : networkErrorText(error)}`,
        ms: ms(),
      },
    ];
  }
}

/**
 * Runs the checks once and reports them; never throws for a failing check (only for a bad URL).
 * @example const report = await runChecksOnce({ config, env: process.env }); // report.status: 'ok' | 'warning' | 'critical' | 'unknown'
 */
export async function runChecksOnce(options: CheckOnceOptions): Promise<CheckReport> {
  const checks = options.config?.checks ?? DEFAULT_CHECKS;
  const notes: string[] = [];
  const fromServe = options.config === undefined && options.url !== undefined;
  const core =
    options.only === 'ai'
      ? Promise.resolve([])
      : fromServe
        ? coreFromServe(options.url ?? '', options.urlTimeoutMs ?? 5_000)
        : runCoreChecks(checks.core, options.env);
  if (options.only !== 'ai' && !fromServe && checks.core.length === 0)
    notes.push('no core checks configured (checks.core)');
  let ai: Promise<CheckResult[]> = Promise.resolve([]);
  let source: AiSource = 'skipped';
  if (options.only !== 'core') {
    if (options.config && checks.ai.probes) {
      source = 'probes';
      ai = probeProviders(options.config, options.env).then((results) => [...results, probeSummary(results)]);
    } else if (options.url !== undefined) {
      source = 'serve';
      ai = aiFromServe(options.url, checks.ai.errorRate, options.urlTimeoutMs ?? 5_000);
    } else {
      source = 'not-checked';
      notes.push(
        'AI not checked: a one-shot run has no traffic history; set checks.ai.probes: true, or pass --url of a running failsoft serve',
      );
    }
  }
  const [coreResults, aiResults] = await Promise.all([core, ai]);
  return checkReport([...coreResults, ...aiResults], source, notes);
}
