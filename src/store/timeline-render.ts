/**
 * An incident as people read it: the timeline in the seed's style ("12:00 claude/… opened: …",
 * "12:10 feature summary: normal → fallback", "23:00 resolved after 11 h"), one line per meaningful change,
 * repeats merged ("× 12") so a flapping provider reads calmly, then the counts; and a markdown postmortem
 * draft to paste into a ticket. Both render the JSON shape, so the CLI shows the same whether it read the
 * store or a running server's admin API. Times are UTC.
 */
import { formatDuration } from '../engine/config/duration.js';
import type { IncidentCounts } from './records.js';
import type { IncidentDetailJson, IncidentSummaryJson, TimelineEventJson } from './timeline-json.js';

/** Events that repeat what another line of the same change says (`feature-mode-changed` says it all). */
const REDUNDANT = new Set(['feature-degraded', 'feature-recovered']);
/** A line repeating one of the last few lines is merged into it rather than printed again. */
const MERGE_WINDOW = 4;

/** One line of a timeline: when, what, and how many times it happened in a row. */
export interface TimelineLine {
  at: number;
  /** Last time a merged repeat happened. */
  lastAt: number;
  message: string;
  type: string;
  component: string;
  times: number;
}

/** A message with its numbers blanked: "opened … (529 × 5)" and "(529 × 7)" are the same change repeated. */
function mergeKey(event: TimelineEventJson): string {
  return `${event.type}\u0000${event.component}\u0000${event.message.replace(/\d+(\.\d+)?/g, '#')}`;
}

/**
 * The meaningful lines of an incident's events, in time order, repeats merged.
 * @example timelineLines(detail.events).map((l) => l.message)
 */
export function timelineLines(events: readonly TimelineEventJson[]): TimelineLine[] {
  const lines: Array<TimelineLine & { key: string }> = [];
  for (const event of events) {
    if (REDUNDANT.has(event.type)) continue;
    const key = mergeKey(event);
    const at = Date.parse(event.at);
    const recent = lines.slice(-MERGE_WINDOW).find((line) => line.key === key);
    if (recent) {
      recent.times++;
      recent.lastAt = at;
      continue;
    }
    lines.push({ at, lastAt: at, message: event.message, type: event.type, component: event.component, times: 1, key });
  }
  return lines.map(({ key: _key, ...line }) => line);
}

/** `12:00` (or `12:00:05` for an incident shorter than an hour, whose lines would otherwise share minutes). */
function clockTime(ms: number, seconds: boolean): string {
  const iso = new Date(ms).toISOString();
  return seconds ? iso.slice(11, 19) : iso.slice(11, 16);
}

function lineText(line: TimelineLine, seconds: boolean): string {
  if (line.times === 1) return line.message;
  return `${line.message} × ${line.times} (last ${clockTime(line.lastAt, seconds)})`;
}

function endLine(incident: IncidentSummaryJson): string {
  return incident.status === 'resolved'
    ? `resolved after ${formatDuration(incident.durationMs)}`
    : `still open (${formatDuration(incident.durationMs)} so far)`;
}

function endAt(incident: IncidentSummaryJson): number {
  return incident.resolvedAt === null
    ? Date.parse(incident.openedAt) + incident.durationMs
    : Date.parse(incident.resolvedAt);
}

function listed(table: Record<string, number>): string {
  return Object.entries(table)
    .sort((a, b) => b[1] - a[1])
    .map(([name, n]) => `${name} ${n}`)
    .join(', ');
}

/** The counts as a few lines of text. */
export function countLines(counts: IncidentCounts): string[] {
  const served = listed(counts.servedBy);
  const modes = Object.entries(counts.modeMs).map(
    ([feature, modes]) =>
      `${feature}: ${Object.entries(modes)
        .map(([mode, ms]) => `${mode} ${formatDuration(ms)}`)
        .join(', ')}`,
  );
  return [
    `Requests served by providers: ${served || 'none'}`,
    `Requests answered with a fallback: ${counts.fallback}; ai-only requests refused: ${counts.refused}`,
    `Failed attempts by class: ${listed(counts.errorsByClass) || 'none'}`,
    `Time in degraded modes: ${modes.join('; ') || 'none'}`,
  ];
}

/**
 * The timeline as text: a heading, one line per change, the end, then the counts.
 * @example io.out(renderTimeline(incidentDetailJson(detail, Date.now())))
 */
export function renderTimeline(incident: IncidentDetailJson): string {
  const seconds = incident.durationMs < 3_600_000;
  const lines = timelineLines(incident.events).map(
    (line) => `${clockTime(line.at, seconds)} ${lineText(line, seconds)}`,
  );
  return [
    `${incident.id} · ${incident.severity} · ${incident.status} · ${incident.title}`,
    `opened ${incident.openedAt}${incident.resolvedAt === null ? '' : `, resolved ${incident.resolvedAt}`} (times UTC; instance ${incident.instance})`,
    '',
    ...lines,
    `${clockTime(endAt(incident), seconds)} ${endLine(incident)}`,
    '',
    ...countLines(incident.counts),
  ].join('\n');
}

/** `| a | b |` with pipes in cells escaped. */
function row(cells: readonly string[]): string {
  return `| ${cells.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`;
}

function table(head: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
  if (rows.length === 0) return ['_none_'];
  return [row(head), row(head.map(() => '---')), ...rows.map(row)];
}

/** What each component went through: its first and last line. */
function whatWeSaw(lines: readonly TimelineLine[], seconds: boolean): string[] {
  const byComponent = new Map<string, TimelineLine[]>();
  for (const line of lines) {
    if (line.component === 'failsoft') continue;
    const list = byComponent.get(line.component) ?? [];
    list.push(line);
    byComponent.set(line.component, list);
  }
  const out: string[] = [];
  for (const [component, list] of byComponent) {
    const first = list[0] as TimelineLine;
    const last = list.at(-1) as TimelineLine;
    const changes = list.reduce((n, line) => n + line.times, 0);
    const tail = list.length > 1 ? `; last, at ${clockTime(last.lastAt, seconds)}: ${last.message}` : '';
    out.push(
      `- **${component}** (${changes} change${changes === 1 ? '' : 's'}): at ${clockTime(first.at, seconds)}, ${first.message}${tail}`,
    );
  }
  return out.length > 0 ? out : ['- _no component changes recorded_'];
}

/**
 * A postmortem draft in markdown: title, summary table, timeline, counts, what we saw, and headings to fill in.
 * @example io.out(renderPostmortem(incidentDetailJson(detail, Date.now())))
 */
export function renderPostmortem(incident: IncidentDetailJson): string {
  const seconds = incident.durationMs < 3_600_000;
  const lines = timelineLines(incident.events);
  const c = incident.counts;
  const served = Object.values(c.servedBy).reduce((a, b) => a + b, 0);
  const modeRows = Object.entries(c.modeMs).flatMap(([feature, modes]) =>
    Object.entries(modes).map(([mode, ms]) => [feature, mode, formatDuration(ms)]),
  );
  return [
    `# Incident ${incident.id}: ${incident.title}`,
    '',
    ...table(
      ['', ''],
      [
        ['Status', incident.status],
        ['Severity', incident.severity],
        ['Opened', incident.openedAt],
        ['Resolved', incident.resolvedAt ?? 'still open'],
        ['Duration', formatDuration(incident.durationMs) + (incident.status === 'open' ? ' so far' : '')],
        ['Components', incident.components.join(', ')],
        ['Instance', incident.instance],
      ],
    ),
    '',
    '## Summary',
    '',
    `${incident.title}. ${incident.status === 'resolved' ? `Resolved after ${formatDuration(incident.durationMs)}` : `Open for ${formatDuration(incident.durationMs)} so far`}. ` +
      `While it was open, providers answered ${served} request${served === 1 ? '' : 's'}, ${c.fallback} ${c.fallback === 1 ? 'was' : 'were'} answered with a fallback ` +
      `and ${c.refused} ai-only request${c.refused === 1 ? ' was' : 's were'} refused.`,
    '',
    '## Timeline (UTC)',
    '',
    ...lines.map((line) => `- **${clockTime(line.at, seconds)}** ${lineText(line, seconds)}`),
    `- **${clockTime(endAt(incident), seconds)}** ${endLine(incident)}`,
    '',
    '## Counts',
    '',
    '### Requests served by each provider',
    '',
    ...table(
      ['provider/model', 'requests'],
      Object.entries(c.servedBy)
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]) => [k, String(n)]),
    ),
    '',
    `Fallback answers: ${c.fallback}. ai-only requests refused: ${c.refused}.`,
    '',
    '### Failed attempts by class',
    '',
    ...table(
      ['class', 'attempts'],
      Object.entries(c.errorsByClass)
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]) => [k, String(n)]),
    ),
    '',
    '### Time in each feature mode',
    '',
    ...table(['feature', 'mode', 'time'], modeRows),
    '',
    '## What we saw',
    '',
    ...whatWeSaw(lines, seconds),
    '',
    '## Impact',
    '',
    '_Who noticed, what users saw._',
    '',
    '## Follow-ups',
    '',
    '- _to fill in_',
    '',
  ].join('\n');
}

/**
 * The list of `failsoft incidents`: one line per incident (id, opened, closed, duration, severity, title).
 * @example io.out(renderIncidentList(list))
 */
export function renderIncidentList(incidents: readonly IncidentSummaryJson[]): string {
  if (incidents.length === 0) return 'No incidents.';
  const rows = incidents.map((i) => [
    i.id,
    i.openedAt.slice(0, 16).replace('T', ' '),
    i.resolvedAt === null ? 'open' : i.resolvedAt.slice(0, 16).replace('T', ' '),
    formatDuration(i.durationMs),
    i.severity,
    i.title,
  ]);
  const head = ['ID', 'OPENED (UTC)', 'CLOSED', 'DURATION', 'SEVERITY', 'TITLE'];
  const widths = head.map((h, col) => Math.max(h.length, ...rows.map((r) => (r[col] ?? '').length)));
  const format = (cells: readonly string[]): string =>
    cells.map((cell, col) => (col === cells.length - 1 ? cell : cell.padEnd(widths[col] ?? 0))).join('  ');
  return [format(head), ...rows.map(format)].join('\n');
}
