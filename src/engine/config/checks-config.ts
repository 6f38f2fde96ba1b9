import type { ConfigIssue } from '../../model/errors.js';
import { parseDurationText } from './duration.js';
import { CORE_CHECK_KINDS, type ChecksConfig, type CoreCheckConfig, type CoreCheckKind } from './checks-schema.js';

/** What one core check checks: the target is either written (`value`) or read from an environment variable (`env`). */
export type CoreCheckTarget =
  | { kind: 'postgres' | 'redis'; value?: string; env?: string }
  | { kind: 'http'; value?: string; env?: string; status?: number[]; contains?: string }
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'command'; argv: string[] };

/** A core check with defaults applied. `path` is its place in the config (`checks.core[0]`), for messages. */
export interface ResolvedCoreCheck {
  name: string;
  path: string;
  timeoutMs: number;
  target: CoreCheckTarget;
}

/** The `checks:` section resolved. */
export interface ResolvedChecks {
  intervalMs: number;
  core: ResolvedCoreCheck[];
  ai: { probes: boolean; probeIntervalMs: number; errorRate: number };
}

export const DEFAULT_CHECK_INTERVAL_MS = 15_000;
export const DEFAULT_CHECK_TIMEOUT_MS = 5_000;
export const DEFAULT_PROBE_INTERVAL_MS = 60_000;
export const DEFAULT_AI_ERROR_RATE = 0.5;

/** The defaults: no core checks, passive AI. */
export const DEFAULT_CHECKS: ResolvedChecks = {
  intervalMs: DEFAULT_CHECK_INTERVAL_MS,
  core: [],
  ai: { probes: false, probeIntervalMs: DEFAULT_PROBE_INTERVAL_MS, errorRate: DEFAULT_AI_ERROR_RATE },
};

function kindsOf(cfg: CoreCheckConfig): CoreCheckKind[] {
  return CORE_CHECK_KINDS.filter(
    (kind) => cfg[kind] !== undefined || (kind !== 'tcp' && kind !== 'command' && cfg[`${kind}Env`] !== undefined),
  );
}

function resolveTarget(
  cfg: CoreCheckConfig,
  kind: CoreCheckKind,
  path: string,
  issues: ConfigIssue[],
): CoreCheckTarget | undefined {
  if (kind === 'tcp') {
    const text = cfg.tcp ?? '';
    const colon = text.lastIndexOf(':');
    const port = Number(text.slice(colon + 1));
    if (port < 1 || port > 65_535)
      issues.push({ path: `${path}.tcp`, message: `port ${port} is out of range (1 to 65535)` });
    return { kind, host: text.slice(0, colon).replace(/^\[|\]$/g, ''), port };
  }
  if (kind === 'command') return { kind, argv: [...(cfg.command ?? [])] };
  const value = cfg[kind];
  const env = cfg[`${kind}Env`];
  if (value !== undefined && env !== undefined) {
    issues.push({ path: `${path}.${kind}Env`, message: `give either ${kind} or ${kind}Env, not both` });
    return undefined;
  }
  const source = { ...(value === undefined ? {} : { value }), ...(env === undefined ? {} : { env }) };
  if (value !== undefined && !urlProblemFree(kind, value))
    issues.push({ path: `${path}.${kind}`, message: `must be a ${kind === 'http' ? 'http(s)' : kind} URL` });
  if (kind !== 'http') return { kind, ...source };
  const status = cfg.status === undefined ? undefined : Array.isArray(cfg.status) ? cfg.status : [cfg.status];
  return {
    kind,
    ...source,
    ...(status === undefined ? {} : { status }),
    ...(cfg.contains === undefined ? {} : { contains: cfg.contains }),
  };
}

const URL_PROTOCOLS: Record<'postgres' | 'redis' | 'http', readonly string[]> = {
  postgres: ['postgres:', 'postgresql:'],
  redis: ['redis:', 'rediss:'],
  http: ['http:', 'https:'],
};

function urlProblemFree(kind: 'postgres' | 'redis' | 'http', text: string): boolean {
  try {
    return URL_PROTOCOLS[kind].includes(new URL(text).protocol);
  } catch {
    return false;
  }
}

/**
 * Resolves `checks:`, pushing every problem (with its path) onto `issues`.
 * @example resolveChecks({ core: [{ name: 'db', postgresEnv: 'DATABASE_URL' }] }, []).core[0]?.target // { kind: 'postgres', env: 'DATABASE_URL' }
 */
export function resolveChecks(cfg: ChecksConfig | undefined, issues: ConfigIssue[]): ResolvedChecks {
  const core: ResolvedCoreCheck[] = [];
  const names = new Set<string>();
  (cfg?.core ?? []).forEach((check, index) => {
    const path = `checks.core[${index}]`;
    if (names.has(check.name))
      issues.push({
        path: `${path}.name`,
        message: `"${check.name}" is used by an earlier check: names must be unique`,
      });
    names.add(check.name);
    const kinds = kindsOf(check);
    if (kinds.length !== 1) {
      issues.push({
        path,
        message:
          kinds.length === 0
            ? `says nothing to check: give one of ${CORE_CHECK_KINDS.join(', ')} (or postgresEnv, redisEnv, httpEnv)`
            : `checks ${kinds.join(' and ')}: give one kind per check`,
      });
      return;
    }
    const kind = kinds[0] as CoreCheckKind;
    if (kind !== 'http' && (check.status !== undefined || check.contains !== undefined))
      issues.push({ path, message: 'status and contains apply to http checks only' });
    const target = resolveTarget(check, kind, path, issues);
    if (!target) return;
    const timeoutMs =
      check.timeout === undefined
        ? DEFAULT_CHECK_TIMEOUT_MS
        : (parseDurationText(check.timeout) ?? DEFAULT_CHECK_TIMEOUT_MS);
    core.push({ name: check.name, path, timeoutMs, target });
  });
  const interval =
    cfg?.interval === undefined
      ? DEFAULT_CHECK_INTERVAL_MS
      : (parseDurationText(cfg.interval) ?? DEFAULT_CHECK_INTERVAL_MS);
  if (interval < 100) issues.push({ path: 'checks.interval', message: 'must be at least 100ms' });
  const probeInterval =
    cfg?.ai?.probeInterval === undefined
      ? DEFAULT_PROBE_INTERVAL_MS
      : (parseDurationText(cfg.ai.probeInterval) ?? DEFAULT_PROBE_INTERVAL_MS);
  return {
    intervalMs: interval,
    core,
    ai: {
      probes: cfg?.ai?.probes ?? false,
      probeIntervalMs: probeInterval,
      errorRate: cfg?.ai?.errorRate ?? DEFAULT_AI_ERROR_RATE,
    },
  };
}
