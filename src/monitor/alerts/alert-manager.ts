/**
 * One calm alert per incident: a message when it opens, one when its severity rises, one when it resolves —
 * never one per request. It hangs on the incident tracker's changes, not on engine events. While a critical
 * (core) incident is open, AI trouble joins it and sends nothing more: inhibition comes from the incident
 * itself. Deliveries run beside the request path (never awaited by it), retry with backoff, and every outcome
 * is recorded on the incident (`alert-sent`, `alert-failed`) and counted per channel.
 */
import { systemClock, type Clock } from '../../model/clock.js';
import type { ResolvedAlertChannel, ResolvedAlerts } from '../../engine/config/alerts-config.js';
import type { IncidentChange } from '../../store/incident-tracker.js';
import type { IncidentRecord, Severity } from '../../store/records.js';
import { deliver, type ChannelContext } from './alert-delivery.js';
import { alertMessage, type AlertMessage } from './alert-message.js';

/** A delivery outcome as a record on the incident's timeline. */
export interface AlertRecord {
  at: number;
  type: 'alert-sent' | 'alert-failed';
  severity: Severity;
  message: string;
  incidentId: string;
  data: Record<string, unknown>;
}

/** Options of `AlertManager`. */
export interface AlertManagerOptions extends ChannelContext {
  alerts: ResolvedAlerts;
  clock?: Clock;
  /**
   * How long after an incident opens its first message waits (default 1 s), so it carries a settled title
   * and an escalation in the same moment is one message, not two.
   */
  groupWaitMs?: number;
  /** The open incident now (its latest title and severity). */
  current: () => IncidentRecord | undefined;
  /** Writes a delivery outcome on the incident (the record writer). */
  record: (entry: AlertRecord) => void;
}

/** Something with the tracker's `onIncident`. */
export interface IncidentChanges {
  onIncident(listener: (change: IncidentChange) => void): () => void;
}

const RANK: Record<'warning' | 'critical', number> = { warning: 1, critical: 2 };
export const DEFAULT_GROUP_WAIT_MS = 1_000;

interface IncidentAlerts {
  cancelWait: (() => void) | undefined;
  /** Channel name → the severity its last firing message carried. */
  sent: Map<string, 'warning' | 'critical'>;
}

/**
 * Turns incident changes into alert messages on every channel.
 * @example const alerts = new AlertManager({ alerts: config.alerts, env, writeLog, current: () => tracker.current, record }); alerts.attach(tracker);
 */
export class AlertManager {
  private readonly clock: Clock;
  private readonly groupWaitMs: number;
  private readonly incidents = new Map<string, IncidentAlerts>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly counts = new Map<string, { channel: string; status: 'sent' | 'failed'; count: number }>();

  constructor(private readonly options: AlertManagerOptions) {
    this.clock = options.clock ?? systemClock;
    this.groupWaitMs = options.groupWaitMs ?? DEFAULT_GROUP_WAIT_MS;
  }

  /**
   * Listens to the tracker's incident changes; returns `off`. An incident already open (resumed after a restart)
   * was alerted by the run that opened it: it is taken as sent, so it gets its resolve message and no second firing.
   */
  attach(changes: IncidentChanges): () => void {
    const open = this.options.current();
    if (open && !this.incidents.has(open.id)) {
      const severity = open.severity === 'critical' ? 'critical' : 'warning';
      const sent = new Map(
        this.options.alerts.channels
          .filter((c) => RANK[severity] >= RANK[c.minSeverity])
          .map((c) => [c.name, severity] as const),
      );
      this.incidents.set(open.id, { cancelWait: undefined, sent });
    }
    return changes.onIncident((change) => this.handle(change));
  }

  /** Reads one incident change. */
  handle(change: IncidentChange): void {
    const { kind, incident } = change;
    if (kind === 'opened') {
      const state: IncidentAlerts = { cancelWait: undefined, sent: new Map() };
      this.incidents.set(incident.id, state);
      state.cancelWait = this.clock.timer(this.groupWaitMs, () => {
        state.cancelWait = undefined;
        this.fire(incident.id, incident);
      });
      return;
    }
    const state = this.incidents.get(incident.id);
    if (!state) return;
    if (kind === 'escalated') {
      // Still waiting: the first message will carry the new severity.
      if (state.cancelWait === undefined) this.fire(incident.id, incident);
      return;
    }
    state.cancelWait?.();
    this.incidents.delete(incident.id);
    const message = alertMessage(incident, 'resolved');
    for (const channel of this.options.alerts.channels)
      if (state.sent.has(channel.name)) this.dispatch(channel, message, incident.id);
  }

  /** Deliveries so far, per channel and outcome (for `failsoft_alerts_sent_total`). */
  deliveries(): Array<{ channel: string; status: 'sent' | 'failed'; count: number }> {
    return [...this.counts.values()].map((c) => ({ ...c }));
  }

  /** Resolves once every delivery under way has ended (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /** Cancels first messages still waiting (deliveries under way finish). */
  close(): void {
    for (const state of this.incidents.values()) state.cancelWait?.();
  }

  private fire(id: string, fallback: IncidentRecord): void {
    const now = this.options.current();
    const incident = now && now.id === id ? now : fallback;
    const severity = incident.severity === 'critical' ? 'critical' : 'warning';
    const state = this.incidents.get(id);
    if (!state) return;
    const message = alertMessage(incident, 'firing');
    for (const channel of this.options.alerts.channels) {
      if (RANK[severity] < RANK[channel.minSeverity]) continue;
      const already = state.sent.get(channel.name);
      if (already !== undefined && RANK[already] >= RANK[severity]) continue;
      state.sent.set(channel.name, severity);
      this.dispatch(channel, message, id);
    }
  }

  private dispatch(channel: ResolvedAlertChannel, message: AlertMessage, incidentId: string): void {
    const delivery = deliver(channel, message, this.options, this.options.alerts.delivery, this.clock)
      .then((outcome) => {
        this.count(channel.name, outcome.ok ? 'sent' : 'failed');
        const what = `${message.status} ${message.severity} alert on ${channel.name} (${channel.kind})`;
        this.options.record({
          at: this.clock.now(),
          type: outcome.ok ? 'alert-sent' : 'alert-failed',
          severity: outcome.ok ? 'info' : 'warning',
          incidentId,
          message: outcome.ok
            ? `${what} delivered${outcome.tries > 1 ? ` on try ${outcome.tries}` : ''}`
            : `${what} not delivered after ${outcome.tries} tries: ${outcome.error ?? 'unknown error'}`,
          data: {
            channel: channel.name,
            kind: channel.kind,
            status: message.status,
            alertSeverity: message.severity,
            tries: outcome.tries,
            ...(outcome.error === undefined ? {} : { error: outcome.error }),
          },
        });
      })
      .catch(() => undefined);
    this.inFlight.add(delivery);
    void delivery.finally(() => this.inFlight.delete(delivery));
  }

  private count(channel: string, status: 'sent' | 'failed'): void {
    const key = `${channel}\u0000${status}`;
    const entry = this.counts.get(key) ?? { channel, status, count: 0 };
    entry.count++;
    this.counts.set(key, entry);
  }
}
