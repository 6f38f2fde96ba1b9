import { describe, expect, it } from 'vitest';
import { FakeClock } from '../model/fake-clock.js';
import { EventBus, type FailsoftEventMap, type FailsoftEventType } from '../engine/events.js';
import type { EventRecord, IncidentRecord, RequestAggregate, SwitchRecord } from './records.js';
import type { RecordSink } from './store.js';
import { IncidentTracker } from './incident-tracker.js';

/** A sink that keeps what it was given, in order. */
class RecordingSink implements RecordSink {
  events: EventRecord[] = [];
  incidents: IncidentRecord[] = [];
  switches: SwitchRecord[] = [];
  aggregates: RequestAggregate[] = [];
  appendEvent(event: EventRecord): void {
    this.events.push(event);
  }
  upsertIncident(incident: IncidentRecord): void {
    this.incidents.push(structuredClone(incident));
  }
  upsertJobRun(): void {
    /* not written by the tracker */
  }
  putSwitch(state: SwitchRecord): void {
    this.switches.push(state);
  }
  addAggregate(aggregate: RequestAggregate): void {
    this.aggregates.push(aggregate);
  }
  /** The latest version of each incident. */
  latest(): IncidentRecord[] {
    const byId = new Map<string, IncidentRecord>();
    for (const incident of this.incidents) byId.set(incident.id, incident);
    return [...byId.values()];
  }
}

const T0 = Date.UTC(2026, 11, 6, 12, 0, 0);
const CLAUDE = { provider: 'claude', model: 'claude-sonnet-4-5', key: 'claude/claude-sonnet-4-5' };
const GPT = { provider: 'gpt', model: 'gpt-4o-mini', key: 'gpt/gpt-4o-mini' };

function rig(quietPeriodMs = 60_000) {
  const clock = new FakeClock(T0);
  const bus = new EventBus((error) => {
    throw error;
  });
  const sink = new RecordingSink();
  const tracker = new IncidentTracker({ sink, instance: 'gw-1', clock, quietPeriodMs, random: () => 0.25 });
  const stop = tracker.attach(bus);
  const emit = <K extends FailsoftEventType>(type: K, payload: FailsoftEventMap[K]): void =>
    bus.emit(type, clock.now(), payload);
  const fail = (route: typeof CLAUDE, errorClass: 'overloaded' | 'rate_limited', status: number): void =>
    emit('attempt-failed', {
      feature: 'summary',
      provider: route.provider,
      model: route.model,
      class: errorClass,
      status,
      ms: 5,
      message: 'x',
    });
  const served = (
    route: typeof CLAUDE | undefined,
    source: 'provider' | 'fallback' | 'error' = 'provider',
    degraded = false,
  ): void =>
    emit('request-completed', {
      feature: 'summary',
      source,
      degraded,
      ms: 40,
      attempts: [],
      ...(route ? { provider: route.provider, model: route.model } : {}),
    });
  return { clock, bus, sink, tracker, stop, emit, fail, served };
}

describe('IncidentTracker', () => {
  it('opens an incident on a provider opening, naming what it failed with, and writes every state change with it', () => {
    const { sink, emit, fail, tracker } = rig();
    emit('budget-recovered', { provider: 'claude' });
    for (let i = 0; i < 4; i++) fail(CLAUDE, 'overloaded', 529);
    // The engine reports the opening before the failed attempt that caused it: that one counts too.
    emit('provider-opened', { ...CLAUDE, reason: 'consecutive-failures' });
    fail(CLAUDE, 'overloaded', 529);
    emit('feature-mode-changed', { feature: 'summary', from: 'normal', to: 'fallback' });

    const incident = tracker.current;
    expect(incident).toMatchObject({
      id: 'inc_20261206T120000Z_4000',
      status: 'open',
      severity: 'warning',
      openedAt: T0,
    });
    expect(incident?.title).toBe('claude/claude-sonnet-4-5 overloaded; summary on fallback');
    expect(incident?.components).toEqual(['provider:claude/claude-sonnet-4-5', 'feature:summary']);
    expect(sink.events.map((e) => [e.type, e.incidentId])).toEqual([
      ['budget-recovered', undefined],
      ['provider-opened', incident?.id],
      ['feature-mode-changed', incident?.id],
    ]);
    expect(sink.events[1]?.message).toBe(
      'claude/claude-sonnet-4-5 opened: consecutive-failures — overloaded (529 × 5)',
    );
    expect(sink.events[1]).toMatchObject({
      severity: 'warning',
      component: 'provider:claude/claude-sonnet-4-5',
      instance: 'gw-1',
      data: { ...CLAUDE, reason: 'consecutive-failures' },
    });
    // Written on open, before anything else happened.
    expect(sink.incidents[0]).toMatchObject({ id: incident?.id, status: 'open' });
    // Failed attempts and requests are counted, never stored one by one.
    expect(sink.events.some((e) => e.type === 'attempt-failed' || e.type === 'request-completed')).toBe(false);
  });

  it('counts requests by provider, fallbacks, refusals, failures by class and time per feature mode while open', async () => {
    const { clock, emit, fail, served, tracker } = rig();
    served(CLAUDE); // before the incident: not counted
    emit('provider-opened', { ...CLAUDE, reason: 'consecutive-failures' });
    emit('feature-mode-changed', { feature: 'summary', from: 'normal', to: 'failover' });
    served(GPT, 'provider', true);
    served(GPT, 'provider', true);
    fail(GPT, 'rate_limited', 429);
    await clock.advance(30_000);
    emit('feature-mode-changed', { feature: 'summary', from: 'failover', to: 'fallback' });
    served(undefined, 'fallback');
    served(undefined, 'error');
    await clock.advance(10_000);
    expect(tracker.current?.counts).toEqual({
      servedBy: { 'gpt/gpt-4o-mini': 2 },
      fallback: 1,
      refused: 1,
      errorsByClass: { rate_limited: 1 },
      modeMs: { summary: { failover: 30_000, fallback: 10_000 } },
    });
  });

  it('closes once everything is healthy for the quiet period; resolvedAt is the last recovery; trouble in the quiet keeps the same incident', async () => {
    const { clock, sink, emit, tracker } = rig(60_000);
    emit('provider-opened', { ...CLAUDE, reason: 'consecutive-failures' });
    const id = tracker.current?.id;
    await clock.advance(120_000);
    emit('provider-closed', { ...CLAUDE, reason: 'probe-succeeded' });
    await clock.advance(30_000);
    emit('provider-cooldown-started', { ...GPT, untilMs: clock.now() + 10_000, source: 'local' });
    emit('provider-cooldown-ended', { ...GPT, untilMs: clock.now(), source: 'local' });
    const recoveredAt = clock.now();
    await clock.advance(59_000);
    expect(tracker.current?.id).toBe(id);
    await clock.advance(1_000);
    expect(tracker.current).toBeUndefined();
    const [only] = sink.latest();
    expect(sink.latest()).toHaveLength(1);
    expect(only).toMatchObject({ id, status: 'resolved', resolvedAt: recoveredAt, openedAt: T0 });
    expect(only?.title).toBe('claude/claude-sonnet-4-5 down; gpt/gpt-4o-mini rate-limited');

    // The next trouble is a new incident.
    emit('budget-exhausted', { provider: 'gpt', dimension: 'requests' });
    expect(tracker.current?.id).not.toBe(id);
    expect(sink.events.at(-1)?.incidentId).toBe(tracker.current?.id);
  });

  it('treats a cool-down as over at its untilMs even when its end is never reported', async () => {
    const { clock, emit, tracker } = rig(60_000);
    emit('provider-cooldown-started', { ...CLAUDE, untilMs: clock.now() + 20_000, source: 'local' });
    await clock.advance(79_999);
    expect(tracker.current?.status).toBe('open');
    await clock.advance(1);
    expect(tracker.current).toBeUndefined();
  });

  it('stays open while a feature is on fallback, however long, and closes after it answers with AI again', async () => {
    const { clock, emit, tracker } = rig(60_000);
    emit('feature-mode-changed', { feature: 'summary', from: 'normal', to: 'fallback' });
    await clock.advance(3_600_000);
    expect(tracker.current?.status).toBe('open');
    emit('feature-mode-changed', { feature: 'summary', from: 'fallback', to: 'failover' });
    await clock.advance(60_000);
    expect(tracker.current).toBeUndefined();
  });

  it('writes the open incident at most every 5 s while its counts change', async () => {
    const { clock, sink, emit, served } = rig();
    emit('provider-opened', { ...CLAUDE, reason: 'consecutive-failures' });
    for (let i = 0; i < 50; i++) {
      served(GPT, 'provider', true);
      await clock.advance(200);
    }
    // 10 s of requests: the opening write, then one per 5 s.
    expect(sink.incidents.length).toBeLessThanOrEqual(3);
    expect(sink.incidents.at(-1)?.counts.servedBy['gpt/gpt-4o-mini']).toBeGreaterThanOrEqual(45);
  });

  it('keeps kill switch changes as SwitchRecords, and a switch turned off opens an incident until it is on again', async () => {
    const { clock, sink, emit, tracker } = rig(60_000);
    emit('switch-changed', { target: 'summary', enabled: false, source: 'admin' });
    expect(sink.switches).toEqual([{ target: 'summary', enabled: false, source: 'admin', at: T0, instance: 'gw-1' }]);
    expect(tracker.current?.title).toBe('summary switched off');
    await clock.advance(600_000);
    expect(tracker.current?.status).toBe('open');
    emit('switch-changed', { target: 'summary', enabled: true, source: 'admin' });
    expect(sink.switches).toHaveLength(2);
    await clock.advance(60_000);
    expect(tracker.current).toBeUndefined();
  });

  it('a fault inside failsoft opens an incident that closes a quiet period later', async () => {
    const { clock, emit, tracker, sink } = rig(60_000);
    emit('engine-faulted', { feature: 'summary', message: 'boom' });
    expect(tracker.current?.title).toBe('failsoft fault in summary');
    await clock.advance(60_000);
    expect(sink.latest()[0]).toMatchObject({ status: 'resolved', resolvedAt: T0 });
  });

  it('adds requests up per minute and flushes each finished minute (and the rest on stop)', async () => {
    const { clock, sink, served, stop } = rig();
    served(CLAUDE);
    served(CLAUDE);
    served(undefined, 'fallback');
    await clock.advance(60_000);
    expect(sink.aggregates).toEqual([
      {
        minute: T0,
        feature: 'summary',
        provider: 'claude/claude-sonnet-4-5',
        outcome: 'provider',
        count: 2,
        totalMs: 80,
        instance: 'gw-1',
      },
      {
        minute: T0,
        feature: 'summary',
        provider: 'none',
        outcome: 'fallback',
        count: 1,
        totalMs: 40,
        instance: 'gw-1',
      },
    ]);
    served(GPT, 'provider', true);
    stop();
    expect(sink.aggregates.at(-1)).toMatchObject({
      minute: T0 + 60_000,
      provider: 'gpt/gpt-4o-mini',
      outcome: 'failover',
      count: 1,
    });
  });

  it('resumes the newest incident its instance left open, closes older ones, and leaves other instances alone', async () => {
    const clock = new FakeClock(T0 + 3_600_000);
    const sink = new RecordingSink();
    const tracker = new IncidentTracker({ sink, instance: 'gw-1', clock, quietPeriodMs: 60_000 });
    const base = {
      status: 'open' as const,
      severity: 'warning' as const,
      components: ['provider:claude/claude-sonnet-4-5'],
      instance: 'gw-1',
    };
    const counts = {
      servedBy: { 'gpt/gpt-4o-mini': 7 },
      fallback: 2,
      refused: 0,
      errorsByClass: { overloaded: 5 },
      modeMs: {},
    };
    tracker.resume([
      { ...base, id: 'inc_old', title: 'old', openedAt: T0 - 86_400_000, updatedAt: T0 - 86_000_000, counts },
      {
        ...base,
        id: 'inc_new',
        title: 'claude/claude-sonnet-4-5 overloaded',
        openedAt: T0,
        updatedAt: T0 + 600_000,
        counts,
      },
      { ...base, id: 'inc_other', title: 'other', openedAt: T0, updatedAt: T0, counts, instance: 'gw-2' },
    ]);
    expect(sink.latest().find((i) => i.id === 'inc_old')).toMatchObject({
      status: 'resolved',
      resolvedAt: T0 - 86_000_000,
    });
    expect(sink.latest().some((i) => i.id === 'inc_other')).toBe(false);
    expect(tracker.current).toMatchObject({
      id: 'inc_new',
      openedAt: T0,
      counts: { servedBy: { 'gpt/gpt-4o-mini': 7 } },
    });
    expect(sink.events.map((e) => [e.type, e.incidentId])).toEqual([
      ['incident-closed', 'inc_old'],
      ['incident-resumed', 'inc_new'],
    ]);
    const bus = new EventBus();
    tracker.attach(bus);
    bus.emit('budget-exhausted', clock.now(), { provider: 'gpt' });
    expect(tracker.current?.title).toBe('claude/claude-sonnet-4-5 overloaded; gpt rate budget exhausted');
    bus.emit('budget-recovered', clock.now(), { provider: 'gpt' });
    await clock.advance(60_000);
    expect(sink.latest().find((i) => i.id === 'inc_new')).toMatchObject({
      status: 'resolved',
      resolvedAt: T0 + 3_600_000,
    });
    tracker.stop();
  });

  it('adopts an incident another instance name left open when the store serves one process only', () => {
    const clock = new FakeClock(T0);
    const sink = new RecordingSink();
    const tracker = new IncidentTracker({ sink, instance: 'host:1234', clock });
    const counts = { servedBy: {}, fallback: 0, refused: 0, errorsByClass: {}, modeMs: {} };
    tracker.resume(
      [
        {
          id: 'inc_prev',
          status: 'open',
          severity: 'warning',
          title: 't',
          openedAt: T0 - 1_000,
          updatedAt: T0 - 500,
          components: [],
          counts,
          instance: 'host:999',
        },
      ],
      { adoptAll: true },
    );
    expect(tracker.current).toMatchObject({ id: 'inc_prev', instance: 'host:1234' });
    tracker.stop();
  });
});
