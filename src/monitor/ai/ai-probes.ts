/**
 * Active AI probes: one cheap request (one output token, batch priority, no retry, no hedge) per
 * provider+model on the routes, through an engine of its own built from the same config, so the probe
 * goes the way real traffic goes (same adapter, same keys, same rate budget when it is shared in Redis).
 */
import { createFailsoft, type Failsoft } from '../../engine/failsoft.js';
import type { ResolvedConfig, ResolvedFeature, ResolvedRouteEntry } from '../../engine/config/resolve-config.js';
import { AIUnavailableError } from '../../model/errors.js';
import type { CheckResult } from '../check-result.js';

/** Longest a probe waits for its answer. */
export const PROBE_DEADLINE_MS = 15_000;

/** Every distinct provider+model on the routes, in route order. */
export function probeTargets(config: ResolvedConfig): ResolvedRouteEntry[] {
  const seen = new Map<string, ResolvedRouteEntry>();
  for (const feature of Object.values(config.features))
    for (const entry of feature.route) if (!seen.has(entry.key)) seen.set(entry.key, entry);
  return [...seen.values()];
}

function probeFeature(entry: ResolvedRouteEntry, index: number, deadlineMs: number): ResolvedFeature {
  return {
    name: `probe-${index}`,
    tier: 'ai-only',
    route: [entry],
    deadlineMs,
    priority: 'batch',
    maxOutputTokens: 1,
    maxRetries: 0,
    contentFilterFallover: false,
    enabled: true,
    hedge: false,
    maxWaitMs: 0,
  };
}

/** The config with one ai-only feature per probe target (`probe-0`, `probe-1`, …) and nothing else. */
export function probeConfig(
  config: ResolvedConfig,
  deadlineMs = PROBE_DEADLINE_MS,
): { config: ResolvedConfig; targets: ResolvedRouteEntry[] } {
  const targets = probeTargets(config);
  const features = Object.fromEntries(targets.map((entry, i) => [`probe-${i}`, probeFeature(entry, i, deadlineMs)]));
  const { gateway: _gateway, jobs: _jobs, ...rest } = config;
  return { config: { ...rest, aiEnabled: true, features }, targets };
}

function failureText(error: unknown): string {
  if (error instanceof AIUnavailableError) {
    const last = error.attempts.at(-1);
    if (last) return `${last.outcome}${last.status === undefined ? '' : ` (${last.status})`} in ${last.ms} ms`;
  }
  return error instanceof Error ? (error.message.split('\n')[0] ?? error.message) : String(error);
}

async function probeOne(ai: Failsoft, feature: string, entry: ResolvedRouteEntry): Promise<CheckResult> {
  const started = performance.now();
  try {
    await ai.generate(feature, { messages: [{ role: 'user', content: 'ping' }], maxOutputTokens: 1 });
    return {
      name: entry.key,
      group: 'ai',
      status: 'ok',
      detail: 'probe answered',
      ms: Math.round(performance.now() - started),
    };
  } catch (error) {
    return {
      name: entry.key,
      group: 'ai',
      status: 'warning',
      detail: `probe failed: ${failureText(error)}`,
      ms: Math.round(performance.now() - started),
    };
  }
}

/**
 * Probes every provider+model of `config` once, in parallel, and closes its engine.
 * @example const results = await probeProviders(config, process.env); // [{ name: 'claude/claude-sonnet-4-5', status: 'ok', … }]
 */
export async function probeProviders(
  config: ResolvedConfig,
  env: Record<string, string | undefined>,
  deadlineMs = PROBE_DEADLINE_MS,
): Promise<CheckResult[]> {
  const probe = probeConfig(config, deadlineMs);
  if (probe.targets.length === 0) return [];
  const ai = createFailsoft(probe.config, { env });
  try {
    return await Promise.all(probe.targets.map((entry, i) => probeOne(ai, `probe-${i}`, entry)));
  } finally {
    await ai.close();
  }
}

/**
 * The `ai` summary of probe results: all failing = "AI services degraded, using fallbacks", some = which.
 * @example probeSummary([{ name: 'claude/x', status: 'warning', … }]).detail // 'AI services degraded, using fallbacks: every provider failed its probe'
 */
export function probeSummary(results: readonly CheckResult[]): CheckResult {
  const failed = results.filter((r) => r.status !== 'ok');
  const ms = results.reduce((max, r) => Math.max(max, r.ms), 0);
  if (results.length === 0)
    return { name: 'ai', group: 'ai', status: 'ok', detail: 'no provider on any route: nothing to probe', ms };
  if (failed.length === 0)
    return {
      name: 'ai',
      group: 'ai',
      status: 'ok',
      detail: `AI ok: ${results.length} provider model(s) answered their probe`,
      ms,
    };
  if (failed.length === results.length)
    return {
      name: 'ai',
      group: 'ai',
      status: 'warning',
      detail: 'AI services degraded, using fallbacks: every provider failed its probe',
      ms,
    };
  return {
    name: 'ai',
    group: 'ai',
    status: 'warning',
    detail: `AI degraded: ${failed.length} of ${results.length} provider models failed their probe (${failed.map((r) => r.name).join(', ')})`,
    ms,
  };
}
