import Anthropic from '@anthropic-ai/sdk';
import { ApiError, GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TINY_PNG_BASE64 } from '../model/tiny-png.test-helper.js';
import { IMAGE_TOKENS } from '../model/token-estimate.js';
import { startSimulator, type RunningSimulator } from './start-simulator.js';

/**
 * Images through each protocol of the simulator, with the official SDKs: accepted in the forms the real
 * APIs take, counted as input tokens, mentioned in the answer ("I see 1 image"); malformed ones refused
 * with the API's own error shape.
 */

let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
});

afterAll(async () => {
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

describe('Anthropic images', () => {
  const client = (): Anthropic =>
    new Anthropic({ baseURL: sim.urlFor('anthropic'), apiKey: 'sk-ant-test', maxRetries: 0 });

  it('takes base64 and url image blocks and says how many it saw', async () => {
    const answer = await client().messages.create({
      model: 'claude-sonnet-4-5',
      max_tokens: 200,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: TINY_PNG_BASE64 } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
            { type: 'text', text: 'Compare them.' },
          ],
        },
      ],
    });
    expect(answer.content[0]).toMatchObject({
      type: 'text',
      text: 'Simulated reply from anthropic (claude-sonnet-4-5): I see 2 images. Compare them.',
    });
    expect(answer.usage.input_tokens).toBeGreaterThanOrEqual(2 * IMAGE_TOKENS);
  });

  it('refuses an unsupported media type with invalid_request_error naming the field', async () => {
    const error = await failure(
      client().messages.create({
        model: 'claude-sonnet-4-5',
        max_tokens: 10,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image', source: { type: 'base64', media_type: 'image/bmp' as 'image/png', data: 'Qk0=' } },
            ],
          },
        ],
      }),
    );
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect((error as InstanceType<typeof Anthropic.BadRequestError>).message).toContain(
      "messages.0.content.0.image.source.base64.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'",
    );
  });

  it('refuses data that is not base64', async () => {
    const error = await failure(
      client().messages.create({
        model: 'claude-sonnet-4-5',
        max_tokens: 10,
        messages: [
          {
            role: 'user',
            content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'not base64!' } }],
          },
        ],
      }),
    );
    expect((error as InstanceType<typeof Anthropic.BadRequestError>).status).toBe(400);
    expect((error as Error).message).toContain('messages.0.content.0.image.source.base64.data: Invalid base64 data');
  });
});

describe('OpenAI images', () => {
  const client = (): OpenAI => new OpenAI({ baseURL: sim.urlFor('openai'), apiKey: 'sk-test', maxRetries: 0 });

  it('takes image_url parts (data: and https URLs) and says how many it saw', async () => {
    const answer = await client().chat.completions.create({
      model: 'gpt-4o',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${TINY_PNG_BASE64}`, detail: 'low' } },
          ],
        },
      ],
    });
    expect(answer.choices[0]?.message.content).toBe(
      'Simulated reply from openai (gpt-4o): I see 1 image. What is this?',
    );
    expect(answer.usage?.prompt_tokens).toBeGreaterThanOrEqual(IMAGE_TOKENS);
    const two = await client().chat.completions.create({
      model: 'gpt-4o',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
            { type: 'image_url', image_url: { url: 'https://example.com/b.png' } },
          ],
        },
      ],
    });
    expect(two.choices[0]?.message.content).toBe('Simulated reply from openai (gpt-4o): I see 2 images.');
  });

  it('refuses an unsupported image format and a URL that is neither http(s) nor data:', async () => {
    const format = await failure(
      client().chat.completions.create({
        model: 'gpt-4o',
        messages: [
          { role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/bmp;base64,Qk0=' } }] },
        ],
      }),
    );
    expect(format).toBeInstanceOf(OpenAI.BadRequestError);
    expect((format as InstanceType<typeof OpenAI.BadRequestError>).code).toBe('invalid_image_format');
    const url = await failure(
      client().chat.completions.create({
        model: 'gpt-4o',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'x' },
              { type: 'image_url', image_url: { url: 'ftp://example.com/a.png' } },
            ],
          },
        ],
      }),
    );
    expect((url as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('messages[0].content[1].image_url.url');
    expect((url as InstanceType<typeof OpenAI.BadRequestError>).code).toBe('invalid_image_url');
  });

  it('refuses an image in an assistant message, as the API does', async () => {
    const error = await failure(
      client().chat.completions.create({
        model: 'gpt-4o',
        messages: [
          { role: 'user', content: 'hi' },
          {
            role: 'assistant',
            content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] as unknown as string,
          },
        ],
      }),
    );
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('messages[1].content[0].type');
  });
});

describe('Gemini images', () => {
  const client = (): GoogleGenAI =>
    new GoogleGenAI({ apiKey: 'gemini-key', httpOptions: { baseUrl: sim.urlFor('gemini') } });

  it('takes inlineData and fileData images and says how many it saw', async () => {
    const answer = await client().models.generateContent({
      model: 'gemini-2.5-flash',
      contents: [
        {
          role: 'user',
          parts: [
            { inlineData: { mimeType: 'image/png', data: TINY_PNG_BASE64 } },
            { fileData: { mimeType: 'image/jpeg', fileUri: 'https://example.com/cat.jpg' } },
            { text: 'Describe both.' },
          ],
        },
      ],
    });
    expect(answer.text).toBe('Simulated reply from gemini (gemini-2.5-flash): I see 2 images. Describe both.');
    expect(answer.usageMetadata?.promptTokenCount).toBeGreaterThanOrEqual(2 * IMAGE_TOKENS);
  });

  it('refuses data that is not base64 and an unsupported image type, with INVALID_ARGUMENT', async () => {
    const bad = await failure(
      client().models.generateContent({
        model: 'gemini-2.5-flash',
        contents: [{ role: 'user', parts: [{ inlineData: { mimeType: 'image/png', data: '%%%' } }] }],
      }),
    );
    expect(bad).toBeInstanceOf(ApiError);
    expect((bad as ApiError).status).toBe(400);
    expect((bad as ApiError).message).toContain(
      "Invalid value at 'contents[0].parts[0].inline_data.data' (TYPE_BYTES), Base64 decoding failed",
    );
    const type = await failure(
      client().models.generateContent({
        model: 'gemini-2.5-flash',
        contents: [{ role: 'user', parts: [{ inlineData: { mimeType: 'image/bmp', data: 'Qk0=' } }] }],
      }),
    );
    expect((type as ApiError).message).toContain('Unsupported MIME type: image/bmp');
  });
});
