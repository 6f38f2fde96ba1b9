import type {
  EventRecord,
  IncidentRecord,
  JobRunRecord,
  RequestAggregate,
  StoredEvent,
  SwitchRecord,
} from './records.js';
import type { IncidentQuery, Store, WriteOptions } from './store.js';
import {
  validateAggregates,
  validateEvents,
  validateIncidents,
  validateJobRuns,
  validateSwitches,
} from './validate-records.js';
import {
  DEFAULT_EVENT_LIMIT,
  DEFAULT_LIST_LIMIT,
  FINISHED_JOB_STATUSES,
  LATEST_SCHEMA_VERSION,
} from './store-queries.js';

/** Deep copy of a plain record, so a caller mutating what it passed or read never changes the store. */
function copy<T>(value: T): T {
  return structuredClone(value);
}

function aggregateKey(a: RequestAggregate): string {
  return JSON.stringify([a.minute, a.feature, a.provider, a.outcome, a.instance]);
}

/**
 * The in-memory `Store`: for tests, and for the library when no store is configured. Same semantics as
 * the SQL stores (the conformance suite proves it): validation before anything changes, copies in and
 * out, the same orderings and the same prune rules. Nothing survives the process.
 * @example const store = new MemoryStore(); await store.migrate(); await store.appendEvents([event]);
 */
export class MemoryStore implements Store {
  private seq = 0;
  private switchSeq = 0;
  private readonly events: StoredEvent[] = [];
  private readonly incidents = new Map<string, IncidentRecord>();
  private readonly jobRuns = new Map<string, JobRunRecord>();
  private readonly switches: Array<{ order: number; record: SwitchRecord }> = [];
  private readonly aggregates = new Map<string, RequestAggregate>();
  /** Batch ids already written, with when (pruned with the records of their time). */
  private readonly batches = new Map<string, number>();
  private closed = false;

  private open(): void {
    if (this.closed) throw new Error('MemoryStore: used after close()');
  }

  /** Nothing to migrate in memory; returns the latest schema version so callers see the same number. */
  async migrate(): Promise<number> {
    this.open();
    return LATEST_SCHEMA_VERSION;
  }

  /** True (and remembered) when `batchId` is new or absent; false when that batch was already written. */
  private firstTime(options: WriteOptions | undefined): boolean {
    if (options?.batchId === undefined) return true;
    if (this.batches.has(options.batchId)) return false;
    this.batches.set(options.batchId, Date.now());
    return true;
  }

  /** Appends events, numbering them in order; a batch already written (same `batchId`) is skipped. */
  async appendEvents(events: readonly EventRecord[], options?: WriteOptions): Promise<void> {
    this.open();
    validateEvents(events);
    if (!this.firstTime(options)) return;
    for (const e of events) this.events.push({ ...copy(e), seq: ++this.seq });
  }

  /** Inserts or replaces incidents by id. */
  async upsertIncidents(incidents: readonly IncidentRecord[]): Promise<void> {
    this.open();
    validateIncidents(incidents);
    for (const inc of incidents) this.incidents.set(inc.id, copy(inc));
  }

  /** Inserts or replaces job runs by id. */
  async upsertJobRuns(runs: readonly JobRunRecord[]): Promise<void> {
    this.open();
    validateJobRuns(runs);
    for (const run of runs) this.jobRuns.set(run.id, copy(run));
  }

  /** Inserts the run if its id is new; true when it did. */
  async claimJobRun(run: JobRunRecord): Promise<boolean> {
    this.open();
    validateJobRuns([run], 'claimJobRun');
    if (this.jobRuns.has(run.id)) return false;
    this.jobRuns.set(run.id, copy(run));
    return true;
  }

  /** Replaces the run while its owner and lease are as expected; true when it did. */
  async updateJobRun(
    run: JobRunRecord,
    expected: { instance: string; leaseUntil: number | undefined },
  ): Promise<boolean> {
    this.open();
    validateJobRuns([run], 'updateJobRun');
    const current = this.jobRuns.get(run.id);
    if (current === undefined || current.instance !== expected.instance || current.leaseUntil !== expected.leaseUntil)
      return false;
    this.jobRuns.set(run.id, copy(run));
    return true;
  }

  /** Records switch states. */
  async putSwitches(switches: readonly SwitchRecord[]): Promise<void> {
    this.open();
    validateSwitches(switches);
    for (const s of switches) this.switches.push({ order: ++this.switchSeq, record: copy(s) });
  }

  /** Adds counts and durations to the per-minute aggregates; a batch already written (same `batchId`) is skipped. */
  async addAggregates(aggregates: readonly RequestAggregate[], options?: WriteOptions): Promise<void> {
    this.open();
    validateAggregates(aggregates);
    if (!this.firstTime(options)) return;
    for (const a of aggregates) {
      const key = aggregateKey(a);
      const current = this.aggregates.get(key);
      if (current) {
        current.count += a.count;
        current.totalMs += a.totalMs;
      } else {
        this.aggregates.set(key, copy(a));
      }
    }
  }

  /** Incidents opened at or after `since`, or still open; newest first. */
  async listIncidents(query: IncidentQuery = {}): Promise<IncidentRecord[]> {
    this.open();
    const since = query.since;
    return [...this.incidents.values()]
      .filter((inc) => since === undefined || inc.openedAt >= since || inc.status === 'open')
      .sort((a, b) => b.openedAt - a.openedAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
      .slice(0, query.limit ?? DEFAULT_LIST_LIMIT)
      .map(copy);
  }

  /** One incident and its events in time order. */
  async getIncident(id: string): Promise<{ incident: IncidentRecord; events: StoredEvent[] } | undefined> {
    this.open();
    const incident = this.incidents.get(id);
    if (!incident) return undefined;
    const events = this.events
      .filter((e) => e.incidentId === id)
      .sort(byTime)
      .map(copy);
    return { incident: copy(incident), events };
  }

  /** Events in [from, to), in time order. */
  async listEvents(query: { from: number; to?: number; limit?: number }): Promise<StoredEvent[]> {
    this.open();
    return this.events
      .filter((e) => e.at >= query.from && (query.to === undefined || e.at < query.to))
      .sort(byTime)
      .slice(0, query.limit ?? DEFAULT_EVENT_LIMIT)
      .map(copy);
  }

  /** The latest state per target (latest `at`; on a tie, the later write), sorted by target. */
  async latestSwitches(): Promise<SwitchRecord[]> {
    this.open();
    return this.latestSwitchEntries()
      .map((s) => copy(s.record))
      .sort((a, b) => compareText(a.target, b.target));
  }

  /** Job runs (of one job, planned at or after `since`), newest planned first. */
  async listJobRuns(query: { job?: string; since?: number; limit?: number }): Promise<JobRunRecord[]> {
    this.open();
    return [...this.jobRuns.values()]
      .filter(
        (r) =>
          (query.job === undefined || r.job === query.job) && (query.since === undefined || r.plannedAt >= query.since),
      )
      .sort((a, b) => b.plannedAt - a.plannedAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
      .slice(0, query.limit ?? DEFAULT_LIST_LIMIT)
      .map(copy);
  }

  /** Aggregates whose minute is in [from, to), by minute then key. */
  async listAggregates(query: { from: number; to?: number }): Promise<RequestAggregate[]> {
    this.open();
    return [...this.aggregates.values()]
      .filter((a) => a.minute >= query.from && (query.to === undefined || a.minute < query.to))
      .sort(compareAggregates)
      .map(copy);
  }

  /** Deletes what is older than `before` (see `Store.prune`); returns the number of records removed. */
  async prune(before: number): Promise<number> {
    this.open();
    let removed = 0;
    const kept = (incidentId: string | undefined): boolean => {
      const inc = incidentId === undefined ? undefined : this.incidents.get(incidentId);
      return inc !== undefined && (inc.status === 'open' || (inc.resolvedAt ?? inc.updatedAt) >= before);
    };
    for (let i = this.events.length - 1; i >= 0; i--) {
      const e = this.events[i];
      if (e && e.at < before && !kept(e.incidentId)) {
        this.events.splice(i, 1);
        removed++;
      }
    }
    for (const [id, inc] of this.incidents) {
      if (inc.status === 'resolved' && (inc.resolvedAt ?? inc.updatedAt) < before) {
        this.incidents.delete(id);
        removed++;
      }
    }
    for (const [id, run] of this.jobRuns) {
      if (FINISHED_JOB_STATUSES.has(run.status) && (run.finishedAt ?? run.startedAt ?? run.plannedAt) < before) {
        this.jobRuns.delete(id);
        removed++;
      }
    }
    for (const [key, a] of this.aggregates) {
      if (a.minute < before) {
        this.aggregates.delete(key);
        removed++;
      }
    }
    for (const [id, at] of this.batches) if (at < before) this.batches.delete(id); // bookkeeping, not counted
    const latest = new Set(this.latestSwitchEntries());
    for (let i = this.switches.length - 1; i >= 0; i--) {
      const s = this.switches[i];
      if (s && s.record.at < before && !latest.has(s)) {
        this.switches.splice(i, 1);
        removed++;
      }
    }
    return removed;
  }

  private latestSwitchEntries(): Array<{ order: number; record: SwitchRecord }> {
    const latest = new Map<string, { order: number; record: SwitchRecord }>();
    for (const s of this.switches) {
      const current = latest.get(s.record.target);
      if (!current || s.record.at > current.record.at || (s.record.at === current.record.at && s.order > current.order))
        latest.set(s.record.target, s);
    }
    return [...latest.values()];
  }

  /** Marks the store closed; later calls throw. */
  async close(): Promise<void> {
    this.closed = true;
  }
}

function byTime(a: StoredEvent, b: StoredEvent): number {
  return a.at - b.at || a.seq - b.seq;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareAggregates(a: RequestAggregate, b: RequestAggregate): number {
  return (
    a.minute - b.minute ||
    compareText(a.feature, b.feature) ||
    compareText(a.provider, b.provider) ||
    compareText(a.outcome, b.outcome) ||
    compareText(a.instance, b.instance)
  );
}
