/**
 * Images through the gateway with the official clients: an OpenAI `image_url` part (data: or https URL)
 * and an Anthropic `image` block (base64 or url source) reach every provider, whichever dialect the
 * client speaks; the simulator's answer says how many images arrived. Bad images get a 400 naming the part.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFailsoft, type Failsoft } from '../../engine/failsoft.js';
import { TINY_PNG_BASE64 } from '../../model/tiny-png.test-helper.js';
import { startSimulator, type RunningSimulator } from '../../sim/start-simulator.js';
import { startGateway, type RunningGateway } from '../gateway-server.js';

let sim: RunningSimulator;
let ai: Failsoft;
let gateway: RunningGateway;
let openai: OpenAI;
let anthropic: Anthropic;

const MODELS: Record<string, string> = {
  claude: 'anthropic (claude-sonnet-4-5)',
  gpt: 'openai (gpt-4o)',
  gemini: 'gemini (gemini-2.5-flash)',
};

beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
  ai = createFailsoft(
    {
      providers: {
        claude: { type: 'anthropic', baseUrl: sim.urlFor('anthropic'), apiKey: 'sk-ant-sim' },
        gpt: { type: 'openai', baseUrl: sim.urlFor('openai'), apiKey: 'sk-sim' },
        gemini: { type: 'gemini', baseUrl: sim.urlFor('gemini'), apiKey: 'gm-sim' },
      },
      features: {
        claude: { tier: 'ai-only', route: ['claude/claude-sonnet-4-5'], maxRetries: 0 },
        gpt: { tier: 'ai-only', route: ['gpt/gpt-4o'], maxRetries: 0 },
        gemini: { tier: 'ai-only', route: ['gemini/gemini-2.5-flash'], maxRetries: 0 },
      },
    },
    { env: {} },
  );
  gateway = await startGateway({ ai, port: 0, host: '127.0.0.1' });
  openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: gateway.url, apiKey: 'unused', maxRetries: 0 });
});
afterAll(async () => {
  await gateway.close();
  await ai.close();
  await sim.close();
});

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

describe('gateway: OpenAI image_url parts reach every provider', () => {
  for (const feature of ['claude', 'gpt', 'gemini']) {
    it(`${feature}: a data: URL and an https URL arrive as two images`, async () => {
      const { data, response } = await openai.chat.completions
        .create({
          model: feature,
          messages: [
            {
              role: 'user',
              content: [
                { type: 'text', text: 'Compare them.' },
                { type: 'image_url', image_url: { url: `data:image/png;base64,${TINY_PNG_BASE64}`, detail: 'low' } },
                { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
              ],
            },
          ],
        })
        .withResponse();
      expect(response.headers.get('x-failsoft-provider')).toBe(feature);
      expect(data.choices[0]?.message.content).toBe(
        `Simulated reply from ${MODELS[feature]}: I see 2 images. Compare them.`,
      );
    });
  }

  it('streams an answer to an image', async () => {
    const stream = await openai.chat.completions.create({
      model: 'gemini',
      stream: true,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image_url', image_url: { url: `data:image/png;base64,${TINY_PNG_BASE64}` } },
            { type: 'text', text: 'What is it?' },
          ],
        },
      ],
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe(`Simulated reply from ${MODELS['gemini']}: I see 1 image. What is it?`);
  });

  it('refuses a bad image with a 400 naming the part, before any provider is called', async () => {
    const before = sim.stats()['openai']?.requests ?? 0;
    const error = await failure(
      openai.chat.completions.create({
        model: 'gpt',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'x' },
              { type: 'image_url', image_url: { url: 'data:image/bmp;base64,Qk0=' } },
            ],
          },
        ],
      }),
    );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    const bad = error as InstanceType<typeof OpenAI.BadRequestError>;
    expect(bad.param).toBe('messages[0].content[1].image_url.url');
    expect(bad.message).toContain('unsupported media type "image/bmp"');
    expect(sim.stats()['openai']?.requests ?? 0).toBe(before);
  });
});

describe('gateway: Anthropic image blocks reach every provider', () => {
  for (const feature of ['claude', 'gpt', 'gemini']) {
    it(`${feature}: a base64 block and a url block arrive as two images`, async () => {
      const message = await anthropic.messages.create({
        model: feature,
        max_tokens: 300,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: TINY_PNG_BASE64 } },
              { type: 'image', source: { type: 'url', url: 'https://example.com/cat.webp' } },
              { type: 'text', text: 'Which is redder?' },
            ],
          },
        ],
      });
      expect(message.content[0]).toMatchObject({
        type: 'text',
        text: `Simulated reply from ${MODELS[feature]}: I see 2 images. Which is redder?`,
      });
    });
  }

  it('refuses bytes that are not the stated type, and an image from the assistant', async () => {
    const wrongType = await failure(
      anthropic.messages.create({
        model: 'claude',
        max_tokens: 10,
        messages: [
          {
            role: 'user',
            content: [{ type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: TINY_PNG_BASE64 } }],
          },
        ],
      }),
    );
    expect(wrongType).toBeInstanceOf(Anthropic.BadRequestError);
    expect((wrongType as Error).message).toContain('messages[0].content[0].source: the bytes are not a JPEG image');
    const fromAssistant = await failure(
      anthropic.messages.create({
        model: 'claude',
        max_tokens: 10,
        messages: [
          { role: 'user', content: 'hi' },
          {
            role: 'assistant',
            content: [
              { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
            ] as unknown as string,
          },
        ],
      }),
    );
    expect((fromAssistant as Error).message).toContain(
      'messages[1].content[0]: images are allowed only in user messages',
    );
  });
});
