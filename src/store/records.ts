/**
 * The durable records failsoft keeps: what happened, when, to whom, and for how long. Every record says
 * which instance wrote it (`instance`), so several `failsoft serve` processes can share one database.
 * Times are epoch milliseconds. These are plain data: the store writes and reads them, the incident
 * tracker and the CLI make and show them.
 */

/** How bad an event or an incident is: `critical` only for core failures, `warning` for AI trouble. */
export type Severity = 'info' | 'warning' | 'critical';

/** One state change, as kept (an engine event, a core check, a job's outcome, an alert sent). */
export interface EventRecord {
  /** When it happened. */
  at: number;
  /** The event's noun-verb name, e.g. `provider-opened`, `feature-mode-changed`, `job-failed`. */
  type: string;
  severity: Severity;
  /** One line a person reads in a timeline, e.g. "claude/claude-sonnet-4-5 opened: consecutive-failures". */
  message: string;
  /** The component the event is about, e.g. `provider:claude/claude-sonnet-4-5`, `feature:summary`, `shared-state`. */
  component: string;
  /** The incident it belongs to, when one was open. */
  incidentId?: string;
  /** The event's own fields (JSON). */
  data: Record<string, unknown>;
  instance: string;
}

/** A stored event with its position in the store (ascending in write order). */
export interface StoredEvent extends EventRecord {
  seq: number;
}

/** What an incident counted while it was open. */
export interface IncidentCounts {
  /** Requests answered by each provider (`provider/model` key). */
  servedBy: Record<string, number>;
  /** Requests answered with a fallback. */
  fallback: number;
  /** ai-only requests refused (503 / AIUnavailableError). */
  refused: number;
  /** Failed attempts by error class. */
  errorsByClass: Record<string, number>;
  /** Milliseconds each feature spent in each mode other than normal, e.g. `{ summary: { fallback: 120000 } }`. */
  modeMs: Record<string, Record<string, number>>;
}

/** A group of related events, from the first warning to the quiet period after the last component recovered. */
export interface IncidentRecord {
  /** Sortable and unique across instances, e.g. `inc_20261206T120000Z_3fa2`. */
  id: string;
  status: 'open' | 'resolved';
  severity: Exclude<Severity, 'info'>;
  /** What a person reads first, e.g. "claude overloaded; summary on fallback". */
  title: string;
  openedAt: number;
  resolvedAt?: number;
  /** Every component involved. */
  components: string[];
  counts: IncidentCounts;
  /** Last change to this record. */
  updatedAt: number;
  instance: string;
}

/** One run of a scheduled job (written by the scheduler). */
export interface JobRunRecord {
  /** Unique per planned run (the scheduler claims a run by inserting it). */
  id: string;
  job: string;
  /** The start the plan gave it. */
  plannedAt: number;
  startedAt?: number;
  finishedAt?: number;
  status: 'planned' | 'running' | 'succeeded' | 'failed' | 'deferred' | 'skipped' | 'timed-out';
  attempt: number;
  exitCode?: number;
  detail?: string;
  instance: string;
  /**
   * While `running`: until when its owner (`instance`) holds it. The owner renews it while the job runs; once it has
   * passed, the owner is taken for dead and another instance may take the run over (`Store.updateJobRun`).
   */
  leaseUntil?: number;
  /** The last bytes (at most 4 KiB each) of what the job wrote to stdout and stderr. */
  stdoutTail?: string;
  stderrTail?: string;
}

/** The last state of a kill switch (`target`: `global` or a feature name), so an operator's flip survives a restart. */
export interface SwitchRecord {
  target: string;
  enabled: boolean;
  source: string;
  at: number;
  instance: string;
}

/** Requests in one minute for one feature/provider/outcome (added up when several writers report the same key). */
export interface RequestAggregate {
  /** Start of the minute (epoch ms, a multiple of 60 000). */
  minute: number;
  feature: string;
  /** `provider/model`, or `none` for fallbacks and errors. */
  provider: string;
  /** `provider`, `failover`, `fallback` or `error`. */
  outcome: string;
  count: number;
  /** Sum of the requests' durations (ms), for the mean. */
  totalMs: number;
  instance: string;
}
