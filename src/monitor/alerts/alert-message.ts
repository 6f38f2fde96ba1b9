/**
 * What an alert says: one message per incident change, in words that tell what it means for users —
 * "AI degraded: summary on fallback; core OK" (warning) vs "CRITICAL: db down" (core) — and the generic
 * webhook body (Alertmanager's convention: firing/resolved, severity, the incident, a summary).
 */
import { formatDuration } from '../../engine/config/duration.js';
import type { IncidentRecord } from '../../store/records.js';

/** One alert message, as every channel renders it. */
export interface AlertMessage {
  status: 'firing' | 'resolved';
  severity: 'critical' | 'warning';
  incident: { id: string; title: string; openedAt: string; resolvedAt: string | null };
  /** One line for people. */
  summary: string;
  /** `failsoft alert test`: not a real incident. */
  test?: true;
}

/** The core checks an incident saw failing (`core:db` → `db`). */
function coreComponents(incident: IncidentRecord): string[] {
  return incident.components.filter((c) => c.startsWith('core:')).map((c) => c.slice('core:'.length));
}

/** The title without the core phrases (what AI was doing meanwhile). */
function aiPart(incident: IncidentRecord, core: readonly string[]): string {
  return incident.title
    .split('; ')
    .filter((phrase) => !core.some((name) => phrase === `${name} down`))
    .join('; ');
}

/**
 * The summary line of an incident change.
 * @example alertSummary(incident, 'firing') // 'AI degraded: claude/claude-sonnet-4-5 overloaded; summary on fallback; core OK'
 */
export function alertSummary(incident: IncidentRecord, status: 'firing' | 'resolved'): string {
  const core = coreComponents(incident);
  const ai = aiPart(incident, core);
  if (status === 'resolved') {
    const lasted =
      incident.resolvedAt === undefined ? '' : ` after ${formatDuration(incident.resolvedAt - incident.openedAt)}`;
    return `Resolved${lasted}: ${incident.title}`;
  }
  if (incident.severity === 'critical') {
    const what = core.length > 0 ? `${core.join(', ')} down (core dependency)` : incident.title;
    return `CRITICAL: ${what}${ai !== '' && core.length > 0 ? `; also AI degraded: ${ai}` : ''}`;
  }
  return `AI degraded: ${ai === '' ? incident.title : ai}; core OK`;
}

/**
 * The message of an incident change.
 * @example alertMessage(incident, 'firing').incident.id // 'inc_20261206T120000Z_3fa2'
 */
export function alertMessage(incident: IncidentRecord, status: 'firing' | 'resolved'): AlertMessage {
  return {
    status,
    severity: incident.severity === 'critical' ? 'critical' : 'warning',
    incident: {
      id: incident.id,
      title: incident.title,
      openedAt: new Date(incident.openedAt).toISOString(),
      resolvedAt: incident.resolvedAt === undefined ? null : new Date(incident.resolvedAt).toISOString(),
    },
    summary: alertSummary(incident, status),
  };
}

/** The message `failsoft alert test` sends. */
export function testAlertMessage(now: number): AlertMessage {
  const at = new Date(now).toISOString();
  return {
    status: 'firing',
    severity: 'warning',
    test: true,
    incident: { id: 'test', title: 'failsoft alert test', openedAt: at, resolvedAt: null },
    summary: 'Test alert from failsoft: this channel receives incident alerts. No action needed.',
  };
}

/** The generic webhook body: `{ status, severity, incident: { id, title, openedAt, resolvedAt }, summary }`. */
export function webhookBody(message: AlertMessage): string {
  return JSON.stringify(message);
}

/** A Slack block: the subset failsoft sends (header, section, context). */
export type SlackBlock =
  | { type: 'header'; text: { type: 'plain_text'; text: string } }
  | { type: 'section'; text: { type: 'mrkdwn'; text: string } }
  | { type: 'context'; elements: Array<{ type: 'mrkdwn'; text: string }> };

function icon(message: AlertMessage): string {
  if (message.status === 'resolved') return ':white_check_mark:';
  return message.severity === 'critical' ? ':rotating_light:' : ':warning:';
}

/** Slack's mrkdwn needs &, < and > escaped. */
function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The Slack incoming-webhook payload: `text` (the notification line) plus blocks.
 * @example slackPayload(message).text // ':warning: AI degraded: summary on fallback; core OK'
 */
export function slackPayload(message: AlertMessage): { text: string; blocks: SlackBlock[] } {
  const text = `${icon(message)} ${message.summary}`;
  const header = `${message.status === 'resolved' ? 'Resolved' : message.severity === 'critical' ? 'CRITICAL' : 'Warning'}: ${message.incident.title}`;
  const times = `opened ${message.incident.openedAt}${message.incident.resolvedAt === null ? '' : ` · resolved ${message.incident.resolvedAt}`}`;
  return {
    text: escapeSlack(text),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: header.length > 150 ? `${header.slice(0, 149)}…` : header } },
      { type: 'section', text: { type: 'mrkdwn', text: escapeSlack(text).slice(0, 3000) } },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: escapeSlack(
              `incident \`${message.incident.id}\` · ${times} · \`failsoft incident ${message.incident.id}\``,
            ),
          },
        ],
      },
    ],
  };
}

/** The log channel's line (stderr). */
export function logLine(message: AlertMessage): string {
  return `failsoft alert: ${message.status.toUpperCase()} ${message.severity} ${message.incident.id}: ${message.summary}`;
}
