import { describe, expect, it } from 'vitest';
import { FakeClock } from '../model/fake-clock.js';
import type { FailsoftEvent } from '../engine/events.js';
import type { ResolvedCoreCheck } from '../engine/config/checks-config.js';
import { turn } from '../testing/drive-clock.js';
import type { CheckResult } from './check-result.js';
import { CoreMonitor } from './core-monitor.js';

const DB: ResolvedCoreCheck = {
  name: 'db',
  path: 'checks.core[0]',
  timeoutMs: 1_000,
  target: { kind: 'tcp', host: '127.0.0.1', port: 5432 },
};
const API: ResolvedCoreCheck = {
  name: 'api',
  path: 'checks.core[1]',
  timeoutMs: 1_000,
  target: { kind: 'http', value: 'http://127.0.0.1:8000/' },
};

function rig() {
  const clock = new FakeClock(Date.UTC(2026, 11, 6, 12));
  const down = new Set<string>();
  const run = async (check: ResolvedCoreCheck): Promise<CheckResult> => ({
    name: check.name,
    group: 'core',
    status: down.has(check.name) ? 'critical' : 'ok',
    detail: down.has(check.name) ? 'connection refused (127.0.0.1:5432)' : 'ok',
    ms: 3,
  });
  const monitor = new CoreMonitor({ checks: [DB, API], intervalMs: 15_000, env: {}, clock, run });
  const events: FailsoftEvent[] = [];
  monitor.on('*', (event) => events.push(event));
  return { clock, down, monitor, events };
}

async function advance(clock: FakeClock, ms: number): Promise<void> {
  await clock.advance(ms);
  for (let i = 0; i < 5; i++) await turn();
}

describe('CoreMonitor', () => {
  it('is ready while every core check passes; one failed event when a check starts failing, one recovered when it passes, none per round', async () => {
    const { clock, down, monitor, events } = rig();
    await monitor.start();
    expect(monitor.readiness().ready).toBe(true);
    down.add('db');
    await advance(clock, 15_000);
    expect(monitor.readiness()).toMatchObject({
      ready: false,
      checks: [
        { name: 'db', status: 'critical', detail: 'connection refused (127.0.0.1:5432)' },
        { name: 'api', status: 'ok' },
      ],
    });
    await advance(clock, 15_000);
    await advance(clock, 15_000);
    expect(events.map((e) => e.type)).toEqual(['core-check-failed']);
    expect(events[0]).toMatchObject({ check: 'db', kind: 'tcp', detail: 'connection refused (127.0.0.1:5432)' });
    down.delete('db');
    await advance(clock, 15_000);
    expect(monitor.readiness().ready).toBe(true);
    expect(events.map((e) => e.type)).toEqual(['core-check-failed', 'core-check-recovered']);
    expect(events[1]).toMatchObject({ check: 'db', downMs: 45_000 });
    monitor.stop();
  });
});
