import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../model/fake-clock.js';
import { EventBus, type FailsoftEventMap, type FailsoftEventType } from '../../engine/events.js';
import type { ResolvedAlerts } from '../../engine/config/alerts-config.js';
import { IncidentTracker } from '../../store/incident-tracker.js';
import type { EventRecord, IncidentRecord } from '../../store/records.js';
import type { RecordSink } from '../../store/store.js';
import { freePort } from '../../testing/free-port.js';
import { turn } from '../../testing/drive-clock.js';
import { AlertManager, type AlertRecord } from './alert-manager.js';
import type { AlertMessage } from './alert-message.js';
import { startAlertSink, type AlertSink } from './alert-sink.test-helper.js';

const T0 = Date.UTC(2026, 11, 6, 12);
const CLAUDE = { provider: 'claude', model: 'claude-sonnet-4-5', key: 'claude/claude-sonnet-4-5' };

let hook: AlertSink;
let slack: AlertSink;
let pager: AlertSink;
let closedPort: number;
beforeAll(async () => {
  [hook, slack, pager, closedPort] = await Promise.all([
    startAlertSink(),
    startAlertSink({ slack: true }),
    startAlertSink(),
    freePort(),
  ]);
});
afterAll(async () => {
  await Promise.all([hook.close(), slack.close(), pager.close()]);
});

class Sink implements RecordSink {
  events: EventRecord[] = [];
  appendEvent(event: EventRecord): void {
    this.events.push(event);
  }
  upsertIncident(_incident: IncidentRecord): void {
    /* not needed */
  }
  upsertJobRun(): void {
    /* not needed */
  }
  putSwitch(): void {
    /* not needed */
  }
  addAggregate(): void {
    /* not needed */
  }
}

function rig(alerts: ResolvedAlerts, env: Record<string, string>) {
  hook.received.length = 0;
  slack.received.length = 0;
  const clock = new FakeClock(T0);
  const bus = new EventBus((error) => {
    throw error;
  });
  const sink = new Sink();
  const tracker = new IncidentTracker({ sink, instance: 't', clock, quietPeriodMs: 60_000, random: () => 0.5 });
  tracker.attach(bus);
  const records: AlertRecord[] = [];
  const logged: string[] = [];
  const manager = new AlertManager({
    alerts,
    env,
    writeLog: (line) => logged.push(line),
    clock,
    current: () => tracker.current,
    record: (r) => records.push(r),
  });
  manager.attach(tracker);
  const emit = <K extends FailsoftEventType>(type: K, payload: FailsoftEventMap[K]): void =>
    bus.emit(type, clock.now(), payload);
  /** Moves fake time while real I/O (the sinks) completes. */
  const run = async (ms: number): Promise<void> => {
    for (let t = 0; t < ms; t += 250) {
      await clock.advance(250);
      for (let i = 0; i < 3; i++) await turn();
    }
    let idle = false;
    void manager.idle().then(() => {
      idle = true;
    });
    for (let i = 0; !idle && i < 1_000; i++) {
      await clock.advance(250);
      for (let j = 0; j < 3; j++) await turn();
    }
  };
  const outage = (): void => {
    emit('provider-opened', { ...CLAUDE, reason: 'consecutive-failures' });
    for (let i = 0; i < 2_000; i++) {
      emit('attempt-failed', {
        feature: 'summary',
        ...CLAUDE,
        class: 'overloaded',
        status: 529,
        ms: 3,
        message: 'overloaded',
      });
      emit('request-completed', { feature: 'summary', source: 'fallback', degraded: true, ms: 4, attempts: [] });
    }
    emit('feature-mode-changed', { feature: 'summary', from: 'normal', to: 'fallback' });
  };
  return { clock, emit, run, outage, records, logged, manager, sink };
}

const DELIVERY = { attempts: 5, backoffMs: 2_000, timeoutMs: 1_000 };

describe('AlertManager', () => {
  it('an outage with thousands of failed requests: exactly one firing and one resolved per channel, Slack payloads valid', async () => {
    const { run, outage, emit, records, logged, manager } = rig(
      {
        channels: [
          { kind: 'webhook', name: 'hook', urlEnv: 'HOOK', minSeverity: 'warning' },
          { kind: 'slack', name: 'slack', urlEnv: 'SLACK', minSeverity: 'warning' },
          { kind: 'log', name: 'log', minSeverity: 'warning' },
        ],
        delivery: DELIVERY,
      },
      { HOOK: hook.url, SLACK: slack.url },
    );
    outage();
    await run(5_000);
    outage(); // more failures while it is open: nothing more
    await run(5_000);
    emit('provider-closed', { ...CLAUDE, reason: 'probe succeeded' });
    emit('feature-mode-changed', { feature: 'summary', from: 'fallback', to: 'normal' });
    await run(61_000);
    const bodies = hook.received as AlertMessage[];
    expect(bodies.map((b) => b.status)).toEqual(['firing', 'resolved']);
    expect(bodies[0]).toMatchObject({
      severity: 'warning',
      summary: 'AI degraded: claude/claude-sonnet-4-5 overloaded; summary on fallback; core OK',
      incident: { resolvedAt: null },
    });
    expect(Object.keys(bodies[0] ?? {}).sort()).toEqual(['incident', 'severity', 'status', 'summary']);
    expect(Object.keys(bodies[0]?.incident ?? {}).sort()).toEqual(['id', 'openedAt', 'resolvedAt', 'title']);
    expect(bodies[1]).toMatchObject({ status: 'resolved', incident: { id: bodies[0]?.incident.id } });
    expect(bodies[1]?.incident.resolvedAt).toEqual(expect.any(String));
    expect(slack.rejected).toEqual([]);
    expect(slack.received).toHaveLength(2);
    expect((slack.received[0] as { text: string }).text).toBe(
      ':warning: AI degraded: claude/claude-sonnet-4-5 overloaded; summary on fallback; core OK',
    );
    expect(logged).toHaveLength(2);
    expect(records.map((r) => `${r.type} ${String(r.data.channel)} ${String(r.data.status)}`).sort()).toEqual([
      'alert-sent hook firing',
      'alert-sent hook resolved',
      'alert-sent log firing',
      'alert-sent log resolved',
      'alert-sent slack firing',
      'alert-sent slack resolved',
    ]);
    expect(manager.deliveries()).toContainEqual({ channel: 'hook', status: 'sent', count: 2 });
  });

  it('a core check failing during an AI incident: one critical alert, no extra AI warning; a critical-only channel sees only that and its resolve', async () => {
    const { run, outage, emit } = rig(
      {
        channels: [
          { kind: 'webhook', name: 'hook', urlEnv: 'HOOK', minSeverity: 'warning' },
          { kind: 'webhook', name: 'pager', urlEnv: 'PAGER', minSeverity: 'critical' },
        ],
        delivery: DELIVERY,
      },
      { HOOK: hook.url, PAGER: pager.url },
    );
    outage();
    await run(3_000);
    emit('core-check-failed', { check: 'db', kind: 'postgres', detail: 'connection refused (127.0.0.1:5432)', ms: 2 });
    await run(3_000);
    // More AI trouble while core is down: folded into the critical incident, nothing sent.
    emit('provider-opened', {
      provider: 'gpt',
      model: 'gpt-4o-mini',
      key: 'gpt/gpt-4o-mini',
      reason: 'consecutive-failures',
    });
    emit('feature-mode-changed', { feature: 'chat', from: 'normal', to: 'unavailable' });
    await run(3_000);
    const bodies = hook.received as AlertMessage[];
    expect(bodies.map((b) => `${b.status} ${b.severity}`)).toEqual(['firing warning', 'firing critical']);
    expect(bodies[1]?.summary).toBe(
      'CRITICAL: db down (core dependency); also AI degraded: claude/claude-sonnet-4-5 overloaded; summary on fallback',
    );
    expect((pager.received as AlertMessage[]).map((b) => `${b.status} ${b.severity}`)).toEqual(['firing critical']);
    emit('core-check-recovered', { check: 'db', kind: 'postgres', detail: 'ok', ms: 2, downMs: 6_000 });
    for (const [provider, model] of [
      ['claude', 'claude-sonnet-4-5'],
      ['gpt', 'gpt-4o-mini'],
    ] as const)
      emit('provider-closed', { provider, model, key: `${provider}/${model}`, reason: 'ok' });
    emit('feature-mode-changed', { feature: 'summary', from: 'fallback', to: 'normal' });
    emit('feature-mode-changed', { feature: 'chat', from: 'unavailable', to: 'normal' });
    await run(61_000);
    expect((hook.received as AlertMessage[]).map((b) => `${b.status} ${b.severity}`)).toEqual([
      'firing warning',
      'firing critical',
      'resolved critical',
    ]);
    expect((pager.received as AlertMessage[]).map((b) => `${b.status} ${b.severity}`)).toEqual([
      'firing critical',
      'resolved critical',
    ]);
  });

  it('a webhook that is down: each message tried 5 times with backoff, then alert-failed on the incident and counted; nothing thrown', async () => {
    const { run, outage, records, manager, clock } = rig(
      { channels: [{ kind: 'webhook', name: 'hook', urlEnv: 'HOOK', minSeverity: 'warning' }], delivery: DELIVERY },
      { HOOK: `http://127.0.0.1:${closedPort}/hook` },
    );
    const started = clock.now();
    outage();
    await run(40_000);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      type: 'alert-failed',
      severity: 'warning',
      data: { channel: 'hook', tries: 5, error: `connection refused (127.0.0.1:${closedPort})` },
    });
    expect(records[0]?.message).toContain(
      'firing warning alert on hook (webhook) not delivered after 5 tries: connection refused',
    );
    expect(records[0]?.incidentId).toMatch(/^inc_/);
    // 1 s group wait, then waits of 2 + 4 + 8 + 16 s between the 5 tries.
    expect((records[0]?.at ?? 0) - started).toBeGreaterThanOrEqual(31_000);
    expect((records[0]?.at ?? 0) - started).toBeLessThan(33_000);
    expect(manager.deliveries()).toEqual([{ channel: 'hook', status: 'failed', count: 1 }]);
  });
});

describe('AlertManager after a restart', () => {
  it('an incident resumed open is taken as alerted: no second firing, and its resolve is sent', async () => {
    hook.received.length = 0;
    const clock = new FakeClock(T0);
    const bus = new EventBus((error) => {
      throw error;
    });
    const tracker = new IncidentTracker({
      sink: new Sink(),
      instance: 't',
      clock,
      quietPeriodMs: 10_000,
      random: () => 0.5,
    });
    tracker.resume([
      {
        id: 'inc_resumed',
        status: 'open',
        severity: 'warning',
        title: 'claude/claude-sonnet-4-5 overloaded',
        openedAt: T0 - 60_000,
        components: ['provider:claude/claude-sonnet-4-5'],
        counts: { requests: 0, failedAttempts: 0, byClass: {}, fallbacks: 0, errors: 0, modeMs: {} },
        updatedAt: T0 - 1_000,
        instance: 't',
      } as unknown as IncidentRecord,
    ]);
    tracker.attach(bus);
    const manager = new AlertManager({
      alerts: {
        channels: [{ kind: 'webhook', name: 'hook', urlEnv: 'HOOK', minSeverity: 'warning' }],
        delivery: DELIVERY,
      },
      env: { HOOK: hook.url },
      writeLog: () => undefined,
      clock,
      current: () => tracker.current,
      record: () => undefined,
    });
    manager.attach(tracker);
    for (let t = 0; t < 12_000; t += 500) {
      await clock.advance(500);
      await turn();
    }
    let idle = false;
    void manager.idle().then(() => {
      idle = true;
    });
    for (let i = 0; !idle && i < 200; i++) await turn();
    expect((hook.received as AlertMessage[]).map((m) => `${m.status} ${m.incident.id}`)).toEqual([
      'resolved inc_resumed',
    ]);
  });
});
