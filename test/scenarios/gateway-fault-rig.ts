/**
 * The set-up shared by the gateway fault scenarios (gateway-faults*.test.ts): one simulator for the
 * file, and a fresh engine + gateway per call, with both official SDKs pointed at it. Calls that run at
 * the same time each get their own engine, so breakers and retry budgets never interact and the
 * simulator's counters add up exactly; running a case's calls concurrently keeps timeout cases fast.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { createFailsoft } from '../../src/engine/failsoft.js';
import type { FailsoftConfig, FeatureConfig } from '../../src/engine/config/config-schema.js';
import { startGateway } from '../../src/gateway/gateway-server.js';
import { startSimulator, type FaultRule, type RunningSimulator } from '../../src/sim/start-simulator.js';

/** Per attempt, an answer (or a stream's first content) must arrive within this (the router's own timer). */
export const ATTEMPT_TIMEOUT_MS = 200;
/** A "slow" fault well beyond the attempt timeout. */
export const SLOW_BEYOND_TIMEOUT_MS = 1_500;

export const prompt = 'Summarize:\nThe plant closed at noon. Workers waited outside.';
export const FALLBACK_TEXT = 'The plant closed at noon.';

/** One engine behind one gateway, with both official SDKs pointed at it. */
export interface Rig {
  openai: OpenAI;
  anthropic: Anthropic;
}

/** What a scenario file uses: the simulator, fresh rigs, fault placement and the simulator's call counts. */
export interface FaultScenario {
  readonly sim: RunningSimulator;
  rig(): Promise<Rig>;
  /** Requests each provider received, by the gateway's provider names. */
  calls(): { claude: number; gpt: number; gemini: number };
}

const ROUTE = ['claude/claude-sonnet-4-5', 'gpt/gpt-4o', 'gemini/gemini-2.5-flash'];

function config(sim: RunningSimulator, extraFeatures: Record<string, FeatureConfig>): FailsoftConfig {
  const provider = { attemptTimeoutMs: ATTEMPT_TIMEOUT_MS };
  return {
    providers: {
      claude: { type: 'anthropic', baseUrl: sim.urlFor('anthropic'), apiKey: 'sk-ant-sim', ...provider },
      gpt: { type: 'openai', baseUrl: sim.urlFor('openai'), apiKey: 'sk-sim', ...provider },
      gemini: { type: 'gemini', baseUrl: sim.urlFor('gemini'), apiKey: 'gm-sim', ...provider },
    },
    features: {
      // maxRetries 1 (with a tiny backoff) so that "retried or not" shows in the simulator's counters.
      chat: { tier: 'ai-only', route: ROUTE, maxRetries: 1, deadlineMs: 8_000 },
      summary: { tier: 'enhanced', route: ROUTE, fallback: { leadSentences: 1 }, maxRetries: 1, deadlineMs: 8_000 },
      ...extraFeatures,
    },
    policies: { retry: { baseMs: 1, capMs: 5, budgetMinRetries: 10 } },
  };
}

/**
 * Registers the file's hooks (simulator up for the file; faults and counters cleared, rigs closed, per test).
 * @example const scenario = useFaultScenario(); const { openai } = await scenario.rig();
 */
export function useFaultScenario(extraFeatures: Record<string, FeatureConfig> = {}): FaultScenario {
  let sim: RunningSimulator | undefined;
  const open: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    sim = await startSimulator({ port: 0 });
  });
  afterAll(async () => {
    await sim?.close();
  });
  beforeEach(() => {
    sim?.clearFaults();
    sim?.resetStats();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((close) => close()));
  });
  const running = (): RunningSimulator => {
    if (!sim) throw new Error('the simulator starts in beforeAll');
    return sim;
  };
  return {
    get sim() {
      return running();
    },
    async rig() {
      const ai = createFailsoft(config(running(), extraFeatures), { env: {} });
      const gateway = await startGateway({ ai, port: 0, host: '127.0.0.1', log: () => undefined });
      open.push(async () => {
        await gateway.close();
        await ai.close();
      });
      return {
        openai: new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'client-key', maxRetries: 0 }),
        anthropic: new Anthropic({ baseURL: gateway.url, apiKey: 'client-key', maxRetries: 0 }),
      };
    },
    calls() {
      const stats = running().stats();
      return {
        claude: stats.anthropic?.requests ?? 0,
        gpt: stats.openai?.requests ?? 0,
        gemini: stats.gemini?.requests ?? 0,
      };
    },
  };
}

/** The fault at the primary (claude) only. */
export function onPrimary(rule: FaultRule): Record<string, FaultRule[]> {
  return { anthropic: [rule] };
}

/** The fault at every provider. */
export function onEvery(rule: FaultRule): Record<string, FaultRule[]> {
  return { anthropic: [rule], openai: [rule], gemini: [rule] };
}

/** Who answered, as the gateway's headers say it. */
export interface Answered {
  provider: string;
  source?: 'provider' | 'fallback';
  degraded: boolean;
}

/**
 * Asserts the x-failsoft-* headers of an answer (`label` names the client in failure messages).
 * @example expectAnswered(response.headers, { provider: 'gpt', source: 'provider', degraded: true }, 'openai');
 */
export function expectAnswered(headers: Headers, who: Answered, label: string): void {
  expect(headers.get('x-failsoft-provider'), label).toBe(who.provider);
  if (who.source !== undefined) expect(headers.get('x-failsoft-source'), label).toBe(who.source);
  expect(headers.get('x-failsoft-degraded'), label).toBe(String(who.degraded));
}
