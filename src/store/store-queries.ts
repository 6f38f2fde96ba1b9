import type { JobRunRecord } from './records.js';
import { MIGRATIONS } from './migrations.js';

/**
 * The query rules every `Store` backend shares (the memory store applies them in code, the SQL stores
 * in SQL), so the conformance suite can hold them all to one answer.
 */

/** How many incidents or job runs a list returns when the query gives no limit. */
export const DEFAULT_LIST_LIMIT = 100;

/** How many events `listEvents` returns when the query gives no limit. */
export const DEFAULT_EVENT_LIMIT = 1000;

/** Job run states that are over: `prune` may delete these (never a planned or running one). */
export const FINISHED_JOB_STATUSES: ReadonlySet<JobRunRecord['status']> = new Set([
  'succeeded',
  'failed',
  'deferred',
  'skipped',
  'timed-out',
]);

/** The schema version `migrate()` brings a database to (the last entry of the migrations list). */
export const LATEST_SCHEMA_VERSION = MIGRATIONS.length;
