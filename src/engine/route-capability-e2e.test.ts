import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RequestError } from '../model/errors.js';
import { startSimulator, type RunningSimulator } from '../sim/start-simulator.js';
import { createFailsoft, type Failsoft } from './failsoft.js';

let sim: RunningSimulator;
let ai: Failsoft;

beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
  ai = createFailsoft(
    {
      providers: {
        gemini: { type: 'gemini', baseUrl: sim.urlFor('gemini'), apiKey: 'gm-sim' },
        gpt: { type: 'openai', baseUrl: sim.urlFor('openai'), apiKey: 'sk-sim' },
      },
      features: {
        vision: { tier: 'ai-only', route: ['gemini/gemini-2.5-flash', 'gpt/gpt-4o'], maxRetries: 0 },
        geminiOnly: { tier: 'ai-only', route: ['gemini/gemini-2.5-flash'], maxRetries: 0 },
      },
    },
    { env: {} },
  );
});
afterAll(async () => {
  await ai.close();
  await sim.close();
});

const extensionless = {
  messages: [
    {
      role: 'user' as const,
      content: [
        { type: 'image' as const, url: 'https://example.com/render?id=7' },
        { type: 'text' as const, text: 'What?' },
      ],
    },
  ],
};

describe('capability skip through the engine', () => {
  it('skips Gemini for an image URL of unknown type and answers from the next entry, without calling Gemini', async () => {
    const before = sim.stats()['gemini']?.requests ?? 0;
    const result = await ai.generate('vision', extensionless);
    expect(result.text).toBe('Simulated reply from openai (gpt-4o): I see 1 image. What?');
    expect(result.attempts.map((a) => a.outcome)).toEqual(['skipped-unsupported', 'ok']);
    expect(sim.stats()['gemini']?.requests ?? 0).toBe(before);
  });

  it('streams the same way', async () => {
    const stream = await ai.stream('vision', extensionless);
    let text = '';
    for await (const event of stream) if (event.type === 'text-delta') text += event.text;
    expect(text).toBe('Simulated reply from openai (gpt-4o): I see 1 image. What?');
  });

  it('is a RequestError when no entry can take it; Gemini takes the URL once the type is known', async () => {
    await expect(ai.generate('geminiOnly', extensionless)).rejects.toThrow(RequestError);
    await expect(ai.generate('geminiOnly', extensionless)).rejects.toThrow(
      /no entry of the route of feature "geminiOnly" can take this request \(gemini\/gemini-2.5-flash: Gemini needs/,
    );
    const typed = await ai.generate('geminiOnly', {
      messages: [
        { role: 'user', content: [{ type: 'image', url: 'https://example.com/render?id=7', mediaType: 'image/png' }] },
      ],
    });
    expect(typed.text).toBe('Simulated reply from gemini (gemini-2.5-flash): I see 1 image.');
  });
});
