/**
 * The demo's day, as data: at which simulated time which provider starts or stops misbehaving. The faults are
 * the simulator's own (`PUT /_sim/faults` semantics: a provider named in a step has its rules replaced), so
 * what the engine meets is what it would meet from a real provider having a bad day.
 */
import type { Clock } from '../model/clock.js';
import type { FaultDocument } from '../sim/fault-rules.js';
import type { DemoTime } from './demo-time.js';

/** One moment of the day. */
export interface ScenarioStep {
  /** Simulated time of day, `HH:MM`. */
  at: string;
  /** What happens, as the progress line and the report say it. */
  label: string;
  /** Fault rules replaced at that moment (a provider given `[]` is healthy again). */
  faults?: FaultDocument;
}

/** The simulated times the demo's story hangs on. */
export const DAY = {
  start: '08:00',
  jobsDue: '09:00',
  /** 09:00 to here plays slower: the jobs' minutes (they start at 09:00, 09:01 and 09:02 as planned). */
  jobsSlowEnd: '09:03',
  outage: '12:00',
  hangs: '13:00',
  rateLimits: '15:00',
  rateLimitsEnd: '19:00',
  recovery: '23:00',
  end: '24:00',
} as const;

/** The simulator's provider names of the three interactive providers. */
export const SIM_PROVIDERS = { primary: 'anthropic', second: 'openai', third: 'gemini' } as const;

/**
 * The day: the primary overloaded (529) from noon, the second provider hanging on a share of its requests from
 * 13:00, the third answering 429 with Retry-After from 15:00 to 19:00, everything well again at 23:00.
 * @param retryAfterS the Retry-After the rate-limited provider sends, in real seconds (a simulated 20 minutes)
 * @param hangRate the share of the second provider's requests that hang
 */
export function demoScenario(retryAfterS: number, hangRate = 0.1): ScenarioStep[] {
  const { primary, second, third } = SIM_PROVIDERS;
  return [
    { at: DAY.jobsDue, label: 'three AI cron jobs due at the same minute' },
    {
      at: DAY.outage,
      label: `${primary} overloaded (529 on every request)`,
      faults: { [primary]: [{ kind: 'overloaded' }] },
    },
    {
      at: DAY.hangs,
      label: `${second} hangs on ${Math.round(hangRate * 100)} % of requests`,
      faults: { [second]: [{ kind: 'timeout', rate: hangRate }] },
    },
    {
      at: DAY.rateLimits,
      label: `${third} rate-limits (429, Retry-After)`,
      faults: { [third]: [{ kind: 'rate_limited', retryAfterS }] },
    },
    { at: DAY.rateLimitsEnd, label: `${third} limits lifted`, faults: { [third]: [] } },
    { at: DAY.recovery, label: 'all providers healthy again', faults: { [primary]: [], [second]: [], [third]: [] } },
  ];
}

/** A running timeline. */
export interface RunningScenario {
  /** Resolves once the last step has been applied. */
  done: Promise<void>;
  /** Cancels the steps not yet applied. */
  stop(): void;
}

/**
 * Applies each step at its simulated time: a timer on `clock` (real, or fake in tests) for the real instant
 * `time` maps it to. A step whose time is already past is applied at once, in order.
 * @example runScenario(demoScenario(0.3), time, systemClock, (step) => sim.setFaults(step.faults ?? {}))
 */
export function runScenario(
  steps: readonly ScenarioStep[],
  time: DemoTime,
  clock: Clock,
  apply: (step: ScenarioStep) => void,
): RunningScenario {
  const ordered = [...steps].sort((a, b) => time.at(a.at) - time.at(b.at));
  const cancels: Array<() => void> = [];
  let left = ordered.length;
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  if (left === 0) finish();
  for (const step of ordered) {
    const wait = Math.max(0, time.realAt(time.at(step.at)) - clock.now());
    cancels.push(
      clock.timer(wait, () => {
        apply(step);
        left -= 1;
        if (left === 0) finish();
      }),
    );
  }
  return {
    done,
    stop: () => {
      for (const cancel of cancels) cancel();
    },
  };
}
