/**
 * Images through `failsoft('…')` with the `ai` package, against the simulator: bytes, base64 text and URLs
 * reach the provider (the simulator's answer says how many images it saw), on the primary and after a
 * failover; other files and images outside user messages are refused by name before any request.
 */
import { UnsupportedFunctionalityError, type LanguageModelV4Prompt } from '@ai-sdk/provider';
import { generateText, streamText } from 'ai';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Failsoft } from '../engine/failsoft.js';
import { TINY_PNG_BASE64, TINY_PNG_BYTES } from '../model/tiny-png.test-helper.js';
import { startSimulator, type RunningSimulator } from '../sim/start-simulator.js';
import { convertPrompt } from './convert-prompt.js';
import { createFailsoftProvider, type FailsoftProvider } from './index.js';
import { requestCounts, simEngine } from './sim-engine.test-helper.js';

let sim: RunningSimulator;
let ai: Failsoft;
let failsoft: FailsoftProvider;

beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  sim.clearFaults();
  sim.resetStats();
  ai = simEngine(sim);
  failsoft = createFailsoftProvider(ai);
});
afterEach(async () => {
  await ai.close();
});

describe('images through generateText and streamText', () => {
  it('PNG bytes reach the provider as an image', async () => {
    const result = await generateText({
      model: failsoft('chat'),
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image', image: TINY_PNG_BYTES },
          ],
        },
      ],
    });
    expect(result.text).toBe('Simulated reply from anthropic (claude-sonnet-4-5): I see 1 image. What is this?');
    expect(requestCounts(sim)).toEqual({ anthropic: 1, openai: 0 });
  });

  it('an image URL and base64 text arrive too, and after a failover to the other provider', async () => {
    sim.setFaults({ anthropic: [{ kind: 'server_error' }] });
    const result = await generateText({
      model: failsoft('chat'),
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', image: new URL('https://example.com/cat.png') },
            { type: 'image', image: TINY_PNG_BASE64, mediaType: 'image/png' },
            { type: 'text', text: 'Same cat?' },
          ],
        },
      ],
    });
    expect(result.text).toBe('Simulated reply from openai (gpt-4o): I see 2 images. Same cat?');
    expect(requestCounts(sim)).toEqual({ anthropic: 1, openai: 1 });
  });

  it('streams an answer to an image', async () => {
    const result = streamText({
      model: failsoft('chat'),
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', image: TINY_PNG_BYTES },
            { type: 'text', text: 'Colour?' },
          ],
        },
      ],
    });
    expect(await result.text).toBe('Simulated reply from anthropic (claude-sonnet-4-5): I see 1 image. Colour?');
  });
});

describe('convertPrompt with image files', () => {
  const convert = (prompt: LanguageModelV4Prompt) => convertPrompt(prompt, []);

  it('reads the media type from the bytes when the AI SDK only knows "image"', () => {
    expect(
      convert([
        { role: 'user', content: [{ type: 'file', mediaType: 'image', data: { type: 'data', data: TINY_PNG_BYTES } }] },
      ]),
    ).toEqual([{ role: 'user', content: [{ type: 'image', mediaType: 'image/png', data: TINY_PNG_BASE64 }] }]);
  });

  it('turns a data: URL into bytes and keeps an https URL with its media type', () => {
    const messages = convert([
      {
        role: 'user',
        content: [
          {
            type: 'file',
            mediaType: 'image',
            data: { type: 'url', url: new URL(`data:image/png;base64,${TINY_PNG_BASE64}`) },
          },
          { type: 'file', mediaType: 'image/webp', data: { type: 'url', url: new URL('https://example.com/a.webp') } },
        ],
      },
    ]);
    expect(messages[0]?.content).toEqual([
      { type: 'image', mediaType: 'image/png', data: TINY_PNG_BASE64 },
      { type: 'image', url: 'https://example.com/a.webp', mediaType: 'image/webp' },
    ]);
  });

  it('refuses an image it cannot pass on, and an image from the assistant, by name and place', () => {
    const bmp = () =>
      convert([
        { role: 'user', content: [{ type: 'file', mediaType: 'image/bmp', data: { type: 'data', data: 'Qk0=' } }] },
      ]);
    expect(bmp).toThrow(UnsupportedFunctionalityError);
    expect(bmp).toThrow('image part (image/bmp) (message 0 (user), part 0) is not supported');
    const gs = () =>
      convert([
        {
          role: 'user',
          content: [{ type: 'file', mediaType: 'image/png', data: { type: 'url', url: new URL('gs://bucket/a.png') } }],
        },
      ]);
    expect(gs).toThrow('image part (url) (image/png) (message 0 (user), part 0)');
    const fromAssistant = () =>
      convert([
        {
          role: 'assistant',
          content: [{ type: 'file', mediaType: 'image/png', data: { type: 'data', data: TINY_PNG_BYTES } }],
        },
      ]);
    expect(fromAssistant).toThrow('file part (image/png) (message 0 (assistant), part 0) is not supported');
  });
});
