import type {
  IncidentCounts,
  IncidentRecord,
  JobRunRecord,
  RequestAggregate,
  Severity,
  StoredEvent,
  SwitchRecord,
} from './records.js';

/**
 * Rows to records: drivers differ in how they return `bigint` (node-postgres: a string; PGlite: a
 * number), so every numeric column goes through `num`, and absent optionals stay absent (not `null`).
 */

type Row = Record<string, unknown>;

function num(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}

function optionalNum(value: unknown): number | undefined {
  return value === null || value === undefined ? undefined : num(value);
}

function json<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

/** A `failsoft_events` row as a stored event. */
export function toEvent(row: Row): StoredEvent {
  const event: StoredEvent = {
    seq: num(row.seq),
    at: num(row.at),
    type: String(row.type),
    severity: String(row.severity) as Severity,
    message: String(row.message),
    component: String(row.component),
    data: json<Record<string, unknown>>(row.data),
    instance: String(row.instance),
  };
  if (row.incident_id !== null && row.incident_id !== undefined) event.incidentId = String(row.incident_id);
  return event;
}

/** A `failsoft_incidents` row as an incident. */
export function toIncident(row: Row): IncidentRecord {
  const incident: IncidentRecord = {
    id: String(row.id),
    status: row.status === 'resolved' ? 'resolved' : 'open',
    severity: row.severity === 'critical' ? 'critical' : 'warning',
    title: String(row.title),
    openedAt: num(row.opened_at),
    components: json<string[]>(row.components),
    counts: json<IncidentCounts>(row.counts),
    updatedAt: num(row.updated_at),
    instance: String(row.instance),
  };
  const resolvedAt = optionalNum(row.resolved_at);
  if (resolvedAt !== undefined) incident.resolvedAt = resolvedAt;
  return incident;
}

/** A `failsoft_job_runs` row as a job run. */
export function toJobRun(row: Row): JobRunRecord {
  const run: JobRunRecord = {
    id: String(row.id),
    job: String(row.job),
    plannedAt: num(row.planned_at),
    status: String(row.status) as JobRunRecord['status'],
    attempt: num(row.attempt),
    instance: String(row.instance),
  };
  const startedAt = optionalNum(row.started_at);
  const finishedAt = optionalNum(row.finished_at);
  const exitCode = optionalNum(row.exit_code);
  if (startedAt !== undefined) run.startedAt = startedAt;
  if (finishedAt !== undefined) run.finishedAt = finishedAt;
  if (exitCode !== undefined) run.exitCode = exitCode;
  if (row.detail !== null && row.detail !== undefined) run.detail = String(row.detail);
  const leaseUntil = optionalNum(row.lease_until);
  if (leaseUntil !== undefined) run.leaseUntil = leaseUntil;
  if (row.stdout_tail !== null && row.stdout_tail !== undefined) run.stdoutTail = String(row.stdout_tail);
  if (row.stderr_tail !== null && row.stderr_tail !== undefined) run.stderrTail = String(row.stderr_tail);
  return run;
}

/** A `failsoft_switches` row as a switch state. */
export function toSwitch(row: Row): SwitchRecord {
  return {
    target: String(row.target),
    enabled: row.enabled === true,
    source: String(row.source),
    at: num(row.at),
    instance: String(row.instance),
  };
}

/** A `failsoft_aggregates` row as an aggregate. */
export function toAggregate(row: Row): RequestAggregate {
  return {
    minute: num(row.minute),
    feature: String(row.feature),
    provider: String(row.provider),
    outcome: String(row.outcome),
    count: num(row.count),
    totalMs: num(row.total_ms),
    instance: String(row.instance),
  };
}
