import type { EventRecord, IncidentRecord, JobRunRecord, RequestAggregate, SwitchRecord } from './records.js';

/**
 * Checks the records a write method is given before anything is stored, so every backend refuses the
 * same bad input with the same message (which record of the batch, which field, what was wrong),
 * and a batch is either all stored or none.
 */

/** Thrown when a record handed to the store is malformed; names the method, the batch index and the field. */
export class StoreRecordError extends Error {
  override readonly name = 'StoreRecordError';
}

const SEVERITIES = new Set(['info', 'warning', 'critical']);
const JOB_STATUSES = new Set(['planned', 'running', 'succeeded', 'failed', 'deferred', 'skipped', 'timed-out']);

function fail(where: string, field: string, problem: string): never {
  throw new StoreRecordError(`${where}: ${field} ${problem}`);
}

function time(where: string, field: string, value: unknown, optional = false): void {
  if (optional && value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    fail(where, field, `must be epoch milliseconds (a finite number ≥ 0), got ${JSON.stringify(value)}`);
}

function text(where: string, field: string, value: unknown, optional = false): void {
  if (optional && value === undefined) return;
  if (typeof value !== 'string' || value.length === 0)
    fail(where, field, `must be a non-empty string, got ${JSON.stringify(value)}`);
}

function object(where: string, field: string, value: unknown): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(where, field, 'must be a JSON object');
}

/** Validates events for `appendEvents`. */
export function validateEvents(events: readonly EventRecord[]): void {
  events.forEach((e, i) => {
    const where = `appendEvents[${i}]`;
    time(where, 'at', e.at);
    text(where, 'type', e.type);
    if (!SEVERITIES.has(e.severity))
      fail(where, 'severity', `must be info, warning or critical, got ${JSON.stringify(e.severity)}`);
    if (typeof e.message !== 'string') fail(where, 'message', 'must be a string');
    text(where, 'component', e.component);
    text(where, 'incidentId', e.incidentId, true);
    object(where, 'data', e.data);
    text(where, 'instance', e.instance);
  });
}

/** Validates incidents for `upsertIncidents`. */
export function validateIncidents(incidents: readonly IncidentRecord[]): void {
  incidents.forEach((inc, i) => {
    const where = `upsertIncidents[${i}]`;
    text(where, 'id', inc.id);
    if (inc.status !== 'open' && inc.status !== 'resolved')
      fail(where, 'status', `must be open or resolved, got ${JSON.stringify(inc.status)}`);
    if (inc.severity !== 'warning' && inc.severity !== 'critical')
      fail(where, 'severity', `must be warning or critical, got ${JSON.stringify(inc.severity)}`);
    if (typeof inc.title !== 'string') fail(where, 'title', 'must be a string');
    time(where, 'openedAt', inc.openedAt);
    time(where, 'resolvedAt', inc.resolvedAt, true);
    if (!Array.isArray(inc.components)) fail(where, 'components', 'must be an array of strings');
    object(where, 'counts', inc.counts);
    time(where, 'updatedAt', inc.updatedAt);
    text(where, 'instance', inc.instance);
  });
}

/** Validates job runs for `upsertJobRuns` / `claimJobRun` (`where` names the method). */
export function validateJobRuns(runs: readonly JobRunRecord[], method = 'upsertJobRuns'): void {
  runs.forEach((run, i) => {
    const where = `${method}[${i}]`;
    text(where, 'id', run.id);
    text(where, 'job', run.job);
    time(where, 'plannedAt', run.plannedAt);
    time(where, 'startedAt', run.startedAt, true);
    time(where, 'finishedAt', run.finishedAt, true);
    if (!JOB_STATUSES.has(run.status))
      fail(where, 'status', `must be one of ${[...JOB_STATUSES].join(', ')}, got ${JSON.stringify(run.status)}`);
    if (!Number.isInteger(run.attempt) || run.attempt < 0)
      fail(where, 'attempt', `must be an integer ≥ 0, got ${JSON.stringify(run.attempt)}`);
    if (run.exitCode !== undefined && !Number.isInteger(run.exitCode))
      fail(where, 'exitCode', `must be an integer, got ${JSON.stringify(run.exitCode)}`);
    if (run.detail !== undefined && typeof run.detail !== 'string') fail(where, 'detail', 'must be a string');
    text(where, 'instance', run.instance);
    time(where, 'leaseUntil', run.leaseUntil, true);
    if (run.stdoutTail !== undefined && typeof run.stdoutTail !== 'string')
      fail(where, 'stdoutTail', 'must be a string');
    if (run.stderrTail !== undefined && typeof run.stderrTail !== 'string')
      fail(where, 'stderrTail', 'must be a string');
  });
}

/** Validates switch states for `putSwitches`. */
export function validateSwitches(switches: readonly SwitchRecord[]): void {
  switches.forEach((s, i) => {
    const where = `putSwitches[${i}]`;
    text(where, 'target', s.target);
    if (typeof s.enabled !== 'boolean') fail(where, 'enabled', 'must be a boolean');
    text(where, 'source', s.source);
    time(where, 'at', s.at);
    text(where, 'instance', s.instance);
  });
}

/** Validates aggregates for `addAggregates`. */
export function validateAggregates(aggregates: readonly RequestAggregate[]): void {
  aggregates.forEach((a, i) => {
    const where = `addAggregates[${i}]`;
    time(where, 'minute', a.minute);
    if (a.minute % 60_000 !== 0)
      fail(where, 'minute', `must be the start of a minute (a multiple of 60000), got ${a.minute}`);
    text(where, 'feature', a.feature);
    text(where, 'provider', a.provider);
    text(where, 'outcome', a.outcome);
    if (!Number.isInteger(a.count) || a.count < 0)
      fail(where, 'count', `must be an integer ≥ 0, got ${JSON.stringify(a.count)}`);
    if (typeof a.totalMs !== 'number' || !Number.isFinite(a.totalMs) || a.totalMs < 0)
      fail(where, 'totalMs', `must be a finite number ≥ 0, got ${JSON.stringify(a.totalMs)}`);
    text(where, 'instance', a.instance);
  });
}
