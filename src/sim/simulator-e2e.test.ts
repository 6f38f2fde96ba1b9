import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../model/fake-clock.js';
import { startSimulator, type RunningSimulator } from './start-simulator.js';

/** End-to-end through the real protocol modules with plain fetch (the SDK tests live with each protocol). */
let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startSimulator({
    port: 0,
    clock: new FakeClock(),
    providers: { anthropic: 'anthropic', openai: 'openai', gemini: 'gemini', groq: 'openai' },
  });
});

afterAll(async () => {
  await sim.close();
});

beforeEach(() => {
  sim.clearFaults();
  sim.clearLimits();
  sim.resetStats();
});

const calls = {
  anthropic: (stream = false): Promise<Response> =>
    fetch(`${sim.urlFor('anthropic')}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': 'sk-ant-test', 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'claude-sonnet-4-5',
        max_tokens: 200,
        stream,
        messages: [{ role: 'user', content: 'Hello from the end-to-end test' }],
      }),
    }),
  openai: (stream = false, name = 'openai'): Promise<Response> =>
    fetch(`${sim.urlFor(name)}/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-test', 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'gpt-4o',
        stream,
        messages: [{ role: 'user', content: 'Hello from the end-to-end test' }],
      }),
    }),
  gemini: (stream = false, sse = true): Promise<Response> =>
    fetch(
      `${sim.urlFor('gemini')}/v1beta/models/gemini-2.5-flash:${stream ? `streamGenerateContent${sse ? '?alt=sse' : ''}` : 'generateContent'}`,
      {
        method: 'POST',
        headers: { 'x-goog-api-key': 'AIza-test', 'content-type': 'application/json' },
        body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'Hello from the end-to-end test' }] }] }),
      },
    ),
};

describe('simulator end to end (real protocols)', () => {
  it('answers each protocol with the derived reply', async () => {
    const anthropic = (await (await calls.anthropic()).json()) as { content: { text: string }[] };
    expect(anthropic.content[0]?.text).toBe(
      'Simulated reply from anthropic (claude-sonnet-4-5): Hello from the end-to-end test',
    );
    const openai = (await (await calls.openai()).json()) as { choices: { message: { content: string } }[] };
    expect(openai.choices[0]?.message.content).toBe(
      'Simulated reply from openai (gpt-4o): Hello from the end-to-end test',
    );
    const groq = (await (await calls.openai(false, 'groq')).json()) as { choices: { message: { content: string } }[] };
    expect(groq.choices[0]?.message.content).toContain('Simulated reply from groq (gpt-4o)');
    const gemini = (await (await calls.gemini()).json()) as {
      candidates: { content: { parts: { text: string }[] } }[];
    };
    expect(gemini.candidates[0]?.content.parts[0]?.text).toBe(
      'Simulated reply from gemini (gemini-2.5-flash): Hello from the end-to-end test',
    );
  });

  it('streams each protocol to its terminator', async () => {
    const anthropic = await (await calls.anthropic(true)).text();
    expect(anthropic).toContain('event: message_start');
    expect(anthropic.trimEnd().endsWith('data: {"type":"message_stop"}')).toBe(true);
    const openai = await (await calls.openai(true)).text();
    expect(openai.trimEnd().endsWith('data: [DONE]')).toBe(true);
    const gemini = await (await calls.gemini(true)).text();
    expect(gemini).toContain('"finishReason":"STOP"');
  });

  it('renders each protocol’s overload fault', async () => {
    sim.setFaults({
      anthropic: [{ kind: 'overloaded' }],
      openai: [{ kind: 'overloaded' }],
      gemini: [{ kind: 'overloaded' }],
    });
    expect((await calls.anthropic()).status).toBe(529);
    expect((await calls.openai()).status).toBe(503);
    expect((await calls.gemini()).status).toBe(503);
  });

  it('cuts each protocol’s stream with its own error frame', async () => {
    sim.setFaults({
      anthropic: [{ kind: 'mid_stream_error' }],
      openai: [{ kind: 'mid_stream_error' }],
      gemini: [{ kind: 'mid_stream_error' }],
    });
    expect(await (await calls.anthropic(true)).text()).toContain('event: error');
    const openai = await (await calls.openai(true)).text();
    expect(openai).toContain('"error"');
    expect(openai).not.toContain('[DONE]');
    expect(await (await calls.gemini(true)).text()).toContain('"error"');
    expect(sim.stats().gemini?.streamFaults.mid_stream_error).toBe(1);
  });

  it('streams Gemini without alt=sse as one JSON array (application/json), its error as the last element', async () => {
    const res = await calls.gemini(true, false);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const chunks = (await res.json()) as {
      candidates: { content: { parts: { text: string }[] }; finishReason?: string }[];
    }[];
    expect(chunks.map((c) => c.candidates[0]?.content.parts[0]?.text ?? '').join('')).toBe(
      'Simulated reply from gemini (gemini-2.5-flash): Hello from the end-to-end test',
    );
    expect(chunks.at(-1)?.candidates[0]?.finishReason).toBe('STOP');
    sim.setFaults({ gemini: [{ kind: 'mid_stream_error', afterChunks: 0 }] });
    expect((await (await calls.gemini(true, false)).json()) as unknown[]).toEqual([
      { error: expect.objectContaining({ code: 503 }) as unknown },
    ]);
  });

  it('refuses over the limit with the protocol’s 429 and rate-limit headers', async () => {
    sim.setLimits({ anthropic: { rpm: 1 }, openai: { rpm: 1 } });
    const allowed = await calls.anthropic();
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('anthropic-ratelimit-requests-remaining')).toBe('0');
    const refused = await calls.anthropic();
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('60');
    expect((await calls.openai()).headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect((await calls.openai()).status).toBe(429);
  });
});
