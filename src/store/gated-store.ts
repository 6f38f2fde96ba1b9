import type {
  EventRecord,
  IncidentRecord,
  JobRunRecord,
  RequestAggregate,
  StoredEvent,
  SwitchRecord,
} from './records.js';
import type { IncidentQuery, Store, WriteOptions } from './store.js';

/**
 * A `Store` in front of another that can be made to fail, for outage tests: while `down`, every call
 * rejects with `StoreUnavailableError` (as a lost database would); `hold()` makes writes wait until
 * `release()`, to catch a batch in flight. Counts the write calls it let through.
 * @example const gated = new GatedStore(new MemoryStore()); gated.down = true;
 */
export class GatedStore implements Store {
  /** While true, every call rejects. */
  down = false;
  /** While true, writes reach the inner store (and commit) but the call rejects: an answer lost with the connection. */
  loseAnswers = false;
  /** Methods that reject even while not `down` (e.g. `addAggregates`), to fail part of a batch. */
  readonly failing = new Set<string>();
  /** Write calls that reached the inner store, by method. */
  readonly calls: Array<{ method: string; size: number }> = [];
  private held: Array<() => void> | undefined;

  constructor(readonly inner: Store) {}

  /** Makes the next writes wait (they fail if `down` when released). */
  hold(): void {
    this.held ??= [];
  }

  /** Lets held writes go on. */
  release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const go of held) go();
  }

  private async gate<T>(method: string, size: number, fn: () => Promise<T>): Promise<T> {
    if (this.held) await new Promise<void>((resolve) => this.held?.push(resolve));
    if (this.down || this.failing.has(method)) throw new StoreUnavailableError(`store unavailable (${method})`);
    const result = await fn();
    this.calls.push({ method, size });
    if (this.loseAnswers && method !== 'read')
      throw new StoreUnavailableError(`connection lost before the answer (${method})`);
    return result;
  }

  /** @inheritdoc */
  migrate(): Promise<number> {
    return this.gate('migrate', 0, () => this.inner.migrate());
  }
  /** @inheritdoc */
  appendEvents(events: readonly EventRecord[], options?: WriteOptions): Promise<void> {
    return this.gate('appendEvents', events.length, () => this.inner.appendEvents(events, options));
  }
  /** @inheritdoc */
  upsertIncidents(incidents: readonly IncidentRecord[]): Promise<void> {
    return this.gate('upsertIncidents', incidents.length, () => this.inner.upsertIncidents(incidents));
  }
  /** @inheritdoc */
  upsertJobRuns(runs: readonly JobRunRecord[]): Promise<void> {
    return this.gate('upsertJobRuns', runs.length, () => this.inner.upsertJobRuns(runs));
  }
  /** @inheritdoc */
  claimJobRun(run: JobRunRecord): Promise<boolean> {
    return this.gate('claimJobRun', 1, () => this.inner.claimJobRun(run));
  }
  /** @inheritdoc */
  updateJobRun(run: JobRunRecord, expected: { instance: string; leaseUntil: number | undefined }): Promise<boolean> {
    return this.gate('updateJobRun', 1, () => this.inner.updateJobRun(run, expected));
  }
  /** @inheritdoc */
  putSwitches(switches: readonly SwitchRecord[]): Promise<void> {
    return this.gate('putSwitches', switches.length, () => this.inner.putSwitches(switches));
  }
  /** @inheritdoc */
  addAggregates(aggregates: readonly RequestAggregate[], options?: WriteOptions): Promise<void> {
    return this.gate('addAggregates', aggregates.length, () => this.inner.addAggregates(aggregates, options));
  }
  /** @inheritdoc */
  listIncidents(query?: IncidentQuery): Promise<IncidentRecord[]> {
    return this.gate('read', 0, () => this.inner.listIncidents(query));
  }
  /** @inheritdoc */
  getIncident(id: string): Promise<{ incident: IncidentRecord; events: StoredEvent[] } | undefined> {
    return this.gate('read', 0, () => this.inner.getIncident(id));
  }
  /** @inheritdoc */
  listEvents(query: { from: number; to?: number; limit?: number }): Promise<StoredEvent[]> {
    return this.gate('read', 0, () => this.inner.listEvents(query));
  }
  /** @inheritdoc */
  latestSwitches(): Promise<SwitchRecord[]> {
    return this.gate('read', 0, () => this.inner.latestSwitches());
  }
  /** @inheritdoc */
  listJobRuns(query: { job?: string; since?: number; limit?: number }): Promise<JobRunRecord[]> {
    return this.gate('read', 0, () => this.inner.listJobRuns(query));
  }
  /** @inheritdoc */
  listAggregates(query: { from: number; to?: number }): Promise<RequestAggregate[]> {
    return this.gate('read', 0, () => this.inner.listAggregates(query));
  }
  /** @inheritdoc */
  prune(before: number): Promise<number> {
    return this.gate('prune', 0, () => this.inner.prune(before));
  }
  /** Closes the inner store. */
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** What a `GatedStore` rejects with while down. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}
