import { describe, expect, it } from 'vitest';
import { EventBus } from '../engine/events.js';
import { describeEvent } from '../engine/event-messages.js';
import { FakeClock } from '../model/fake-clock.js';
import { IncidentTracker } from '../store/incident-tracker.js';
import type { EventRecord, IncidentRecord } from '../store/records.js';
import type { RecordSink } from '../store/store.js';

const T0 = Date.UTC(2026, 0, 5, 9);
const RUN = { job: 'digest', runId: 'digest@2026-01-05T09:00:00.000Z', plannedAt: T0 };

function rig() {
  const events: EventRecord[] = [];
  const incidents: IncidentRecord[] = [];
  const sink: RecordSink = {
    appendEvent: (e) => events.push(e),
    upsertIncident: (i) => incidents.push(structuredClone(i)),
    upsertJobRun: () => undefined,
    putSwitch: () => undefined,
    addAggregate: () => undefined,
  };
  const clock = new FakeClock(T0);
  const bus = new EventBus((error) => {
    throw error;
  });
  const tracker = new IncidentTracker({ sink, instance: 'runner-1', clock, quietPeriodMs: 60_000, random: () => 0.5 });
  tracker.attach(bus);
  return { events, incidents, bus, tracker, clock };
}

describe('job events in the record', () => {
  it('a failure after the last retry opens a warning incident titled by the job; earlier failures and retries do not', () => {
    const { events, bus, tracker } = rig();
    bus.emit('job-started', T0, { ...RUN, attempt: 1 });
    bus.emit('job-failed', T0 + 1_000, { ...RUN, attempt: 1, reason: 'exit 3', final: false, ms: 1_000, exitCode: 3 });
    bus.emit('job-retrying', T0 + 1_000, { ...RUN, attempt: 2, delayMs: 30_000, reason: 'exit 3' });
    expect(tracker.current).toBeUndefined();
    bus.emit('job-failed', T0 + 32_000, { ...RUN, attempt: 2, reason: 'exit 3', final: true, ms: 1_000, exitCode: 3 });
    expect(tracker.current).toMatchObject({
      severity: 'warning',
      title: 'job digest failed',
      components: ['job:digest'],
    });
    expect(events.map((e) => [e.type, e.severity, e.message])).toEqual([
      ['job-started', 'info', 'job digest: started (attempt 1, planned 2026-01-05T09:00:00.000Z)'],
      ['job-failed', 'info', 'job digest: attempt 1 failed: exit 3'],
      ['job-retrying', 'info', 'job digest: attempt 2 in 30 s (exit 3)'],
      ['job-failed', 'warning', 'job digest: attempt 2 failed: exit 3 (no retry left)'],
    ]);
    expect(events.at(-1)?.incidentId).toBe(tracker.current?.id);
  });

  it('a deferral joins an open incident (it never opens one by itself) and reads as a warning in the log', () => {
    const { events, bus, tracker } = rig();
    bus.emit('job-deferred', T0, { ...RUN, reason: 'every provider is down', untilMs: T0 + 600_000 });
    expect(tracker.current).toBeUndefined();
    bus.emit('provider-opened', T0 + 1, {
      provider: 'claude',
      model: 'm',
      key: 'claude/m',
      reason: 'consecutive-failures',
    });
    bus.emit('job-deferred', T0 + 2, { ...RUN, reason: 'every provider is down', untilMs: T0 + 600_000 });
    expect(tracker.current?.components).toContain('job:digest');
    expect(
      describeEvent({ type: 'job-deferred', at: T0, ...RUN, reason: 'every provider is down', untilMs: T0 + 600_000 }),
    ).toEqual([
      'warn',
      'job digest: deferred (every provider is down); starts when a provider recovers, until 2026-01-05T09:10:00.000Z',
    ]);
    expect(events.filter((e) => e.type === 'job-deferred')).toHaveLength(2);
  });
});
