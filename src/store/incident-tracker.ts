/**
 * Turns the engine's events into the record: every state change an `EventRecord`, kill switch changes
 * `SwitchRecord`s, requests per-minute `RequestAggregate`s, and state changes grouped into incidents.
 *
 * An incident opens with the first warning (or critical) event, collects every state change while it is
 * open, and closes once every condition it saw is healthy again (breaker closed, cool-down over, feature
 * answering with AI, budget recovered, switch on, shared state back) and has stayed so for the quiet
 * period. Its `resolvedAt` is when the last condition recovered (the quiet period only confirms it).
 * Everything is written through a `RecordSink` (enqueue only): nothing here waits on a database.
 */
import { systemClock, type Clock } from '../model/clock.js';
import { describeEvent } from '../engine/event-messages.js';
import { DEFAULT_QUIET_PERIOD_MS } from '../engine/config/resolve-config.js';
import type { FailsoftEvent, FeatureMode } from '../engine/events.js';
import type { IncidentRecord, Severity } from './records.js';
import type { RecordSink } from './store.js';
import { IncidentCounter } from './incident-counts.js';
import { RequestAggregator, MINUTE_MS } from './incident-aggregates.js';
import { readEvent, SEVERITY_RANK, type IncidentReading } from './incident-rules.js';
import { IncidentTitle } from './incident-title.js';

export { DEFAULT_QUIET_PERIOD_MS };
/** An open incident's record is written at most this often while it changes (and always on open and close). */
export const DEFAULT_UPSERT_EVERY_MS = 5_000;

/** Options of `IncidentTracker`. */
export interface IncidentTrackerOptions {
  /** Where records go (the batching writer). */
  sink: RecordSink;
  /** Which instance writes (stored on every record). */
  instance: string;
  clock?: Clock;
  /** How long everything must stay healthy before an incident closes (default 5 min). */
  quietPeriodMs?: number;
  /** Throttle of the open incident's record (default 5 s). */
  upsertEveryMs?: number;
  /** For incident ids (tests pass a fixed function). */
  random?: () => number;
}

/**
 * A change in an incident's life, for alerting: it opened, its severity rose (`escalated`), or it resolved.
 * `incident` is its record at that moment.
 */
export interface IncidentChange {
  kind: 'opened' | 'escalated' | 'resolved';
  incident: IncidentRecord;
}

/** What the tracker subscribes to: an engine (`Failsoft`) or anything with its `on('*')`. */
export interface EventSource {
  on(type: '*', listener: (event: FailsoftEvent) => void): () => void;
}

interface OpenIncident {
  id: string;
  openedAt: number;
  severity: Exclude<Severity, 'info'>;
  components: Set<string>;
  title: IncidentTitle;
  /** Start of this run's counting of mode time (openedAt, or the restart for a resumed incident). */
  countingFrom: number;
}

/**
 * Groups the engine's events into incidents and writes the record.
 * @example const tracker = new IncidentTracker({ sink: writer, instance: 'gw-1' }); const off = tracker.attach(ai);
 */
export class IncidentTracker {
  private readonly sink: RecordSink;
  private readonly instance: string;
  private readonly clock: Clock;
  private readonly quietPeriodMs: number;
  private readonly upsertEveryMs: number;
  private readonly random: () => number;
  private incident: OpenIncident | undefined;
  /** Troubled conditions (`breaker:KEY`, `feature:NAME`, …): healthy once removed, or once `until` has passed. */
  private readonly conditions = new Map<string, { until?: number }>();
  /** Last recovery (or momentary trouble): the quiet period counts from here. */
  private lastActivity = 0;
  private readonly modes = new Map<string, { mode: FeatureMode; since: number }>();
  private readonly counter = new IncidentCounter();
  private readonly aggregates: RequestAggregator;
  private cancelClose: (() => void) | undefined;
  private cancelUpsert: (() => void) | undefined;
  private cancelMinute: (() => void) | undefined;
  private lastUpsert = Number.NEGATIVE_INFINITY;
  private unsubscribe: (() => void) | undefined;
  private readonly changeListeners = new Set<(change: IncidentChange) => void>();
  /**
   * A breaker opening, held until the failed attempt that opened it has been counted (the engine reports the
   * opening first), so its line says "overloaded (529 × 5)" with all five. Written at the next event, or at
   * the end of the current turn, whichever comes first.
   */
  private pendingOpened:
    | { event: FailsoftEvent<'provider-opened'>; component: string; incidentId: string | undefined }
    | undefined;

  constructor(options: IncidentTrackerOptions) {
    this.sink = options.sink;
    this.instance = options.instance;
    this.clock = options.clock ?? systemClock;
    this.quietPeriodMs = options.quietPeriodMs ?? DEFAULT_QUIET_PERIOD_MS;
    this.upsertEveryMs = options.upsertEveryMs ?? DEFAULT_UPSERT_EVERY_MS;
    this.random = options.random ?? Math.random;
    this.aggregates = new RequestAggregator(this.instance);
  }

  /** Subscribes to every event of `ai` and starts the per-minute flush; returns `stop`. */
  attach(ai: EventSource): () => void {
    this.unsubscribe?.();
    this.unsubscribe = ai.on('*', (event) => this.observe(event));
    this.scheduleMinute();
    return () => this.stop();
  }

  /**
   * Calls `listener` when an incident opens, when its severity rises and when it resolves (never per request);
   * returns `off`. A throwing listener is ignored.
   * @example tracker.onIncident(({ kind, incident }) => console.log(kind, incident.title));
   */
  onIncident(listener: (change: IncidentChange) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  private tell(kind: IncidentChange['kind'], incident: IncidentRecord): void {
    for (const listener of this.changeListeners) {
      try {
        listener({ kind, incident });
      } catch {
        // An alerting failure never breaks the record.
      }
    }
  }

  /** The open incident as it would be written now, if one is open. */
  get current(): IncidentRecord | undefined {
    return this.incident ? this.record(this.incident, this.clock.now()) : undefined;
  }

  /**
   * Takes over incidents a previous run of this instance left open (it stopped mid-incident). The newest is
   * resumed: same id and counts, and it closes after a quiet period from now unless trouble returns (the new
   * process starts with every breaker closed, so it cannot know the old troubles: it gives them a quiet period
   * to show again). Older ones are closed at their last update. Incidents of other instances are left alone,
   * unless `adoptAll` (a store only one process can open, like PGlite: whatever is open there was left by a
   * process that is gone, whatever it called itself).
   */
  resume(open: readonly IncidentRecord[], options: { adoptAll?: boolean } = {}): void {
    const now = this.clock.now();
    const mine = open
      .filter((i) => i.status === 'open' && (options.adoptAll === true || i.instance === this.instance))
      .sort((a, b) => b.openedAt - a.openedAt);
    const [newest, ...older] = this.incident ? [undefined, ...mine] : mine;
    for (const stale of older) {
      if (!stale) continue;
      this.sink.upsertIncident({ ...stale, status: 'resolved', resolvedAt: stale.updatedAt, updatedAt: now });
      this.note(
        stale.id,
        now,
        'incident-closed',
        `closed at restart: its instance stopped while it was open (last update ${new Date(stale.updatedAt).toISOString()})`,
      );
    }
    if (!newest) return;
    this.counter.reset(newest.counts);
    this.incident = {
      id: newest.id,
      openedAt: newest.openedAt,
      severity: newest.severity,
      components: new Set(newest.components),
      title: new IncidentTitle(newest.title),
      countingFrom: now,
    };
    this.lastActivity = now;
    this.note(
      newest.id,
      now,
      'incident-resumed',
      `failsoft restarted: incident resumed; it closes after ${Math.round(this.quietPeriodMs / 1000)} s without trouble`,
    );
    this.upsert();
    this.evaluate(now);
  }

  /** Reads one engine event (what `attach` subscribes). */
  observe(event: FailsoftEvent): void {
    const pending = this.pendingOpened;
    if (pending) {
      if (event.type === 'attempt-failed' && `${event.provider}/${event.model}` === pending.event.key) {
        this.counter.countFailure(event, this.incident !== undefined);
        this.writeOpened();
        return this.changed();
      }
      this.writeOpened();
    }
    switch (event.type) {
      case 'request-completed':
        this.counter.countRequest(event, this.incident !== undefined);
        this.aggregates.add(event);
        return this.changed();
      case 'attempt-failed':
        this.counter.countFailure(event, this.incident !== undefined);
        return this.changed();
      case 'attempt-hedged':
        return undefined;
      default:
        return this.stateChange(event);
    }
  }

  /** Stops listening, flushes the minute aggregates and writes the open incident's latest state (it stays open). */
  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.writeOpened();
    for (const cancel of [this.cancelClose, this.cancelUpsert, this.cancelMinute]) cancel?.();
    this.cancelClose = this.cancelUpsert = this.cancelMinute = undefined;
    this.aggregates.flush(this.sink, this.clock.now(), true);
    if (this.incident) this.upsert();
  }

  private stateChange(event: FailsoftEvent): void {
    const reading = readEvent(event);
    if (event.type === 'feature-mode-changed') this.modeChanged(event.feature, event.to, event.at);
    if (event.type === 'switch-changed')
      this.sink.putSwitch({
        target: event.target,
        enabled: event.enabled,
        source: event.source,
        at: event.at,
        instance: this.instance,
      });
    this.track(reading, event.at);
    const opening =
      !this.incident &&
      SEVERITY_RANK[reading.severity] >= SEVERITY_RANK.warning &&
      (reading.effect === 'trouble' || reading.effect === 'blip');
    if (opening) this.open(event.at);
    const incident = this.incident;
    let escalated = false;
    if (incident) {
      incident.components.add(reading.component);
      if (reading.severity !== 'info' && SEVERITY_RANK[reading.severity] > SEVERITY_RANK[incident.severity]) {
        incident.severity = reading.severity;
        escalated = !opening;
      }
      if (event.type !== 'provider-opened' && (reading.effect === 'trouble' || reading.effect === 'blip'))
        incident.title.note(event, reading.component);
    }
    if (event.type === 'provider-opened') {
      this.pendingOpened = { event, component: reading.component, incidentId: incident?.id };
      queueMicrotask(() => this.writeOpened());
    } else {
      this.append(event, reading.severity, describeEvent(event)[1], reading.component, incident?.id);
    }
    if (opening) this.upsert();
    else this.changed();
    if (incident && (opening || escalated))
      this.tell(opening ? 'opened' : 'escalated', this.record(incident, this.clock.now()));
    this.evaluate(this.clock.now());
  }

  /** Writes the held breaker opening, with the failures its route saw before it opened. */
  private writeOpened(): void {
    const pending = this.pendingOpened;
    if (!pending) return;
    this.pendingOpened = undefined;
    const { event } = pending;
    const recent = this.counter.takeRecentFailures(event.key);
    const base = describeEvent(event)[1];
    if (this.incident && this.incident.id === pending.incidentId)
      this.incident.title.note(event, pending.component, recent?.topClass);
    this.append(event, 'warning', recent ? `${base} — ${recent.text}` : base, pending.component, pending.incidentId);
    this.changed();
  }

  private append(
    event: FailsoftEvent,
    severity: Severity,
    message: string,
    component: string,
    incidentId: string | undefined,
  ): void {
    const { type, at, ...data } = event;
    this.sink.appendEvent({
      at,
      type,
      severity,
      message,
      component,
      data,
      instance: this.instance,
      ...(incidentId === undefined ? {} : { incidentId }),
    });
  }

  private track(reading: IncidentReading, at: number): void {
    if (reading.effect === 'trouble' && reading.condition !== undefined) {
      this.conditions.set(reading.condition, reading.until === undefined ? {} : { until: reading.until });
    } else if (reading.effect === 'recovery' && reading.condition !== undefined) {
      this.conditions.delete(reading.condition);
      this.lastActivity = Math.max(this.lastActivity, at);
    } else if (reading.effect === 'blip') {
      this.lastActivity = Math.max(this.lastActivity, at);
    }
  }

  private modeChanged(feature: string, to: FeatureMode, at: number): void {
    const previous = this.modes.get(feature);
    if (previous && this.incident)
      this.counter.addModeTime(feature, previous.mode, at - Math.max(previous.since, this.incident.countingFrom));
    this.modes.set(feature, { mode: to, since: at });
  }

  private open(at: number): void {
    this.incident = {
      id: this.newId(at),
      openedAt: at,
      severity: 'warning',
      components: new Set(),
      title: new IncidentTitle(),
      countingFrom: at,
    };
    this.counter.reset();
    this.lastActivity = at;
  }

  /** Closes the incident when nothing is troubled and the quiet period has passed; else schedules the next look. */
  private evaluate(now: number): void {
    if (!this.incident) return;
    this.cancelClose?.();
    this.cancelClose = undefined;
    let nextUntil = Number.POSITIVE_INFINITY;
    let troubled = false;
    for (const [name, condition] of this.conditions) {
      if (condition.until !== undefined && condition.until <= now) {
        // A cool-down is over when its time has passed, whether or not its end was reported.
        this.conditions.delete(name);
        this.lastActivity = Math.max(this.lastActivity, condition.until);
        continue;
      }
      troubled = true;
      if (condition.until !== undefined) nextUntil = Math.min(nextUntil, condition.until);
    }
    if (troubled) {
      if (Number.isFinite(nextUntil))
        this.cancelClose = this.clock.timer(nextUntil - now, () => this.evaluate(this.clock.now()));
      return;
    }
    const quietEnd = this.lastActivity + this.quietPeriodMs;
    if (now >= quietEnd) return this.close(this.lastActivity, now);
    this.cancelClose = this.clock.timer(quietEnd - now, () => this.evaluate(this.clock.now()));
  }

  private close(resolvedAt: number, now: number): void {
    const incident = this.incident;
    if (!incident) return;
    this.cancelUpsert?.();
    this.cancelUpsert = undefined;
    // Mode time counts to the close: a feature still on failover was served by AI all along.
    const record = this.record(incident, now);
    this.incident = undefined;
    const resolved: IncidentRecord = { ...record, status: 'resolved', resolvedAt, updatedAt: now };
    this.sink.upsertIncident(resolved);
    this.lastUpsert = now;
    this.tell('resolved', resolved);
  }

  /** Something the open incident counts changed: write it now, or at most once per `upsertEveryMs`. */
  private changed(): void {
    if (!this.incident || this.cancelUpsert) return;
    const wait = this.lastUpsert + this.upsertEveryMs - this.clock.now();
    if (wait <= 0) return this.upsert();
    this.cancelUpsert = this.clock.timer(wait, () => {
      this.cancelUpsert = undefined;
      this.upsert();
    });
  }

  private upsert(): void {
    if (!this.incident) return;
    this.cancelUpsert?.();
    this.cancelUpsert = undefined;
    const now = this.clock.now();
    this.sink.upsertIncident(this.record(this.incident, now));
    this.lastUpsert = now;
  }

  private record(incident: OpenIncident, now: number): IncidentRecord {
    return {
      id: incident.id,
      status: 'open',
      severity: incident.severity,
      title: incident.title.text(),
      openedAt: incident.openedAt,
      components: [...incident.components],
      counts: this.counter.snapshot(now, this.modes, incident.countingFrom),
      updatedAt: now,
      instance: this.instance,
    };
  }

  /** A lifecycle line of the incident itself (resumed, closed at restart). */
  private note(incidentId: string, at: number, type: string, message: string): void {
    this.sink.appendEvent({
      at,
      type,
      severity: 'info',
      message,
      component: 'failsoft',
      incidentId,
      data: {},
      instance: this.instance,
    });
  }

  private scheduleMinute(): void {
    const now = this.clock.now();
    const next = (Math.floor(now / MINUTE_MS) + 1) * MINUTE_MS;
    this.cancelMinute = this.clock.timer(next - now, () => {
      this.aggregates.flush(this.sink, this.clock.now());
      this.scheduleMinute();
    });
  }

  /** `inc_20261206T120000Z_3fa2`: sortable by time, unique across instances in practice. */
  private newId(at: number): string {
    const stamp = new Date(at)
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z');
    const suffix = Math.floor(this.random() * 0x10000)
      .toString(16)
      .padStart(4, '0');
    return `inc_${stamp}_${suffix}`;
  }
}
