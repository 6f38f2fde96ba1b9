import { describe, expect, it } from 'vitest';
import { FakeClock } from '../model/fake-clock.js';
import { DemoTime } from './demo-time.js';
import { DAY, demoScenario, runScenario, type ScenarioStep } from './scenario.js';

const MIDNIGHT = Date.UTC(2026, 11, 6);
const H = 3_600_000;

function setup() {
  const clock = new FakeClock(1_000_000);
  // 08:00 at the clock's start, an hour a second.
  const time = new DemoTime(3600, clock.now(), MIDNIGHT + 8 * H);
  const applied: Array<{ at: string; simAt: number; faults: ScenarioStep['faults'] }> = [];
  const running = runScenario(demoScenario(0.4), time, clock, (step) =>
    applied.push({ at: step.at, simAt: time.simAt(clock.now()), faults: step.faults }),
  );
  return { clock, time, applied, running };
}

describe('the demo day', () => {
  it('puts the outage at noon, the rate limits between 15:00 and 19:00 and recovery at 23:00', () => {
    const steps = demoScenario(0.4, 0.1);
    const at = (hhmm: string) => steps.find((s) => s.at === hhmm);
    expect(at(DAY.outage)?.faults).toEqual({ anthropic: [{ kind: 'overloaded' }] });
    expect(at(DAY.hangs)?.faults).toEqual({ openai: [{ kind: 'timeout', rate: 0.1 }] });
    expect(at(DAY.rateLimits)?.faults).toEqual({ gemini: [{ kind: 'rate_limited', retryAfterS: 0.4 }] });
    expect(at(DAY.rateLimitsEnd)?.faults).toEqual({ gemini: [] });
    expect(at(DAY.recovery)?.faults).toEqual({ anthropic: [], openai: [], gemini: [] });
  });

  it('applies each step at its simulated time on the clock, not before', async () => {
    const { clock, applied, running } = setup();
    // 11:59: only the jobs marker (09:00) has happened.
    await clock.advance(3_983);
    expect(applied.map((a) => a.at)).toEqual(['09:00']);
    await clock.advance(17);
    expect(applied.map((a) => a.at)).toEqual(['09:00', '12:00']);
    expect(applied[1]?.simAt).toBe(MIDNIGHT + 12 * H);
    await clock.advance(11_000);
    expect(applied.map((a) => a.at)).toEqual(['09:00', '12:00', '13:00', '15:00', '19:00', '23:00']);
    expect(applied.map((a) => a.simAt - MIDNIGHT)).toEqual([9, 12, 13, 15, 19, 23].map((h) => h * H));
    await running.done;
  });

  it('stop cancels what has not happened yet', async () => {
    const { clock, applied, running } = setup();
    await clock.advance(5_000);
    running.stop();
    await clock.advance(20_000);
    expect(applied.map((a) => a.at)).toEqual(['09:00', '12:00', '13:00']);
    expect(clock.pendingSleeps).toBe(0);
  });
});
