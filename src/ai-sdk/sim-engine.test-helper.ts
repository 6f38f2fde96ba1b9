/**
 * The engine the AI SDK tests call through: Claude then GPT on the simulator, an enhanced `summary`
 * (lead-sentence and JSON fallbacks), an ai-only `chat`, and a critical `billing`. Same-provider retries are
 * off (retry budget 0), so the requests the simulator counts are exactly one per route entry tried: an
 * extra request can only come from a retry on top of failsoft's.
 */
import { createFailsoft, type Failsoft } from '../engine/failsoft.js';
import type { RunningSimulator } from '../sim/start-simulator.js';

export function simEngine(sim: RunningSimulator): Failsoft {
  return createFailsoft(
    {
      providers: {
        claude: { type: 'anthropic', baseUrl: sim.urlFor('anthropic'), apiKey: 'sk-ant-sim' },
        gpt: { type: 'openai', baseUrl: sim.urlFor('openai'), apiKey: 'sk-sim' },
      },
      features: {
        summary: {
          tier: 'enhanced',
          route: ['claude/claude-sonnet-4-5', 'gpt/gpt-4o'],
          fallback: { leadSentences: 1, json: { city: 'unknown' } },
          deadlineMs: 20_000,
          hedge: false,
        },
        chat: { tier: 'ai-only', route: ['claude/claude-sonnet-4-5', 'gpt/gpt-4o'], deadlineMs: 20_000, hedge: false },
        billing: { tier: 'critical' },
      },
      policies: { retry: { budgetRatio: 0, budgetMinRetries: 0 } },
    },
    { env: {} },
  );
}

/** Requests the simulator received, per provider name. */
export function requestCounts(sim: RunningSimulator): { anthropic: number; openai: number } {
  const stats = sim.stats();
  return { anthropic: stats['anthropic']?.requests ?? 0, openai: stats['openai']?.requests ?? 0 };
}

/** Counts `ai.generate` and `ai.stream` calls: each is one call of the AI SDK model's doGenerate/doStream. */
export function countCalls(ai: Failsoft): { generate: number; stream: number } {
  const counts = { generate: 0, stream: 0 };
  const generate = ai.generate.bind(ai);
  const stream = ai.stream.bind(ai);
  ai.generate = (feature, request, options) => {
    counts.generate++;
    return generate(feature, request, options);
  };
  ai.stream = (feature, request, options) => {
    counts.stream++;
    return stream(feature, request, options);
  };
  return counts;
}
