import type { ResolvedCoreCheck } from '../../engine/config/checks-config.js';
import type { CheckResult } from '../check-result.js';
import { commandProbe } from './command-check.js';
import { httpProbe } from './http-check.js';
import { postgresProbe } from './postgres-check.js';
import { redisProbe } from './redis-check.js';
import { tcpProbe } from './tcp-check.js';

/** Where a check's target comes from when it is read from the environment. */
type Env = Record<string, string | undefined>;

function targetOf(check: ResolvedCoreCheck, env: Env): { url: string } | { problem: string } | undefined {
  const target = check.target;
  if (target.kind !== 'postgres' && target.kind !== 'redis' && target.kind !== 'http') return undefined;
  if (target.value !== undefined) return { url: target.value };
  const value = target.env === undefined ? undefined : env[target.env]?.trim();
  if (!value)
    return { problem: `environment variable ${target.env ?? '?'} is not set (${check.path}.${target.kind}Env)` };
  return { url: value };
}

function probe(check: ResolvedCoreCheck, env: Env, signal: AbortSignal): Promise<string | undefined> {
  const target = check.target;
  if (target.kind === 'tcp') return tcpProbe(target.host, target.port, signal);
  if (target.kind === 'command') return commandProbe(target.argv, signal);
  const resolved = targetOf(check, env);
  if (resolved === undefined) return Promise.resolve('unsupported check');
  if ('problem' in resolved) return Promise.resolve(resolved.problem);
  if (target.kind === 'postgres') return postgresProbe(resolved.url, check.timeoutMs);
  if (target.kind === 'redis') return redisProbe(resolved.url, check.timeoutMs);
  if (target.kind !== 'http') return Promise.resolve('unsupported check');
  return httpProbe(
    resolved.url,
    { ...(target.status ? { status: target.status } : {}), ...(target.contains ? { contains: target.contains } : {}) },
    signal,
  );
}

/**
 * Runs one core check within its timeout: ok, or critical with the reason in one line; never throws.
 * @example await runCoreCheck({ name: 'api', path: 'checks.core[0]', timeoutMs: 5000, target: { kind: 'tcp', host: '127.0.0.1', port: 8000 } }, process.env)
 */
export async function runCoreCheck(check: ResolvedCoreCheck, env: Env): Promise<CheckResult> {
  const started = performance.now();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<string>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve(`timed out after ${check.timeoutMs} ms`);
    }, check.timeoutMs);
  });
  let problem: string | undefined;
  try {
    problem = await Promise.race([probe(check, env, controller.signal), timedOut]);
  } catch (error) {
    problem = `check failed: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    clearTimeout(timer);
  }
  const ms = Math.round(performance.now() - started);
  return {
    name: check.name,
    group: 'core',
    status: problem === undefined ? 'ok' : 'critical',
    detail: problem ?? 'ok',
    ms,
  };
}

/**
 * Runs every core check at once; results in config order.
 * @example const results = await runCoreChecks(config.checks?.core ?? [], process.env);
 */
export function runCoreChecks(checks: readonly ResolvedCoreCheck[], env: Env): Promise<CheckResult[]> {
  return Promise.all(checks.map((check) => runCoreCheck(check, env)));
}
