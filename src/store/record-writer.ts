import { randomUUID } from 'node:crypto';
import type { Clock } from '../model/clock.js';
import { systemClock } from '../model/clock.js';
import type { EventRecord, IncidentRecord, JobRunRecord, RequestAggregate, SwitchRecord } from './records.js';
import { KINDS, VALIDATE, writeRecords, type Kind, type PendingRecord } from './record-batch.js';
import { RecordQueue } from './record-queue.js';
import type { RecordSink, RecordWriterStatus, Store } from './store.js';
import { StoreRecordError } from './validate-records.js';

export type { PendingRecord } from './record-batch.js';

/** The writer's log lines: the start and end of an outage, the first drop of an outage, a refused record, a loss at close. */
export type RecordWriterLog = (
  level: 'info' | 'warn' | 'error',
  message: string,
  fields: Record<string, unknown>,
) => void;

/** How the writer batches, buffers and retries. */
export interface RecordWriterOptions {
  backend: RecordWriterStatus['backend'];
  clock?: Clock;
  /** Records kept while the store is away; beyond it the OLDEST are dropped (and counted). Default 10 000. */
  bufferRecords?: number;
  /** Most records per flush. Default 500. */
  batchSize?: number;
  /** How long a record may wait for a batch to fill. Default 250 ms. */
  flushIntervalMs?: number;
  /** First retry delay after a failed flush; doubles per failure up to `maxRetryMs`. Default 250 ms. */
  retryMs?: number;
  /** Longest retry delay. Default 5 000 ms. */
  maxRetryMs?: number;
  /** Time `close()` gives the final flush before counting what is left as dropped. Default 5 000 ms. */
  closeTimeoutMs?: number;
  log?: RecordWriterLog;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The batching writer behind `RecordSink`: enqueueing is synchronous and O(1) and never throws; a
 * background flush writes batches in order (every `flushIntervalMs`, or at once when `batchSize` records
 * wait). While the store rejects, records stay in a bounded buffer and the batch is retried with backoff,
 * then everything is flushed in order when the store answers again. Past `bufferRecords`, the oldest
 * waiting records are dropped and counted exactly; the first drop of an outage is logged once. A record
 * the store refuses as malformed is set aside (counted in `rejected`, logged) so it cannot block the rest.
 * Delivery is at least once: a write whose commit was lost with the connection is written again.
 * @example const writer = new RecordWriter(store, { backend: 'pglite' }); writer.appendEvent(event); await writer.flush();
 */
export class RecordWriter implements RecordSink {
  private readonly clock: Clock;
  private readonly capacity: number;
  private readonly batchSize: number;
  private readonly flushIntervalMs: number;
  private readonly retryMs: number;
  private readonly maxRetryMs: number;
  private readonly closeTimeoutMs: number;
  private readonly log: RecordWriterLog;
  private readonly queue = new RecordQueue<PendingRecord>();
  /** The batch being written (or to be retried), oldest first; never longer than `batchSize`. */
  private inFlight: PendingRecord[] = [];
  /** Records of the in-flight batch already written (their kind succeeded) while the rest is still being written. */
  private inFlightWritten = 0;
  /** Names this writer's batches (`<writerId>:<batchSeq>:<kind>`), so a store skips a batch it already has. */
  private readonly writerId = randomUUID();
  private batchSeq = 0;
  private writing = false;
  private cancelTimer: (() => void) | undefined;
  private timerIsRetry = false;
  private failures = 0;
  private enqueued = 0;
  private written = 0;
  private dropped = 0;
  private rejected = 0;
  private droppedThisOutage = 0;
  private connected = true;
  private failingSince: number | undefined;
  private lastError: string | undefined;
  private closing = false;
  private abandoned = false;
  private loggedAfterClose = false;
  private readonly waiters: Array<{ target: number; resolve: () => void }> = [];
  private readonly listeners = new Set<(status: RecordWriterStatus) => void>();

  constructor(
    private readonly store: Store,
    private readonly options: RecordWriterOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.capacity = Math.max(1, options.bufferRecords ?? 10_000);
    this.batchSize = Math.max(1, options.batchSize ?? 500);
    this.flushIntervalMs = options.flushIntervalMs ?? 250;
    this.retryMs = options.retryMs ?? 250;
    this.maxRetryMs = options.maxRetryMs ?? 5_000;
    this.closeTimeoutMs = options.closeTimeoutMs ?? 5_000;
    this.log = options.log ?? (() => undefined);
  }

  /** @inheritdoc */
  appendEvent(event: EventRecord): void {
    this.enqueue({ kind: 'event', record: event });
  }

  /** @inheritdoc */
  upsertIncident(incident: IncidentRecord): void {
    this.enqueue({ kind: 'incident', record: incident });
  }

  /** @inheritdoc */
  upsertJobRun(run: JobRunRecord): void {
    this.enqueue({ kind: 'jobRun', record: run });
  }

  /** @inheritdoc */
  putSwitch(state: SwitchRecord): void {
    this.enqueue({ kind: 'switch', record: state });
  }

  /** @inheritdoc */
  addAggregate(aggregate: RequestAggregate): void {
    this.enqueue({ kind: 'aggregate', record: aggregate });
  }

  /** The writer's health now. */
  status(): RecordWriterStatus {
    const status: RecordWriterStatus = {
      backend: this.options.backend,
      connected: this.connected,
      buffered: this.queue.length + this.inFlight.length - this.inFlightWritten,
      written: this.written,
      dropped: this.dropped,
      rejected: this.rejected,
    };
    if (this.failingSince !== undefined) status.failingSince = this.failingSince;
    if (this.lastError !== undefined) status.lastError = this.lastError;
    return status;
  }

  /** Calls `listener` when the store goes away or comes back, and at the first drop of an outage; returns an unsubscribe. */
  onStatusChange(listener: (status: RecordWriterStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves once every record enqueued before the call is written (or dropped or rejected); flushes now. */
  flush(): Promise<void> {
    const target = this.enqueued;
    if (this.settled() >= target) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.waiters.push({ target, resolve }));
    if (!this.timerIsRetry) this.writeSoon();
    return done;
  }

  /**
   * Stops taking records and flushes what is buffered, for at most `closeTimeoutMs`; whatever is still
   * unwritten then is counted as dropped and logged. Does not close the store.
   */
  async close(): Promise<void> {
    if (this.closing) return;
    const flushed = this.flush();
    this.closing = true;
    let timedOut = false;
    const cancel = this.clock.timer(this.closeTimeoutMs, () => {
      timedOut = true;
      this.abandon();
    });
    await flushed;
    cancel();
    if (!timedOut) this.stopTimer();
  }

  private abandon(): void {
    this.stopTimer();
    this.abandoned = true;
    // a batch being written right now is counted when its write settles (written or dropped), never twice
    const batch = this.writing ? 0 : this.inFlight.length;
    const lost = this.queue.length + batch;
    if (lost > 0) {
      this.log(
        'error',
        `record store: ${lost} records not written at close (store unreachable for ${this.closeTimeoutMs} ms)`,
        { lost, lastError: this.lastError },
      );
      if (!this.writing) this.inFlight = [];
      while (this.queue.shift() !== undefined);
      this.dropped += lost;
    }
    this.resolveWaiters(Number.POSITIVE_INFINITY);
  }

  private settled(): number {
    return this.written + this.dropped + this.rejected;
  }

  private enqueue(pending: PendingRecord): void {
    this.enqueued++;
    if (this.closing) {
      this.dropped++;
      if (!this.loggedAfterClose)
        this.log('error', 'record store: records enqueued after close are dropped (counted)', { kind: pending.kind });
      this.loggedAfterClose = true;
      return;
    }
    this.queue.push(pending);
    this.trim();
    if (this.writing || this.timerIsRetry) return;
    if (this.queue.length >= this.batchSize) this.writeSoon();
    else if (!this.cancelTimer) this.cancelTimer = this.clock.timer(this.flushIntervalMs, () => this.fire());
  }

  /**
   * Keeps the buffer within its bound by dropping the oldest records, counted. A batch being written is
   * not touched (its write may yet succeed): the waiting records alone are held to the bound meanwhile,
   * so memory stays under bound + batch size; once the batch is back (failed), it goes first.
   */
  private trim(batchIdle = !this.writing): void {
    let excess = this.queue.length + (batchIdle ? this.inFlight.length : 0) - this.capacity;
    if (excess <= 0) return;
    const dropped = excess;
    if (batchIdle) {
      const fromBatch = Math.min(excess, this.inFlight.length);
      this.inFlight = this.inFlight.slice(fromBatch);
      excess -= fromBatch;
    }
    for (; excess > 0 && this.queue.shift() !== undefined; excess--);
    this.countDrop(dropped - excess);
  }

  private countDrop(n: number): void {
    if (n <= 0) return;
    this.dropped += n;
    this.droppedThisOutage += n;
    if (this.droppedThisOutage === n) {
      this.log(
        'error',
        `record store: buffer full (${this.capacity} records), dropping the oldest records until the store answers`,
        {
          backend: this.options.backend,
          bufferRecords: this.capacity,
          failingSince: this.failingSince,
          lastError: this.lastError,
        },
      );
      this.notify();
    }
  }

  private stopTimer(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.timerIsRetry = false;
  }

  private writeSoon(): void {
    this.stopTimer();
    queueMicrotask(() => {
      void this.pump();
    });
  }

  private fire(): void {
    this.cancelTimer = undefined;
    this.timerIsRetry = false;
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      for (;;) {
        // a batch being retried is sent as it was (same records, same batch id): never topped up
        if (this.inFlight.length === 0) {
          while (this.inFlight.length < this.batchSize) {
            const next = this.queue.shift();
            if (next === undefined) break;
            this.inFlight.push(next);
          }
          if (this.inFlight.length === 0) return;
          this.batchSeq++;
        }
        const backlog = !this.connected;
        const ok = await this.writeBatch();
        if (this.abandoned) return this.settleAbandoned();
        if (!ok) return this.scheduleRetry();
        this.recovered();
        // keep going while a full batch waits, someone waits on flush(), or an outage's backlog drains;
        // otherwise let records gather
        if (this.queue.length < this.batchSize && this.waiters.length === 0 && !(backlog && this.queue.length > 0)) {
          if (this.queue.length > 0 && !this.cancelTimer)
            this.cancelTimer = this.clock.timer(this.flushIntervalMs, () => this.fire());
          return;
        }
      }
    } finally {
      this.writing = false;
    }
  }

  /**
   * Writes the in-flight batch kind by kind (one pass to group it); each kind written is counted at once,
   * and on a failure only the kinds not yet written stay in flight (a retry never writes a record twice).
   * False on a store failure.
   */
  private async writeBatch(): Promise<boolean> {
    const groups = new Map<Kind, PendingRecord[]>();
    for (const p of this.inFlight) {
      const group = groups.get(p.kind);
      if (group) group.push(p);
      else groups.set(p.kind, [p]);
    }
    const done = new Set<Kind>();
    for (const kind of KINDS) {
      const records = groups.get(kind);
      if (records === undefined) continue;
      try {
        await writeRecords(this.store, kind, records, `${this.writerId}:${this.batchSeq}:${kind}`);
        done.add(kind);
        this.written += records.length;
        this.inFlightWritten += records.length;
        this.resolveWaiters(this.settled());
      } catch (error) {
        this.inFlight = this.inFlight.filter((p) => !done.has(p.kind));
        this.inFlightWritten = 0;
        if (error instanceof StoreRecordError) {
          this.setAsideMalformed(kind, records);
          return this.inFlight.length === 0 || this.writeBatch();
        }
        this.failed(error);
        return false;
      }
    }
    this.inFlight = [];
    this.inFlightWritten = 0;
    return true;
  }

  /** Removes the records of `kind` that fail validation (each alone), so the rest can be written. */
  private setAsideMalformed(kind: Kind, records: PendingRecord[]): void {
    const bad = new Set<PendingRecord>();
    for (const p of records) {
      try {
        VALIDATE[kind]([p.record] as never[]);
      } catch (error) {
        bad.add(p);
        this.log('error', `record store: malformed ${kind} record not written: ${message(error)}`, {
          kind,
          record: p.record,
        });
      }
    }
    if (bad.size === 0) {
      // the store refused the batch but every record passes alone: treat as a store failure, not the records' fault
      for (const p of records) bad.add(p);
      this.log('error', `record store: ${kind} batch refused as malformed; ${records.length} records set aside`, {
        kind,
      });
    }
    this.inFlight = this.inFlight.filter((p) => !bad.has(p));
    this.rejected += bad.size;
    this.resolveWaiters(this.settled());
  }

  /** After close gave up: whatever of the last batch was not written is dropped, counted. */
  private settleAbandoned(): void {
    const lost = this.inFlight.length;
    this.inFlight = [];
    this.dropped += lost;
  }

  private failed(error: unknown): void {
    this.failures++;
    this.lastError = message(error);
    if (this.connected) {
      this.connected = false;
      this.failingSince = this.clock.now();
      this.log('warn', `record store unreachable, records buffered (up to ${this.capacity}): ${this.lastError}`, {
        backend: this.options.backend,
      });
      this.notify();
    }
    // the batch is back in the buffer: the bound holds across it, the oldest (the batch first) make room
    this.trim(true);
    this.resolveWaiters(this.settled());
  }

  private recovered(): void {
    this.failures = 0;
    if (this.connected) return;
    this.connected = true;
    const since = this.failingSince ?? this.clock.now();
    this.log('info', `record store back after ${this.clock.now() - since} ms; buffered records flushed in order`, {
      backend: this.options.backend,
      droppedThisOutage: this.droppedThisOutage,
    });
    this.droppedThisOutage = 0;
    this.failingSince = undefined;
    this.lastError = undefined;
    this.notify();
  }

  private scheduleRetry(): void {
    const delay = Math.min(this.maxRetryMs, this.retryMs * 2 ** Math.min(20, this.failures - 1));
    this.stopTimer();
    this.timerIsRetry = true;
    this.cancelTimer = this.clock.timer(delay, () => this.fire());
  }

  private resolveWaiters(settled: number): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const w = this.waiters[i];
      if (w && w.target <= settled) {
        this.waiters.splice(i, 1);
        w.resolve();
      }
    }
  }

  private notify(): void {
    const status = this.status();
    for (const listener of this.listeners) listener(status);
  }
}
