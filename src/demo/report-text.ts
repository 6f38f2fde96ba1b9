/**
 * The demo's report for people: what happened to each kind of traffic, the jobs, the alerts, the expectations
 * and the incident's timeline as `failsoft incident <id> --markdown` prints it (the same renderer).
 */
import { formatDuration } from '../engine/config/duration.js';
import { renderPostmortem } from '../store/timeline-render.js';
import type { IncidentDetailJson } from '../store/timeline-json.js';
import type { DemoReport } from './report.js';

const pct = (share: number): string => `${(share * 100).toFixed(share === 1 ? 0 : 2)} %`;

/**
 * The report as text lines.
 * @example for (const line of reportText(run.report, run.incidents)) io.out(line);
 */
export function reportText(r: DemoReport, incidents: readonly IncidentDetailJson[]): string[] {
  const providers =
    Object.entries(r.enhanced.byProvider)
      .sort((a, b) => b[1] - a[1])
      .map(([name, n]) => `${name} ${n}`)
      .join(', ') || 'none';
  const delays = Object.entries(r.jobs.plannedDelaysMinutes)
    .map(([job, minutes]) => `${job} +${minutes} min`)
    .join(', ');
  const held = r.expectations.filter((e) => e.held).length;
  return [
    `failsoft demo: a day in ${(r.wallMs / 1000).toFixed(1)} s (start-up ${(r.setupMs / 1000).toFixed(1)} s, then ${r.speed}×): every figure below was measured in this run`,
    '',
    `Core API (never calls AI):  ${r.core.ok} of ${r.core.requests} requests answered (${pct(r.core.availability)}), p99 ${r.core.p99Ms} ms`,
    `summary (enhanced):         ${r.enhanced.answered} of ${r.enhanced.requests} answered: by provider ${providers}; by its fallback ${r.enhanced.fallback}; p99 ${r.enhanced.p99Ms} ms`,
    `chat (ai-only):             ${r.aiOnly.answered} of ${r.aiOnly.requests} answered; ${r.aiOnly.refused} refused with 503 while nothing could serve (${r.aiOnly.refusedWithRetryAfter} with Retry-After)`,
    `Errors:                     ${r.errors.status500} × 500, ${r.errors.noAnswer} without an answer`,
    `Jobs at 09:00:              naive (all three at once) ${r.jobs.naive429s} × 429; planned (${delays}) ${r.jobs.planned429s} × 429, ` +
      `${r.jobs.deferred} deferred, ${r.jobs.completed} of 3 completed (${r.jobs.plannedAnswered} calls answered, ${r.jobs.plannedFallback} by fallback)`,
    `Alerts delivered (webhook): ${r.alerts.firing} firing, ${r.alerts.resolved} resolved${r.alerts.received.length > 0 ? ` (${r.alerts.received.map((a) => `${a.at.slice(11, 16)} ${a.status}`).join(', ')})` : ''}`,
    '',
    `Expectations: ${held} of ${r.expectations.length} held`,
    ...r.expectations.map((e) => `  ${e.held ? 'ok  ' : 'FAIL'} ${e.name}: ${e.measured}`),
    '',
    ...(incidents.length === 0
      ? ['No incident was recorded.']
      : incidents.flatMap((incident) => [
          `The record (failsoft incident ${incident.id} --markdown), times moved onto the simulated day; durations inside ` +
            `messages and alerts are real ones (1 s real is ${formatDuration(r.speed * 1000)} of the day):`,
          '',
          renderPostmortem(incident),
        ])),
  ];
}
