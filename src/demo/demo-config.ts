/**
 * What the demo runs: the simulator's providers and limits, and the failsoft config in front of them. The
 * config is an ordinary one (the same keys a `failsoft.yaml` takes); only its durations are the simulated ones
 * converted to real milliseconds, so a breaker that stays open five minutes stays open five simulated minutes.
 */
import type { FailsoftConfig } from '../engine/config/config-schema.js';
import type { LimitsDocument } from '../sim/provider-limits.js';
import type { SimProtocolName } from '../sim/sim-protocol.js';
import type { DemoTime } from './demo-time.js';

const MINUTE = 60_000;

/** The features the traffic calls. */
export const FEATURES = { enhanced: 'summary', aiOnly: 'chat', jobs: 'digest' } as const;

/** The environment variable the webhook channel reads its URL from (set only in the demo's own env). */
export const WEBHOOK_ENV = 'FAILSOFT_DEMO_WEBHOOK';

/**
 * The jobs' provider account on the simulator, and the copy of its budget the naive run spends. Gemini's protocol:
 * it sends no rate-limit headers, so the engine (on the real clock) does not adopt the account's per-minute limit
 * (a simulated minute) as a per-real-minute one; the planner alone keeps the jobs within it.
 */
export const JOB_SIM_PROVIDER = 'gemini-batch';
export const JOB_REHEARSAL_SIM_PROVIDER = 'gemini-batch-rehearsal';
/** The jobs' provider in the failsoft config, and its model. */
export const JOB_PROVIDER = 'gemini-batch';
export const JOB_MODEL = 'gemini-2.5-flash-lite';
/** The jobs' account allows this many requests a simulated minute (a token bucket, as providers run them). */
export const JOB_RPM = 30;

/** The simulator's providers: three interactive ones, the jobs' account and its rehearsal copy. */
export const DEMO_SIM_PROVIDERS: Record<string, SimProtocolName> = {
  anthropic: 'anthropic',
  openai: 'openai',
  gemini: 'gemini',
  [JOB_SIM_PROVIDER]: 'gemini',
  [JOB_REHEARSAL_SIM_PROVIDER]: 'gemini',
};

/**
 * Per simulated minute. The interactive limits are a provider's usual ones (the demo's traffic stays well within
 * them); the jobs' account is small, so three jobs at once collide and one at a time does not.
 */
export const DEMO_SIM_LIMITS: LimitsDocument = {
  anthropic: { rpm: 6000 },
  openai: { rpm: 10_000 },
  gemini: { rpm: 6000 },
  [JOB_SIM_PROVIDER]: { rpm: JOB_RPM },
  [JOB_REHEARSAL_SIM_PROVIDER]: { rpm: JOB_RPM },
};

/** Where the demo's config points. */
export interface DemoEndpoints {
  /** The running simulator's `url` (`http://HOST:PORT`): provider `NAME` is served under `/NAME` (OpenAI's API under `/NAME/v1`). */
  simUrl: string;
  /** The core API's health URL (a core check). */
  coreHealthUrl: string;
}

/**
 * The failsoft config of the demo.
 * @example createFailsoft(demoConfig(time, { simUrl: sim.url, coreHealthUrl }), { env })
 */
export function demoConfig(time: DemoTime, endpoints: DemoEndpoints): FailsoftConfig {
  // Built from the simulator's root, not its urlFor: an OpenAI base URL ends in /v1 whatever urlFor returns.
  const simUrlFor = (name: string): string => `${endpoints.simUrl}/${name}`;
  const ms = (simMs: number, floorMs: number): number => time.real(simMs, floorMs);
  return {
    providers: {
      claude: { type: 'anthropic', baseUrl: simUrlFor('anthropic'), apiKey: 'sim-key' },
      gpt: { type: 'openai', baseUrl: `${simUrlFor('openai')}/v1`, apiKey: 'sim-key' },
      gemini: { type: 'gemini', baseUrl: simUrlFor('gemini'), apiKey: 'sim-key' },
      // The jobs' own account: the planner plans against its limit; the engine is told none, so what the
      // comparison measures is the plan alone.
      [JOB_PROVIDER]: { type: 'gemini', baseUrl: simUrlFor(JOB_SIM_PROVIDER), apiKey: 'sim-batch-key' },
    },
    features: {
      [FEATURES.enhanced]: {
        tier: 'enhanced',
        route: ['claude/claude-sonnet-4-5', 'gpt/gpt-4o-mini', 'gemini/gemini-2.5-flash'],
        fallback: { leadSentences: 1 },
      },
      [FEATURES.aiOnly]: { tier: 'ai-only', route: ['claude/claude-sonnet-4-5', 'gemini/gemini-2.5-flash'] },
      // Batch: a call waits out a cool-down (up to its deadline) rather than falling back at once.
      [FEATURES.jobs]: {
        tier: 'enhanced',
        priority: 'batch',
        route: [`${JOB_PROVIDER}/${JOB_MODEL}`],
        fallback: { text: 'digest unavailable: retried tomorrow' },
        deadlineMs: 15_000,
      },
    },
    policies: {
      // Open 5 simulated minutes, backing off to 30: a provider down for hours is probed, not hammered.
      breaker: { openMs: ms(5 * MINUTE, 20), maxOpenMs: ms(30 * MINUTE, 60) },
      modes: { settleMs: ms(5 * MINUTE, 10) },
      // Real milliseconds: a hang is a hang whatever the day's speed. The loopback answers in a few ms; the
      // floors leave room for a busy machine (a slow answer taken for a hang would be a false outage).
      liveness: { headersFloorMs: 2_000, firstTokenFloorMs: 4_000, idleMs: 4_000 },
    },
    incidents: { quietPeriod: `${ms(20 * MINUTE, 50)}ms` },
    checks: {
      interval: `${ms(15 * MINUTE, 100)}ms`,
      core: [{ name: 'core-api', http: endpoints.coreHealthUrl, timeout: '2s' }],
    },
    alerts: {
      channels: [{ kind: 'webhook', name: 'on-call', urlEnv: WEBHOOK_ENV }],
      delivery: { attempts: 3, backoff: '200ms', timeout: '2s' },
    },
    store: { memory: true },
  };
}

/** The Retry-After the rate-limited provider sends: a simulated 20 minutes, in real seconds. */
export function demoRetryAfterS(time: DemoTime): number {
  return time.real(20 * MINUTE, 20) / 1000;
}
