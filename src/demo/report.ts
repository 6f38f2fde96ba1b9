/**
 * The demo's report, built only from what the run measured: the client side of every request, the simulator's
 * counters, the alerts the webhook received and the incident record. `--json` prints it as is.
 */
import type { IncidentDetailJson } from '../store/timeline-json.js';
import type { ReceivedAlert } from './alert-sink.js';
import type { Expectation } from './expectations.js';
import type { JobsComparison } from './jobs-comparison.js';
import type { TrafficSample } from './traffic.js';

/** The report's JSON shape. */
export interface DemoReport {
  speed: number;
  /** Real time the whole demo took, start-up included (ms). */
  wallMs: number;
  /** Of which starting everything (ms): mostly creating the core's embedded database. */
  setupMs: number;
  core: { requests: number; ok: number; availability: number; p99Ms: number };
  enhanced: { requests: number; answered: number; byProvider: Record<string, number>; fallback: number; p99Ms: number };
  aiOnly: { requests: number; answered: number; refused: number; refusedWithRetryAfter: number };
  /** How busy the machine was: this process's event-loop delay during the day, and the load average at the end. */
  machine: { eventLoopDelayP99Ms: number; eventLoopDelayMaxMs: number; loadAverage1m: number };
  /** Responses with status 500 or none at all, any kind. */
  errors: { status500: number; noAnswer: number };
  /** 429s counted by the simulator: the naive run's on a copy of the account's budget, the planned run's on the account. */
  jobs: {
    naive429s: number;
    planned429s: number;
    deferred: number;
    completed: number;
    plannedDelaysMinutes: Record<string, number>;
    naiveAnswered: number;
    plannedAnswered: number;
    plannedFallback: number;
  };
  /** What the webhook received; `at` on the simulated day. */
  alerts: {
    firing: number;
    resolved: number;
    received: Array<{ at: string; status: string; severity: string; incidentId: string }>;
  };
  /** The run's incidents from the record; every time (`openedAt`, `resolvedAt`, each event's `at`) is on the simulated day. */
  incidents: Array<{
    id: string;
    severity: string;
    status: string;
    title: string;
    openedAt: string;
    resolvedAt: string | null;
    events: Array<{ at: string; type: string; component: string; message: string }>;
  }>;
  expectations: Expectation[];
}

/** Everything measured, before it is summed up. */
export interface DemoMeasurements {
  speed: number;
  wallMs: number;
  setupMs: number;
  machine: DemoReport['machine'];
  samples: readonly TrafficSample[];
  jobs: JobsComparison;
  alerts: readonly ReceivedAlert[];
  /** The incidents of the run, in simulated time (see `toSimulatedTime`). */
  incidents: readonly IncidentDetailJson[];
  /** Real epoch ms → simulated ISO time. */
  simIso: (realMs: number) => string;
}

/**
 * The nearest-rank percentile of `values` (0 for none).
 * @example percentile([1, 2, 3, 4], 0.99) // 4
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number;
}

const round1 = (n: number): number => Math.round(n * 10) / 10;

/** Sums the measurements up (expectations are added by `withExpectations`). */
export function buildReport(m: DemoMeasurements): Omit<DemoReport, 'expectations'> {
  const of = (kind: TrafficSample['kind']) => m.samples.filter((s) => s.kind === kind);
  const core = of('core');
  const coreOk = core.filter((s) => s.status >= 200 && s.status < 300);
  const enhanced = of('enhanced');
  const enhancedOk = enhanced.filter((s) => s.status === 200);
  const byProvider: Record<string, number> = {};
  for (const s of enhancedOk) {
    if (s.source === 'fallback') continue;
    const provider = s.provider ?? 'unknown';
    byProvider[provider] = (byProvider[provider] ?? 0) + 1;
  }
  const aiOnly = of('aiOnly');
  const refused = aiOnly.filter((s) => s.status === 503);
  const sum = (runs: JobsComparison['planned']['runs'], key: 'answered' | 'fallback'): number =>
    runs.reduce((n, run) => n + run.outcomes[key], 0);
  return {
    speed: m.speed,
    wallMs: Math.round(m.wallMs),
    setupMs: Math.round(m.setupMs),
    machine: m.machine,
    core: {
      requests: core.length,
      ok: coreOk.length,
      availability: core.length === 0 ? 0 : coreOk.length / core.length,
      p99Ms: round1(
        percentile(
          core.map((s) => s.ms),
          0.99,
        ),
      ),
    },
    enhanced: {
      requests: enhanced.length,
      answered: enhancedOk.length,
      byProvider,
      fallback: enhancedOk.filter((s) => s.source === 'fallback').length,
      p99Ms: round1(
        percentile(
          enhancedOk.map((s) => s.ms),
          0.99,
        ),
      ),
    },
    aiOnly: {
      requests: aiOnly.length,
      answered: aiOnly.filter((s) => s.status === 200).length,
      refused: refused.length,
      refusedWithRetryAfter: refused.filter((s) => s.retryAfter !== undefined && /^\d+$/.test(s.retryAfter)).length,
    },
    errors: {
      status500: m.samples.filter((s) => s.status === 500).length,
      noAnswer: m.samples.filter((s) => s.status === 0).length,
    },
    jobs: {
      naive429s: m.jobs.naive.rateLimited,
      planned429s: m.jobs.planned.rateLimited,
      deferred: m.jobs.planned.deferred,
      completed: m.jobs.planned.completed,
      plannedDelaysMinutes: Object.fromEntries(m.jobs.planned.runs.map((run) => [run.job, run.delayMinutes])),
      naiveAnswered: sum(m.jobs.naive.runs, 'answered'),
      plannedAnswered: sum(m.jobs.planned.runs, 'answered'),
      plannedFallback: sum(m.jobs.planned.runs, 'fallback'),
    },
    alerts: {
      firing: m.alerts.filter((a) => a.status === 'firing').length,
      resolved: m.alerts.filter((a) => a.status === 'resolved').length,
      received: m.alerts.map((a) => ({
        at: m.simIso(a.at),
        status: a.status,
        severity: a.severity,
        incidentId: a.incidentId,
      })),
    },
    incidents: m.incidents.map((i) => ({
      id: i.id,
      severity: i.severity,
      status: i.status,
      title: i.title,
      openedAt: i.openedAt,
      resolvedAt: i.resolvedAt,
      events: i.events.map((e) => ({ at: e.at, type: e.type, component: e.component, message: e.message })),
    })),
  };
}

/**
 * An incident read from the record, with its times moved onto the simulated day (durations scaled), so the
 * timeline renderer prints "12:00 … opened" as the story tells it.
 */
export function toSimulatedTime(
  incident: IncidentDetailJson,
  simIso: (realMs: number) => string,
  speed: number,
): IncidentDetailJson {
  const modeMs = Object.fromEntries(
    Object.entries(incident.counts.modeMs).map(([feature, modes]) => [
      feature,
      Object.fromEntries(Object.entries(modes).map(([mode, ms]) => [mode, ms * speed])),
    ]),
  );
  return {
    ...incident,
    openedAt: simIso(Date.parse(incident.openedAt)),
    resolvedAt: incident.resolvedAt === null ? null : simIso(Date.parse(incident.resolvedAt)),
    updatedAt: simIso(Date.parse(incident.updatedAt)),
    durationMs: incident.durationMs * speed,
    counts: { ...incident.counts, modeMs },
    events: incident.events.map((e) => ({ ...e, at: simIso(Date.parse(e.at)) })),
  };
}
