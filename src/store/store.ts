import type {
  EventRecord,
  IncidentRecord,
  JobRunRecord,
  RequestAggregate,
  StoredEvent,
  SwitchRecord,
} from './records.js';

/** Which incidents to list. */
export interface IncidentQuery {
  /** Incidents open at or after this instant (epoch ms), or still open. */
  since?: number;
  /** At most this many, newest first (default 100). */
  limit?: number;
}

/**
 * Durable records, behind one interface with two implementations proved by one conformance suite:
 * embedded PostgreSQL (PGlite, data in `store.dir`, nothing to install) and a PostgreSQL server
 * (`DATABASE_URL`). One schema, one SQL dialect, versioned migrations applied by `migrate()`.
 *
 * Calls are made by the batching writer (never on a request's path) and by readers (CLI, admin routes).
 * Every write method takes a batch and is one transaction: all of it is stored, or none (and it throws).
 */
/**
 * Makes a non-idempotent write (appending events, adding to aggregates) safe to retry: a batch written again
 * with the same `batchId` is skipped, so a retry after a commit whose answer was lost with the connection
 * neither duplicates events nor counts requests twice. The writer gives every batch one.
 */
export interface WriteOptions {
  /** Unique per batch, the same on every retry of it (kept until `prune` removes it with the records of its time). */
  batchId?: string;
}

export interface Store {
  /** Brings the schema to the latest version (from empty, or from any earlier version); returns that version. */
  migrate(): Promise<number>;
  /** Appends events in batch order; with `batchId`, a batch already written is skipped. */
  appendEvents(events: readonly EventRecord[], options?: WriteOptions): Promise<void>;
  /** Inserts or replaces incidents by `id`. */
  upsertIncidents(incidents: readonly IncidentRecord[]): Promise<void>;
  /** Inserts or replaces job runs by `id`. */
  upsertJobRuns(runs: readonly JobRunRecord[]): Promise<void>;
  /**
   * Inserts a job run only if no run with its `id` exists; true when this call inserted it. How several
   * instances agree that a planned run is claimed exactly once.
   */
  claimJobRun(run: JobRunRecord): Promise<boolean>;
  /**
   * Replaces a job run only while it is as `expected` (same owner `instance`, same `leaseUntil`); true when it did.
   * A compare-and-set: the owner renews its lease and records progress with it, and of several instances that
   * find an expired lease, exactly one takes the run over.
   */
  updateJobRun(run: JobRunRecord, expected: { instance: string; leaseUntil: number | undefined }): Promise<boolean>;
  /** Records switch states (the latest per target wins on read). */
  putSwitches(switches: readonly SwitchRecord[]): Promise<void>;
  /** Adds to the per-minute aggregates (same minute/feature/provider/outcome/instance: counts add up). */
  addAggregates(aggregates: readonly RequestAggregate[], options?: WriteOptions): Promise<void>;
  listIncidents(query?: IncidentQuery): Promise<IncidentRecord[]>;
  /** One incident and its events in time order, or undefined. */
  getIncident(id: string): Promise<{ incident: IncidentRecord; events: StoredEvent[] } | undefined>;
  /** Events in [from, to), in time order (for timelines outside incidents). */
  listEvents(query: { from: number; to?: number; limit?: number }): Promise<StoredEvent[]>;
  /** The latest state of each switch target. */
  latestSwitches(): Promise<SwitchRecord[]>;
  listJobRuns(query: { job?: string; since?: number; limit?: number }): Promise<JobRunRecord[]>;
  /** Aggregates whose minute is in [from, to). */
  listAggregates(query: { from: number; to?: number }): Promise<RequestAggregate[]>;
  /** Deletes records older than `before` (resolved incidents and their events, finished job runs, aggregates); returns rows removed. */
  prune(before: number): Promise<number>;
  close(): Promise<void>;
}

/**
 * Where records go from the request side: every method only enqueues (synchronous, no I/O, never throws);
 * the batching writer flushes to the `Store` in the background, in order, keeping records in a bounded
 * buffer while the database is away and counting what it had to drop.
 */
export interface RecordSink {
  appendEvent(event: EventRecord): void;
  upsertIncident(incident: IncidentRecord): void;
  upsertJobRun(run: JobRunRecord): void;
  putSwitch(state: SwitchRecord): void;
  addAggregate(aggregate: RequestAggregate): void;
}

/** The writer's health, for `/health/ready` (a store line that never fails readiness) and `/metrics`. */
export interface RecordWriterStatus {
  backend: 'pglite' | 'postgres' | 'memory';
  /** False while the last flush failed (records wait in the buffer). */
  connected: boolean;
  /** Epoch ms of the first failed flush of the current outage. */
  failingSince?: number;
  /** Records waiting to be written. */
  buffered: number;
  /** Records written since start. */
  written: number;
  /** Records dropped since start because the buffer was full (never silently: also logged once per outage). */
  dropped: number;
  /** Records the store refused as malformed (each logged with the reason), set aside so they cannot block the rest. */
  rejected?: number;
  lastError?: string;
}
