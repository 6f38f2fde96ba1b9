import { describe, expect, it } from 'vitest';
import { computeExpectations, exitCodeOf, storySteps, withExpectations } from './expectations.js';
import type { DemoReport } from './report.js';

type Figures = Omit<DemoReport, 'expectations'>;
const ev = (at: string, type: string, component: string) => ({
  at: `2026-12-06T${at}:00.000Z`,
  type,
  component,
  message: `${type} ${component}`,
});

const STORY = [
  ev('12:25', 'provider-opened', 'provider:claude/claude-sonnet-4-5'),
  ev('12:26', 'feature-mode-changed', 'feature:summary'),
  ev('15:02', 'provider-cooldown-started', 'provider:gemini/gemini-2.5-flash'),
  ev('23:10', 'provider-closed', 'provider:claude/claude-sonnet-4-5'),
];

function figures(): Figures {
  return {
    speed: 3600,
    wallMs: 25_000,
    setupMs: 4_000,
    machine: { eventLoopDelayP99Ms: 10, eventLoopDelayMaxMs: 30, loadAverage1m: 1 },
    core: { requests: 160, ok: 160, availability: 1, p99Ms: 4 },
    enhanced: { requests: 160, answered: 160, byProvider: { claude: 70, gpt: 60 }, fallback: 30, p99Ms: 900 },
    aiOnly: { requests: 160, answered: 120, refused: 40, refusedWithRetryAfter: 40 },
    errors: { status500: 0, noAnswer: 0 },
    jobs: {
      naive429s: 28,
      planned429s: 0,
      deferred: 2,
      completed: 3,
      plannedDelaysMinutes: { a: 0, b: 1, c: 2 },
      naiveAnswered: 32,
      plannedAnswered: 60,
      plannedFallback: 0,
    },
    alerts: {
      firing: 1,
      resolved: 1,
      received: [
        { at: '2026-12-06T13:00:00.000Z', status: 'firing', severity: 'warning', incidentId: 'inc_1' },
        { at: '2026-12-06T23:30:00.000Z', status: 'resolved', severity: 'warning', incidentId: 'inc_1' },
      ],
    },
    incidents: [
      {
        id: 'inc_1',
        severity: 'warning',
        status: 'resolved',
        title: 'claude overloaded',
        openedAt: '2026-12-06T12:25:00.000Z',
        resolvedAt: '2026-12-06T23:30:00.000Z',
        events: STORY,
      },
    ],
  };
}

describe('the demo expectations', () => {
  it('all hold for a run that kept every promise: exit 0', () => {
    const report = withExpectations(figures());
    expect(report.expectations.map((e) => [e.name, e.held])).toEqual([
      ['core availability 100 %', true],
      ['no 500s, no request left unanswered', true],
      ['every enhanced request answered', true],
      ['ai-only refusals carry Retry-After', true],
      ['planned jobs hit fewer 429s than naive ones', true],
      ['one firing and one resolved alert per alerted incident', true],
      ["an incident recorded with the outage's events in order", true],
    ]);
    expect(report.expectations[4]?.measured).toBe('28 429s naive, 0 planned (2 jobs deferred, 3 of 3 completed)');
    expect(exitCodeOf(report)).toBe(0);
  });

  it.each<[string, (f: Figures) => void, string]>([
    [
      'core availability 100 %',
      (f) => {
        f.core.ok = 159;
        f.core.availability = 159 / 160;
      },
      '159 of 160 core requests answered (99.38 %), p99 4 ms',
    ],
    [
      'no 500s, no request left unanswered',
      (f) => {
        f.errors.status500 = 2;
      },
      '2 responses with status 500, 0 requests without an answer',
    ],
    [
      'every enhanced request answered',
      (f) => {
        f.enhanced.answered = 150;
      },
      '150 of 160 answered (30 by the fallback), p99 900 ms',
    ],
    [
      'ai-only refusals carry Retry-After',
      (f) => {
        f.aiOnly.refusedWithRetryAfter = 39;
      },
      '39 of 40 refusals (503) carried Retry-After',
    ],
    [
      'ai-only refusals carry Retry-After',
      (f) => {
        f.aiOnly.refused = 0;
        f.aiOnly.refusedWithRetryAfter = 0;
      },
      '0 of 0 refusals (503) carried Retry-After',
    ],
    [
      'planned jobs hit fewer 429s than naive ones',
      (f) => {
        f.jobs.planned429s = 28;
      },
      '28 429s naive, 28 planned (2 jobs deferred, 3 of 3 completed)',
    ],
    [
      'one firing and one resolved alert per alerted incident',
      (f) => {
        f.alerts.received.push({
          at: '2026-12-06T14:00:00.000Z',
          status: 'firing',
          severity: 'warning',
          incidentId: 'inc_1',
        });
      },
      'inc_1: 2 firing, 1 resolved',
    ],
    [
      'one firing and one resolved alert per alerted incident',
      (f) => {
        f.alerts.received.pop();
      },
      'inc_1: 1 firing, 0 resolved',
    ],
    [
      "an incident recorded with the outage's events in order",
      (f) => {
        (f.incidents[0] as Figures['incidents'][number]).events = [STORY[3], STORY[0], STORY[1], STORY[2]].filter(
          (e) => e !== undefined,
        );
      },
      '3 of 4 steps in order',
    ],
    [
      "an incident recorded with the outage's events in order",
      (f) => {
        (f.incidents[0] as Figures['incidents'][number]).status = 'open';
      },
      'inc_1 (open): 4 of 4 steps',
    ],
  ])('%s fails when the figures say so, and the run exits 1', (name, spoil, measured) => {
    const f = figures();
    spoil(f);
    const report = withExpectations(f);
    const failed = report.expectations.filter((e) => !e.held);
    expect(failed.map((e) => e.name)).toEqual([name]);
    expect(failed[0]?.measured).toContain(measured);
    expect(exitCodeOf(report)).toBe(1);
  });

  it('an incident too short to be alerted (no firing, no resolved) is calm, not a miss', () => {
    const f = figures();
    f.incidents.unshift({
      id: 'inc_0',
      severity: 'warning',
      status: 'resolved',
      title: 'blip',
      openedAt: '2026-12-06T09:02:00.000Z',
      resolvedAt: '2026-12-06T09:02:30.000Z',
      events: [],
    });
    const alerts = computeExpectations(f).find((e) => e.name.startsWith('one firing'));
    expect(alerts).toMatchObject({ held: true, measured: 'inc_0: 0 firing, 0 resolved; inc_1: 1 firing, 1 resolved' });
  });

  it('a run with no incident at all fails the record and alert expectations', () => {
    const f = figures();
    f.incidents = [];
    f.alerts.received = [];
    const failed = computeExpectations(f)
      .filter((e) => !e.held)
      .map((e) => [e.name, e.measured]);
    expect(failed).toEqual([
      ['one firing and one resolved alert per alerted incident', 'no incident recorded'],
      ["an incident recorded with the outage's events in order", 'no incident recorded'],
    ]);
  });

  it('storySteps counts the outage story as an ordered subsequence', () => {
    expect(storySteps(STORY)).toBe(4);
    expect(
      storySteps(
        [STORY[0], ev('13:00', 'provider-half-opened', 'provider:claude/x'), STORY[1], STORY[2], STORY[3]].filter(
          (e) => e !== undefined,
        ),
      ),
    ).toBe(4);
    expect(storySteps([STORY[1], STORY[0]].filter((e) => e !== undefined))).toBe(1);
    expect(exitCodeOf({ expectations: [] })).toBe(1);
  });
});
