import { describe, expect, it } from 'vitest';
import type { IncidentRecord, StoredEvent } from './records.js';
import { incidentDetailJson, incidentSummaryJson } from './timeline-json.js';
import { renderIncidentList, renderPostmortem, renderTimeline, timelineLines } from './timeline-render.js';

const T0 = Date.UTC(2026, 11, 6, 12, 0, 0);
const MIN = 60_000;

const incident: IncidentRecord = {
  id: 'inc_20261206T120000Z_4000',
  status: 'resolved',
  severity: 'warning',
  title: 'claude/claude-sonnet-4-5 overloaded; summary on fallback',
  openedAt: T0,
  resolvedAt: T0 + 11 * 60 * MIN,
  components: ['provider:claude/claude-sonnet-4-5', 'feature:summary'],
  counts: {
    servedBy: { 'gpt/gpt-4o-mini': 120, 'gemini/gemini-2.5-flash': 30 },
    fallback: 45,
    refused: 3,
    errorsByClass: { overloaded: 25 },
    modeMs: { summary: { fallback: 10 * MIN } },
  },
  updatedAt: T0 + 11 * 60 * MIN + 5 * MIN,
  instance: 'gw-1',
};

let seq = 0;
function event(at: number, type: string, message: string, component: string): StoredEvent {
  return {
    seq: ++seq,
    at,
    type,
    message,
    component,
    severity: 'info',
    data: {},
    instance: 'gw-1',
    incidentId: incident.id,
  };
}

const events: StoredEvent[] = [
  event(
    T0,
    'provider-opened',
    'claude/claude-sonnet-4-5 opened: consecutive-failures — overloaded (529 × 5)',
    'provider:claude/claude-sonnet-4-5',
  ),
  event(T0 + 10 * MIN, 'feature-mode-changed', 'feature summary: failover → fallback', 'feature:summary'),
  event(T0 + 10 * MIN, 'feature-degraded', 'feature summary degraded to fallback', 'feature:summary'),
];
// A flapping provider: half-open, opened again, twelve times.
for (let i = 0; i < 12; i++) {
  events.push(
    event(
      T0 + (20 + 2 * i) * MIN,
      'provider-half-opened',
      'claude/claude-sonnet-4-5 half-open: open-elapsed',
      'provider:claude/claude-sonnet-4-5',
    ),
  );
  events.push(
    event(
      T0 + (21 + 2 * i) * MIN,
      'provider-opened',
      `claude/claude-sonnet-4-5 opened: probe-failed — overloaded (529 × ${i + 1})`,
      'provider:claude/claude-sonnet-4-5',
    ),
  );
}
events.push(
  event(T0 + 11 * 60 * MIN - 10 * MIN, 'feature-mode-changed', 'feature summary: fallback → normal', 'feature:summary'),
);
events.push(
  event(
    T0 + 11 * 60 * MIN,
    'provider-closed',
    'claude/claude-sonnet-4-5 closed: probe-succeeded',
    'provider:claude/claude-sonnet-4-5',
  ),
);

const detail = incidentDetailJson({ incident, events }, T0 + 24 * 60 * MIN);

describe('incident JSON', () => {
  it('has the documented shape: ISO times, null resolvedAt while open, events with at/type/message', () => {
    expect(detail).toMatchObject({
      id: incident.id,
      status: 'resolved',
      severity: 'warning',
      title: incident.title,
      openedAt: '2026-12-06T12:00:00.000Z',
      resolvedAt: '2026-12-06T23:00:00.000Z',
      durationMs: 11 * 60 * MIN,
      counts: incident.counts,
    });
    expect(detail.events[0]).toEqual({
      at: '2026-12-06T12:00:00.000Z',
      type: 'provider-opened',
      severity: 'info',
      component: 'provider:claude/claude-sonnet-4-5',
      message: events[0]?.message,
    });
    const open = incidentSummaryJson(
      { ...incident, status: 'open', resolvedAt: undefined } as IncidentRecord,
      T0 + 2 * 60 * MIN,
    );
    expect(open.resolvedAt).toBeNull();
    expect(open.durationMs).toBe(11 * 60 * MIN + 5 * MIN);
  });
});

describe('renderTimeline', () => {
  it('prints one line per meaningful change in the seed style, repeats merged, then the end and the counts', () => {
    expect(renderTimeline(detail)).toBe(
      [
        'inc_20261206T120000Z_4000 · warning · resolved · claude/claude-sonnet-4-5 overloaded; summary on fallback',
        'opened 2026-12-06T12:00:00.000Z, resolved 2026-12-06T23:00:00.000Z (times UTC; instance gw-1)',
        '',
        '12:00 claude/claude-sonnet-4-5 opened: consecutive-failures — overloaded (529 × 5)',
        '12:10 feature summary: failover → fallback',
        '12:20 claude/claude-sonnet-4-5 half-open: open-elapsed × 12 (last 12:42)',
        '12:21 claude/claude-sonnet-4-5 opened: probe-failed — overloaded (529 × 1) × 12 (last 12:43)',
        '22:50 feature summary: fallback → normal',
        '23:00 claude/claude-sonnet-4-5 closed: probe-succeeded',
        '23:00 resolved after 11 h',
        '',
        'Requests served by providers: gpt/gpt-4o-mini 120, gemini/gemini-2.5-flash 30',
        'Requests answered with a fallback: 45; ai-only requests refused: 3',
        'Failed attempts by class: overloaded 25',
        'Time in degraded modes: summary: fallback 10 min',
      ].join('\n'),
    );
  });

  it('does not merge a line with one far back: a change that returns later is a line of its own', () => {
    const many = ['a', 'b', 'c', 'd', 'e', 'a'].map((m, i) => ({
      at: new Date(T0 + i * MIN).toISOString(),
      type: 't',
      severity: 'info',
      component: 'x',
      message: m,
    }));
    expect(timelineLines(many).map((l) => l.message)).toEqual(['a', 'b', 'c', 'd', 'e', 'a']);
  });

  it('shows seconds for a short incident, and an open one as still open', () => {
    const short = incidentDetailJson(
      {
        incident: { ...incident, status: 'open', resolvedAt: undefined, updatedAt: T0 + 90_000 } as IncidentRecord,
        events: events.slice(0, 1),
      },
      T0 + 95_000,
    );
    const text = renderTimeline(short);
    expect(text).toContain('12:00:00 claude/claude-sonnet-4-5 opened');
    expect(text).toContain('12:01:35 still open (2 min so far)');
  });
});

describe('renderPostmortem', () => {
  it('is a markdown draft: title, summary table, timeline, counts and what we saw', () => {
    const md = renderPostmortem(detail);
    expect(
      md.startsWith('# Incident inc_20261206T120000Z_4000: claude/claude-sonnet-4-5 overloaded; summary on fallback\n'),
    ).toBe(true);
    expect(md).toContain('| Duration | 11 h |');
    expect(md).toContain('## Summary');
    expect(md).toContain(
      'providers answered 150 requests, 45 were answered with a fallback and 3 ai-only requests were refused.',
    );
    expect(md).toContain(
      '## Timeline (UTC)\n\n- **12:00** claude/claude-sonnet-4-5 opened: consecutive-failures — overloaded (529 × 5)\n- **12:10** feature summary: failover → fallback',
    );
    expect(md).toContain('- **23:00** resolved after 11 h');
    expect(md).toContain('| gpt/gpt-4o-mini | 120 |');
    expect(md).toContain('| overloaded | 25 |');
    expect(md).toContain('| summary | fallback | 10 min |');
    expect(md).toContain('## What we saw');
    expect(md).toContain(
      '- **provider:claude/claude-sonnet-4-5** (26 changes): at 12:00, claude/claude-sonnet-4-5 opened',
    );
  });
});

describe('renderIncidentList', () => {
  it('lists id, opened, closed, duration, severity and title in columns', () => {
    const text = renderIncidentList([incidentSummaryJson(incident, T0)]);
    expect(text.split('\n')).toEqual([
      'ID                         OPENED (UTC)      CLOSED            DURATION  SEVERITY  TITLE',
      'inc_20261206T120000Z_4000  2026-12-06 12:00  2026-12-06 23:00  11 h      warning   claude/claude-sonnet-4-5 overloaded; summary on fallback',
    ]);
    expect(renderIncidentList([])).toBe('No incidents.');
  });
});
