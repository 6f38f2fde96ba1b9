/**
 * The JSON shapes of incidents, shared by `failsoft incidents --json`, `failsoft incident <id> --json` and
 * `GET /admin/incidents[/:id]`: times as ISO strings, `resolvedAt` null while open.
 */
import type { IncidentCounts, IncidentRecord, StoredEvent } from './records.js';

/** One incident in a list. */
export interface IncidentSummaryJson {
  id: string;
  status: 'open' | 'resolved';
  severity: 'warning' | 'critical';
  title: string;
  /** ISO time. */
  openedAt: string;
  /** ISO time; null while open. */
  resolvedAt: string | null;
  /** To `resolvedAt`, or so far while open (ms). */
  durationMs: number;
  components: string[];
  counts: IncidentCounts;
  instance: string;
  /** ISO time of the record's last update. */
  updatedAt: string;
}

/** One event of an incident's timeline. */
export interface TimelineEventJson {
  /** ISO time. */
  at: string;
  type: string;
  severity: string;
  component: string;
  message: string;
}

/** One incident with its events, in time order. */
export interface IncidentDetailJson extends IncidentSummaryJson {
  events: TimelineEventJson[];
}

/** An incident and its stored events, as `Store.getIncident` returns them. */
export interface IncidentWithEvents {
  incident: IncidentRecord;
  events: readonly StoredEvent[];
}

/**
 * An incident record in its JSON shape (`now` measures an open incident's duration so far).
 * @example incidentSummaryJson(record, Date.now()).openedAt // '2026-12-06T12:00:00.000Z'
 */
export function incidentSummaryJson(incident: IncidentRecord, now: number): IncidentSummaryJson {
  const end = incident.resolvedAt ?? Math.max(now, incident.updatedAt);
  return {
    id: incident.id,
    status: incident.status,
    severity: incident.severity,
    title: incident.title,
    openedAt: new Date(incident.openedAt).toISOString(),
    resolvedAt: incident.resolvedAt === undefined ? null : new Date(incident.resolvedAt).toISOString(),
    durationMs: Math.max(0, end - incident.openedAt),
    components: [...incident.components],
    counts: incident.counts,
    instance: incident.instance,
    updatedAt: new Date(incident.updatedAt).toISOString(),
  };
}

/**
 * An incident and its events in their JSON shape.
 * @example incidentDetailJson(await store.getIncident(id), Date.now()).events[0].message
 */
export function incidentDetailJson(detail: IncidentWithEvents, now: number): IncidentDetailJson {
  return {
    ...incidentSummaryJson(detail.incident, now),
    events: [...detail.events]
      .sort((a, b) => a.at - b.at || a.seq - b.seq)
      .map((e) => ({
        at: new Date(e.at).toISOString(),
        type: e.type,
        severity: e.severity,
        component: e.component,
        message: e.message,
      })),
  };
}
