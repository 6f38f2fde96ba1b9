import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../model/errors.js';
import type { StreamEvent } from '../../model/stream-event.js';
import { startSimulator, type RunningSimulator } from '../../sim/start-simulator.js';
import { createOpenAICompatibleAdapter } from './openai-compatible-adapter.js';

/** A second OpenAI-protocol provider (`local`) in the simulator stands in for a compatible vendor. */
let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startSimulator({
    port: 0,
    providers: { openai: 'openai', local: 'openai' },
    apiKeys: { local: 'local-key' },
  });
});

afterAll(async () => {
  await sim.close();
});

beforeEach(() => {
  sim.clearFaults();
});

const hello = { messages: [{ role: 'user' as const, content: 'Hello local' }] };

describe('OpenAI-compatible adapter against the simulator', () => {
  it('generates and streams through the same base adapter, as type openai-compatible', async () => {
    const adapter = createOpenAICompatibleAdapter({
      name: 'local',
      type: 'openai-compatible',
      baseUrl: sim.urlFor('local'),
      apiKey: 'local-key',
    });
    const { response } = await adapter.generate('llama3.1:8b', hello);
    expect(adapter.type).toBe('openai-compatible');
    expect(response.text).toBe('Simulated reply from local (llama3.1:8b): Hello local');
    const stream = await adapter.stream('llama3.1:8b', { ...hello, maxOutputTokens: 3 });
    const events: StreamEvent[] = [];
    for await (const event of stream.events) events.push(event);
    expect(events[events.length - 1]).toMatchObject({ type: 'finish', finishReason: 'length', model: 'llama3.1:8b' });
    await adapter.close();
  });

  it('sends no key when none is configured (this vendor wants one, so it answers auth)', async () => {
    const adapter = createOpenAICompatibleAdapter({
      name: 'local',
      type: 'openai-compatible',
      baseUrl: sim.urlFor('local'),
    });
    const error = await adapter.generate('llama3.1:8b', hello).catch((e: unknown) => e);
    await adapter.close();
    expect(ProviderError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ class: 'auth', status: 401, provider: 'local' });
    expect((error as Error).message).toMatch(
      /^openai-compatible 'local': 401 invalid_request_error: You didn't provide an API key/,
    );
  });

  it('classifies faults the same way, with its own name in the message', async () => {
    sim.setFaults({ local: [{ kind: 'overloaded', count: 1 }] });
    const adapter = createOpenAICompatibleAdapter({
      name: 'local',
      type: 'openai-compatible',
      baseUrl: sim.urlFor('local'),
      apiKey: 'local-key',
    });
    const error = await adapter.generate('llama3.1:8b', hello).catch((e: unknown) => e);
    await adapter.close();
    expect(error).toMatchObject({ class: 'overloaded', status: 503, provider: 'local' });
  });
});
