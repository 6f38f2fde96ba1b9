/**
 * What the demo promises, checked against what the run measured. Each expectation says what it held to and
 * what was measured, so a failed one explains itself; the command exits 1 when any failed.
 */
import type { DemoReport } from './report.js';

/** One promise and how the run did. */
export interface Expectation {
  name: string;
  held: boolean;
  /** What was measured, in words and numbers. */
  measured: string;
}

type Figures = Omit<DemoReport, 'expectations'>;

/** An event of an incident, as the report carries it. */
type IncidentEvent = DemoReport['incidents'][number]['events'][number];

/** The outage's story, in the order it must appear on the incident's timeline. */
const OUTAGE_STORY: ReadonlyArray<{ what: string; test: (e: IncidentEvent) => boolean }> = [
  {
    what: 'the primary opened',
    test: (e) => e.type === 'provider-opened' && e.component.startsWith('provider:claude/'),
  },
  { what: 'a feature degraded', test: (e) => e.type === 'feature-mode-changed' },
  {
    what: 'the third provider cooled down on 429s',
    test: (e) => e.type === 'provider-cooldown-started' && e.component.startsWith('provider:gemini/'),
  },
  {
    what: 'the primary closed again',
    test: (e) => e.type === 'provider-closed' && e.component.startsWith('provider:claude/'),
  },
];

/**
 * How many steps of the outage's story appear in `events`, in order (a subsequence: other events may come between).
 * @example storySteps(incident.events) // 4 when the whole story is there
 */
export function storySteps(events: readonly IncidentEvent[]): number {
  let step = 0;
  for (const event of events) {
    const next = OUTAGE_STORY[step];
    if (next?.test(event)) step += 1;
  }
  return step;
}

const pct = (share: number): string => `${(share * 100).toFixed(share === 1 ? 0 : 2)} %`;

/**
 * Checks every promise against the figures.
 * @example computeExpectations(figures).every((e) => e.held)
 */
export function computeExpectations(r: Figures): Expectation[] {
  const firingPer = new Map<string, number>();
  const resolvedPer = new Map<string, number>();
  for (const alert of r.alerts.received) {
    const map = alert.status === 'firing' ? firingPer : resolvedPer;
    map.set(alert.incidentId, (map.get(alert.incidentId) ?? 0) + 1);
  }
  const alertsPerIncident = r.incidents.map(
    (i) => `${i.id}: ${firingPer.get(i.id) ?? 0} firing, ${resolvedPer.get(i.id) ?? 0} resolved`,
  );
  const alerted = r.incidents.filter((i) => firingPer.has(i.id)).length;
  const unknownAlerts = [...firingPer.keys(), ...resolvedPer.keys()].filter(
    (id) => !r.incidents.some((i) => i.id === id),
  );
  const best = r.incidents
    .map((i) => ({ incident: i, steps: storySteps(i.events) }))
    .sort((a, b) => b.steps - a.steps)[0];
  const story = best?.incident;
  return [
    {
      name: 'core availability 100 %',
      held: r.core.requests > 0 && r.core.ok === r.core.requests,
      measured: `${r.core.ok} of ${r.core.requests} core requests answered (${pct(r.core.availability)}), p99 ${r.core.p99Ms} ms`,
    },
    {
      name: 'no 500s, no request left unanswered',
      held: r.errors.status500 === 0 && r.errors.noAnswer === 0,
      measured: `${r.errors.status500} responses with status 500, ${r.errors.noAnswer} requests without an answer`,
    },
    {
      name: 'every enhanced request answered',
      held: r.enhanced.requests > 0 && r.enhanced.answered === r.enhanced.requests,
      measured: `${r.enhanced.answered} of ${r.enhanced.requests} answered (${r.enhanced.fallback} by the fallback), p99 ${r.enhanced.p99Ms} ms`,
    },
    {
      name: 'ai-only refusals carry Retry-After',
      held: r.aiOnly.refused > 0 && r.aiOnly.refusedWithRetryAfter === r.aiOnly.refused,
      measured: `${r.aiOnly.refusedWithRetryAfter} of ${r.aiOnly.refused} refusals (503) carried Retry-After`,
    },
    {
      name: 'planned jobs hit fewer 429s than naive ones',
      held: r.jobs.planned429s < r.jobs.naive429s,
      measured: `${r.jobs.naive429s} 429s naive, ${r.jobs.planned429s} planned (${r.jobs.deferred} jobs deferred, ${r.jobs.completed} of 3 completed)`,
    },
    {
      // An incident over before the alert's group wait (a second) is sent nothing: that is the calm, not a miss.
      name: 'one firing and one resolved alert per alerted incident',
      held:
        alerted > 0 &&
        unknownAlerts.length === 0 &&
        r.incidents.every((i) => {
          const pair = [firingPer.get(i.id) ?? 0, resolvedPer.get(i.id) ?? 0];
          return (pair[0] === 1 && pair[1] === 1) || (pair[0] === 0 && pair[1] === 0);
        }),
      measured:
        r.incidents.length === 0
          ? 'no incident recorded'
          : `${alertsPerIncident.join('; ')}${unknownAlerts.length > 0 ? `; alerts for unknown incidents ${unknownAlerts.join(', ')}` : ''}`,
    },
    {
      name: "an incident recorded with the outage's events in order",
      held: story !== undefined && best?.steps === OUTAGE_STORY.length && story.status === 'resolved',
      measured:
        story === undefined
          ? 'no incident recorded'
          : `${story.id} (${story.status}): ${best?.steps ?? 0} of ${OUTAGE_STORY.length} steps in order (${OUTAGE_STORY.map((s) => s.what).join(' → ')}), ${story.events.length} events`,
    },
  ];
}

/** The report with its expectations. */
export function withExpectations(figures: Figures): DemoReport {
  return { ...figures, expectations: computeExpectations(figures) };
}

/** Exit code: 0 when every expectation held, 1 otherwise. */
export function exitCodeOf(report: Pick<DemoReport, 'expectations'>): number {
  return report.expectations.length > 0 && report.expectations.every((e) => e.held) ? 0 : 1;
}
