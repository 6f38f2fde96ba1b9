/**
 * The set-up of the outage-shape scenarios (outage-*.test.ts): the simulator, and `failsoft serve`'s
 * built-in example config (no timeouts, no hedge or liveness settings: the defaults are what is tested)
 * behind a gateway, called over HTTP the way a user's app calls it.
 */
import { createFailsoft, type Failsoft } from '../../src/engine/failsoft.js';
import type { FailsoftConfig } from '../../src/engine/config/config-schema.js';
import type { FailsoftEvent } from '../../src/engine/events.js';
import { startGateway, type RunningGateway } from '../../src/gateway/gateway-server.js';
import { exampleConfig } from '../../src/cli/serve-command.js';
import { startSimulator, type RunningSimulator } from '../../src/sim/start-simulator.js';
import type { PolicyState } from '../../src/state/policy-state.js';

export const prompt = 'Summarize:\nThe plant closed at noon. Workers waited outside. Nobody knew why.';

/** One answer as the caller saw it. */
export interface Answer {
  status: number;
  /** Time to the whole answer (a stream: to its last byte). */
  ms: number;
  headers: Headers;
  body: string;
}

export interface OutageRig {
  sim: RunningSimulator;
  ai: Failsoft;
  gateway: RunningGateway;
  events: FailsoftEvent[];
  /** POST /v1/chat/completions for `feature` (the model name), streamed or not. */
  call(feature: string, options?: { stream?: boolean }): Promise<Answer>;
  /** Requests each provider received. */
  calls(): { claude: number; gpt: number; gemini: number };
  close(): Promise<void>;
}

/** One more engine + gateway over the same simulator (a second instance, e.g. sharing Redis). */
export async function gatewayOver(
  sim: RunningSimulator,
  options: {
    edit?: (config: FailsoftConfig) => FailsoftConfig;
    store?: PolicyState;
    env?: Record<string, string>;
  } = {},
): Promise<Omit<OutageRig, 'sim' | 'calls'>> {
  const config = options.edit ? options.edit(exampleConfig(sim)) : exampleConfig(sim);
  const ai = createFailsoft(config, { env: options.env ?? {}, ...(options.store ? { store: options.store } : {}) });
  const events: FailsoftEvent[] = [];
  ai.on('*', (event) => events.push(event));
  const gateway = await startGateway({ ai, port: 0, host: '127.0.0.1', log: () => undefined, graceMs: 0 });
  return {
    ai,
    gateway,
    events,
    async call(feature, callOptions = {}) {
      const started = performance.now();
      const response = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: feature,
          messages: [{ role: 'user', content: prompt }],
          stream: callOptions.stream === true,
        }),
      });
      const body = await response.text();
      return { status: response.status, ms: performance.now() - started, headers: response.headers, body };
    },
    async close() {
      await gateway.close();
      await ai.close();
    },
  };
}

/**
 * Starts the simulator and one gateway with the built-in example config (`edit` may change it, e.g. add limits).
 * @example const rig = await outageRig(); rig.sim.setFaults({ anthropic: [{ kind: 'timeout' }] }); await rig.call('summary');
 */
export async function outageRig(edit?: (config: FailsoftConfig) => FailsoftConfig): Promise<OutageRig> {
  const sim = await startSimulator({ port: 0 });
  const instance = await gatewayOver(sim, edit ? { edit } : {});
  return {
    ...instance,
    sim,
    calls() {
      const stats = sim.stats();
      return {
        claude: stats.anthropic?.requests ?? 0,
        gpt: stats.openai?.requests ?? 0,
        gemini: stats.gemini?.requests ?? 0,
      };
    },
    async close() {
      await instance.close();
      await sim.close();
    },
  };
}

/** The q-quantile of some numbers (nearest rank). */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}
