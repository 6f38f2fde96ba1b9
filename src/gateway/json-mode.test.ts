/**
 * JSON mode through the gateway with the official OpenAI SDK: `response_format` is honoured whichever
 * provider answers (OpenAI natively, Gemini with responseJsonSchema, Claude through a forced answer tool),
 * streamed and not, with the simulator upstream.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFailsoft, type Failsoft } from '../engine/failsoft.js';
import { startSimulator, type RunningSimulator } from '../sim/start-simulator.js';
import { startGateway, type RunningGateway } from './gateway-server.js';

let sim: RunningSimulator;
let ai: Failsoft;
let gateway: RunningGateway;
let openai: OpenAI;

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
});
afterAll(async () => {
  await gateway.close();
  await ai.close();
  await sim.close();
});

const schema = {
  type: 'object',
  properties: {
    city: { type: 'string' },
    zip: { type: 'integer' },
    tags: { type: 'array', items: { type: 'string' } },
  },
  required: ['city', 'zip', 'tags'],
  additionalProperties: false,
};
const messages = [{ role: 'user' as const, content: 'Ship to 4 rue Oberkampf, 75011 Paris' }];
const jsonSchema = { type: 'json_schema' as const, json_schema: { name: 'address', schema, strict: true } };

function expectAddress(text: string | null | undefined): void {
  const value = JSON.parse(text ?? '') as Record<string, unknown>;
  expect(typeof value['city']).toBe('string');
  expect(Number.isInteger(value['zip'])).toBe(true);
  expect(Array.isArray(value['tags'])).toBe(true);
}

describe('gateway: JSON mode on every provider', () => {
  for (const feature of ['claude', 'gpt', 'gemini']) {
    it(`${feature}: a json_schema answer is JSON matching the schema, finished as stop`, async () => {
      const { data, response } = await openai.chat.completions
        .create({ model: feature, messages, response_format: jsonSchema })
        .withResponse();
      expect(response.headers.get('x-failsoft-provider')).toBe(feature);
      expectAddress(data.choices[0]?.message.content);
      expect(data.choices[0]?.message.tool_calls ?? []).toEqual([]);
      expect(data.choices[0]?.finish_reason).toBe('stop');
    });

    it(`${feature}: streamed, the deltas join into the JSON answer`, async () => {
      const stream = await openai.chat.completions.create({
        model: feature,
        messages,
        response_format: jsonSchema,
        stream: true,
      });
      let text = '';
      let finish: string | null | undefined;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? '';
        expect(chunk.choices[0]?.delta.tool_calls).toBeUndefined();
        finish = chunk.choices[0]?.finish_reason ?? finish;
      }
      expectAddress(text);
      expect(finish).toBe('stop');
    });

    it(`${feature}: json_object gives a JSON object`, async () => {
      const data = await openai.chat.completions.create({
        model: feature,
        messages,
        response_format: { type: 'json_object' },
      });
      const value = JSON.parse(data.choices[0]?.message.content ?? '') as unknown;
      expect(typeof value).toBe('object');
      expect(Array.isArray(value)).toBe(false);
    });
  }

  it('Anthropic SDK: structured outputs (output_config.format) are honoured, here answered by Gemini', async () => {
    const anthropic = new Anthropic({ baseURL: gateway.url, apiKey: 'unused', maxRetries: 0 });
    const message = await anthropic.messages.create({
      model: 'gemini',
      max_tokens: 200,
      messages,
      output_config: { format: { type: 'json_schema', schema } },
    });
    const block = message.content[0];
    expect(block?.type).toBe('text');
    expectAddress(block?.type === 'text' ? block.text : undefined);
    expect(message.stop_reason).toBe('end_turn');
  });

  it('refuses a schema whose root is not an object, and legacy functions, with a 400 naming the field', async () => {
    const bad = await openai.chat.completions
      .create({
        model: 'gpt',
        messages,
        response_format: { type: 'json_schema', json_schema: { name: 'list', schema: { type: 'array' } } },
      })
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(OpenAI.BadRequestError);
    expect((bad as InstanceType<typeof OpenAI.BadRequestError>).message).toContain(
      'response_format.json_schema.schema',
    );
    const legacy = await openai.chat.completions
      .create({ model: 'gpt', messages, functions: [{ name: 'f', parameters: { type: 'object' } }] })
      .catch((e: unknown) => e);
    expect(legacy).toBeInstanceOf(OpenAI.BadRequestError);
    expect((legacy as InstanceType<typeof OpenAI.BadRequestError>).message).toContain('functions');
  });
});
