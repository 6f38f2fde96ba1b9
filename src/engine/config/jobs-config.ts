import type { ConfigIssue } from '../../model/errors.js';
import { parseDurationText } from './duration.js';
import { parseDays, type JobConfig, type PlanningConfig, type SchedulerConfig } from './jobs-schema.js';

/** A job's expected AI load per run, spread evenly over `minutes`. */
export interface ResolvedAiEstimate {
  provider: string;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  minutes: number;
}

/** A job as the planner and the runner use it: durations in ms, defaults applied. */
export interface ResolvedJob {
  name: string;
  /** Absent when only a crontab gives the schedule (`plan --from-crontab`). */
  schedule?: string;
  tz?: string;
  /** argv, or `[commandLine]` when `shell` is true. */
  command: string[];
  shell: boolean;
  tier: 'enhanced' | 'ai-only';
  priority: number;
  ai?: ResolvedAiEstimate;
  flexMs: number;
  timeoutMs?: number;
  killGraceMs: number;
  retries: { max: number; backoffMs: number; multiplier: number };
  overlap: 'skip' | 'queue' | 'allow';
  catchUp: 'none' | 'once';
}

/** A window jobs should stay out of: on `days` (0 = Sunday), from `fromMinute` to `toMinute` of the day (wrapping past midnight when smaller). */
export interface ResolvedAvoidWindow {
  days: number[];
  fromMinute: number;
  toMinute: number;
  tz?: string;
}

export interface ResolvedPlanning {
  reserve: number;
  avoid: ResolvedAvoidWindow[];
}

/** The job runner's settings. */
export interface ResolvedScheduler {
  /** Without a trailing slash. */
  gatewayUrl?: string;
  leaseMs: number;
}

export const DEFAULT_LEASE_MS = 30_000;

/**
 * Resolves the `scheduler:` section (already validated by its schema).
 * @example resolveScheduler({ gatewayUrl: 'http://127.0.0.1:8787/', lease: '1m' }) // { gatewayUrl: 'http://127.0.0.1:8787', leaseMs: 60000 }
 */
export function resolveScheduler(cfg: SchedulerConfig | undefined): ResolvedScheduler {
  const leaseMs = cfg?.lease === undefined ? DEFAULT_LEASE_MS : (parseDurationText(cfg.lease) ?? DEFAULT_LEASE_MS);
  return cfg?.gatewayUrl === undefined ? { leaseMs } : { gatewayUrl: cfg.gatewayUrl.replace(/\/+$/, ''), leaseMs };
}

export const DEFAULT_JOB_PRIORITY = 5;
export const DEFAULT_PLANNING_RESERVE = 0.2;
const DEFAULT_KILL_GRACE_MS = 10_000;
const DEFAULT_BACKOFF_MS = 30_000;
const DEFAULT_MULTIPLIER = 2;

function minuteOfDay(text: string): number {
  const [h, m] = text.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** Resolves one job; `unknownProvider` words the "did you mean" when `ai.provider` is not configured. */
function resolveJob(
  name: string,
  cfg: JobConfig,
  providers: readonly string[],
  unknownProvider: (name: string) => string,
  issues: ConfigIssue[],
): ResolvedJob {
  const path = `jobs.${name}`;
  const job: ResolvedJob = {
    name,
    command: typeof cfg.command === 'string' ? [cfg.command] : [...cfg.command],
    shell: cfg.shell ?? false,
    tier: cfg.tier ?? 'enhanced',
    priority: cfg.priority ?? DEFAULT_JOB_PRIORITY,
    flexMs: cfg.flex === undefined ? 0 : (parseDurationText(cfg.flex) ?? 0),
    killGraceMs:
      cfg.killGrace === undefined ? DEFAULT_KILL_GRACE_MS : (parseDurationText(cfg.killGrace) ?? DEFAULT_KILL_GRACE_MS),
    retries: {
      max: cfg.retries?.max ?? 0,
      backoffMs:
        cfg.retries?.backoff === undefined
          ? DEFAULT_BACKOFF_MS
          : (parseDurationText(cfg.retries.backoff) ?? DEFAULT_BACKOFF_MS),
      multiplier: cfg.retries?.multiplier ?? DEFAULT_MULTIPLIER,
    },
    overlap: cfg.overlap ?? 'skip',
    catchUp: cfg.catchUp ?? 'none',
  };
  if (cfg.schedule !== undefined) job.schedule = cfg.schedule.trim();
  if (cfg.tz !== undefined) job.tz = cfg.tz;
  if (cfg.timeout !== undefined) job.timeoutMs = parseDurationText(cfg.timeout);
  if (job.shell && typeof cfg.command !== 'string') {
    job.command = [cfg.command.join(' ')];
    if (cfg.command.length > 1)
      issues.push({
        path: `${path}.command`,
        message: 'with `shell: true` write the command line as one string (an argv list runs without a shell)',
      });
  }
  if (cfg.ai !== undefined) {
    if (!providers.includes(cfg.ai.provider))
      issues.push({ path: `${path}.ai.provider`, message: unknownProvider(cfg.ai.provider) });
    job.ai = {
      provider: cfg.ai.provider,
      requests: cfg.ai.requests,
      inputTokens: cfg.ai.inputTokens ?? 0,
      outputTokens: cfg.ai.outputTokens ?? 0,
      minutes: cfg.ai.minutes ?? 1,
    };
  }
  return job;
}

/**
 * Resolves the `jobs:` and `planning:` sections, pushing every problem (with its path) onto `issues`.
 * @example resolveJobs({ nightly: { schedule: '0 3 * * *', command: ['/bin/true'] } }, undefined, ['claude'], (n) => `unknown provider "${n}"`, [])
 */
export function resolveJobs(
  jobs: Record<string, JobConfig> | undefined,
  planning: PlanningConfig | undefined,
  providers: readonly string[],
  unknownProvider: (name: string) => string,
  issues: ConfigIssue[],
): { jobs: Record<string, ResolvedJob>; planning: ResolvedPlanning } {
  const resolved: Record<string, ResolvedJob> = {};
  for (const [name, cfg] of Object.entries(jobs ?? {}))
    resolved[name] = resolveJob(name, cfg, providers, unknownProvider, issues);
  const avoid = (planning?.avoid ?? []).map(
    (w): ResolvedAvoidWindow => ({
      days: parseDays(w.days ?? '*') ?? [0, 1, 2, 3, 4, 5, 6],
      fromMinute: minuteOfDay(w.from),
      toMinute: minuteOfDay(w.to),
      ...(w.tz === undefined ? {} : { tz: w.tz }),
    }),
  );
  return { jobs: resolved, planning: { reserve: planning?.reserve ?? DEFAULT_PLANNING_RESERVE, avoid } };
}
