import { describe, expect, it } from 'vitest';
import type { IncidentDetailJson } from '../store/timeline-json.js';
import type { JobsComparison } from './jobs-comparison.js';
import { buildReport, percentile, toSimulatedTime, type DemoMeasurements } from './report.js';
import type { TrafficSample } from './traffic.js';

const outcomes = (answered: number, fallback = 0, rateLimited = 0) => ({
  answered,
  fallback,
  'rate-limited': rateLimited,
  failed: 0,
});

const JOBS: JobsComparison = {
  naive: {
    runs: [
      { job: 'a', delayMinutes: 0, outcomes: outcomes(10, 0, 10) },
      { job: 'b', delayMinutes: 0, outcomes: outcomes(20) },
    ],
    rateLimited: 10,
  },
  planned: {
    runs: [
      { job: 'a', delayMinutes: 0, outcomes: outcomes(20) },
      { job: 'b', delayMinutes: 1, outcomes: outcomes(19, 1) },
    ],
    rateLimited: 0,
    deferred: 1,
    completed: 1,
  },
};

function sample(
  kind: TrafficSample['kind'],
  status: number,
  ms: number,
  extra: Partial<TrafficSample> = {},
): TrafficSample {
  return { kind, at: 0, ms, status, ...extra };
}

function measurements(samples: TrafficSample[]): DemoMeasurements {
  return {
    speed: 3600,
    wallMs: 25_000.4,
    setupMs: 4_000,
    machine: { eventLoopDelayP99Ms: 12, eventLoopDelayMaxMs: 40, loadAverage1m: 1.5 },
    samples,
    jobs: JOBS,
    incidents: [],
    alerts: [{ at: 5_000, status: 'firing', severity: 'warning', incidentId: 'inc_1', summary: 'AI degraded' }],
    simIso: (realMs) => new Date(Date.UTC(2026, 11, 6, 8) + realMs * 3600).toISOString(),
  };
}

describe('percentile', () => {
  it('is the nearest rank', () => {
    expect(percentile([], 0.99)).toBe(0);
    expect(percentile([5, 1, 3], 0.5)).toBe(3);
    expect(
      percentile(
        Array.from({ length: 100 }, (_, i) => i + 1),
        0.99,
      ),
    ).toBe(99);
  });
});

describe('buildReport', () => {
  it('sums up what the clients saw: availability, providers, fallbacks, refusals with Retry-After, p99s', () => {
    const report = buildReport(
      measurements([
        sample('core', 201, 3),
        sample('core', 200, 5),
        sample('core', 200, 9),
        sample('enhanced', 200, 10, { provider: 'claude', source: 'provider' }),
        sample('enhanced', 200, 30, { provider: 'gpt', source: 'provider' }),
        sample('enhanced', 200, 700, { provider: 'none', source: 'fallback' }),
        sample('aiOnly', 200, 8, { provider: 'claude', source: 'provider' }),
        sample('aiOnly', 503, 2, { retryAfter: '12' }),
        sample('aiOnly', 503, 2),
        sample('aiOnly', 500, 1),
        sample('core', 0, 15_000, { error: 'timeout' }),
      ]),
    );
    expect(report.core).toEqual({ requests: 4, ok: 3, availability: 0.75, p99Ms: 15_000 });
    expect(report.enhanced).toEqual({
      requests: 3,
      answered: 3,
      byProvider: { claude: 1, gpt: 1 },
      fallback: 1,
      p99Ms: 700,
    });
    expect(report.aiOnly).toEqual({ requests: 4, answered: 1, refused: 2, refusedWithRetryAfter: 1 });
    expect(report.errors).toEqual({ status500: 1, noAnswer: 1 });
    expect(report.jobs).toMatchObject({
      naive429s: 10,
      planned429s: 0,
      deferred: 1,
      completed: 1,
      plannedDelaysMinutes: { a: 0, b: 1 },
      naiveAnswered: 30,
      plannedAnswered: 39,
      plannedFallback: 1,
    });
    expect(report.alerts).toEqual({
      firing: 1,
      resolved: 0,
      received: [{ at: '2026-12-06T13:00:00.000Z', status: 'firing', severity: 'warning', incidentId: 'inc_1' }],
    });
    expect(report.wallMs).toBe(25_000);
  });

  it('an empty run reports zeros, not NaN', () => {
    const report = buildReport(measurements([]));
    expect(report.core).toEqual({ requests: 0, ok: 0, availability: 0, p99Ms: 0 });
    expect(report.enhanced.p99Ms).toBe(0);
  });
});

describe('toSimulatedTime', () => {
  it('moves an incident onto the simulated day and scales its durations', () => {
    const real = Date.UTC(2026, 11, 6, 23, 30);
    const incident: IncidentDetailJson = {
      id: 'inc_1',
      status: 'resolved',
      severity: 'warning',
      title: 't',
      openedAt: new Date(real).toISOString(),
      resolvedAt: new Date(real + 11_000).toISOString(),
      durationMs: 11_000,
      components: [],
      instance: 'demo',
      updatedAt: new Date(real + 11_000).toISOString(),
      counts: { servedBy: {}, fallback: 0, refused: 0, errorsByClass: {}, modeMs: { summary: { fallback: 2_000 } } },
      events: [
        {
          at: new Date(real + 1_000).toISOString(),
          type: 'provider-opened',
          severity: 'warning',
          component: 'provider:claude/x',
          message: 'opened',
        },
      ],
    };
    // Real `real` is simulated 12:00, at an hour a second.
    const simIso = (ms: number) => new Date(Date.UTC(2026, 11, 6, 12) + (ms - real) * 3600).toISOString();
    const sim = toSimulatedTime(incident, simIso, 3600);
    expect(sim.openedAt).toBe('2026-12-06T12:00:00.000Z');
    expect(sim.resolvedAt).toBe('2026-12-06T23:00:00.000Z');
    expect(sim.events[0]?.at).toBe('2026-12-06T13:00:00.000Z');
    expect(sim.durationMs).toBe(11 * 3_600_000);
    expect(sim.counts.modeMs).toEqual({ summary: { fallback: 2 * 3_600_000 } });
  });
});
