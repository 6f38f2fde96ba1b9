import { describe, expect, it } from 'vitest';
import type { IncidentRecord } from '../../store/records.js';
import { slackPayloadProblem } from './alert-sink.test-helper.js';
import { alertMessage, logLine, slackPayload, webhookBody } from './alert-message.js';

const T0 = Date.UTC(2026, 11, 6, 12);

function incident(over: Partial<IncidentRecord>): IncidentRecord {
  return {
    id: 'inc_20261206T120000Z_8000',
    status: 'open',
    severity: 'warning',
    title: 'claude/claude-sonnet-4-5 overloaded; summary on fallback',
    openedAt: T0,
    components: ['provider:claude/claude-sonnet-4-5', 'feature:summary'],
    counts: {} as IncidentRecord['counts'],
    updatedAt: T0,
    instance: 'gw',
    ...over,
  };
}

describe('alert messages', () => {
  it('say what it means for users: AI degraded with core OK; CRITICAL naming the core dependency; resolved with its length', () => {
    expect(alertMessage(incident({}), 'firing').summary).toBe(
      'AI degraded: claude/claude-sonnet-4-5 overloaded; summary on fallback; core OK',
    );
    const core = incident({ severity: 'critical', title: 'db down', components: ['core:db'] });
    expect(alertMessage(core, 'firing').summary).toBe('CRITICAL: db down (core dependency)');
    const resolved = alertMessage(incident({ status: 'resolved', resolvedAt: T0 + 720_000 }), 'resolved');
    expect(resolved).toEqual({
      status: 'resolved',
      severity: 'warning',
      summary: 'Resolved after 12 min: claude/claude-sonnet-4-5 overloaded; summary on fallback',
      incident: {
        id: 'inc_20261206T120000Z_8000',
        title: 'claude/claude-sonnet-4-5 overloaded; summary on fallback',
        openedAt: '2026-12-06T12:00:00.000Z',
        resolvedAt: '2026-12-06T12:12:00.000Z',
      },
    });
    expect(JSON.parse(webhookBody(resolved))).toEqual(resolved);
    expect(logLine(resolved)).toBe(
      'failsoft alert: RESOLVED warning inc_20261206T120000Z_8000: Resolved after 12 min: claude/claude-sonnet-4-5 overloaded; summary on fallback',
    );
  });

  it('Slack payload: text plus valid blocks, mrkdwn escaped, header cut to 150 characters', () => {
    const long = incident({ title: `<script> & ${'x'.repeat(300)}` });
    const payload = slackPayload(alertMessage(long, 'firing'));
    expect(slackPayloadProblem(payload)).toBeUndefined();
    expect(payload.text.startsWith(':warning: AI degraded: &lt;script&gt; &amp; x')).toBe(true);
    const header = payload.blocks[0];
    expect(header?.type === 'header' && header.text.text.length).toBe(150);
    expect(
      slackPayload(
        alertMessage(incident({ severity: 'critical', components: ['core:db'], title: 'db down' }), 'firing'),
      ).text,
    ).toBe(':rotating_light: CRITICAL: db down (core dependency)');
  });
});
