import { ApiError, FunctionCallingConfigMode, GoogleGenAI, Type, type GenerateContentResponse } from '@google/genai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../start-simulator.js';

/**
 * The official @google/genai SDK as a real client of the simulated Gemini API. The SDK retries
 * nothing unless `httpOptions.retryOptions` is set, so every fault surfaces on the first attempt.
 */

const KEY = 'AIza-sim-test-key';
const MODEL = 'gemini-2.5-flash';
let sim: RunningSimulator;

beforeAll(async () => {
  // A small pause between deltas lets the raw error tail arrive in its own read, as on the wire.
  sim = await startSimulator({ port: 0, chunkDelayMs: 5, apiKeys: { gemini: KEY } });
});

afterAll(async () => {
  await sim.close();
});

afterEach(() => {
  sim.clearFaults();
  sim.clearLimits();
});

function client(options: { apiKey?: string; timeout?: number } = {}): GoogleGenAI {
  return new GoogleGenAI({
    apiKey: options.apiKey ?? KEY,
    httpOptions: {
      baseUrl: sim.urlFor('gemini'),
      ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
    },
  });
}

const weatherTool = {
  functionDeclarations: [
    {
      name: 'get_weather',
      description: 'Current weather in a city',
      parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  ],
};

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

/** The error the SDK raised, with the Google error body it carries in its message. */
function apiError(error: unknown): {
  status: number;
  body: { error: { code: number; status: string; message: string; details?: Record<string, unknown>[] } };
} {
  expect(error).toBeInstanceOf(ApiError);
  const api = error as ApiError;
  return { status: api.status, body: JSON.parse(api.message) };
}

async function drain(stream: AsyncGenerator<GenerateContentResponse>): Promise<GenerateContentResponse[]> {
  const chunks: GenerateContentResponse[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

describe('@google/genai against the simulated Gemini API', () => {
  it('generates text with usage, modelVersion and responseId', async () => {
    const response = await client().models.generateContent({
      model: MODEL,
      contents: 'Why is the sky blue?',
      config: { systemInstruction: 'Be brief.', maxOutputTokens: 200 },
    });
    expect(response.text).toBe(`Simulated reply from gemini (${MODEL}): Why is the sky blue?`);
    expect(response.candidates?.[0]?.finishReason).toBe('STOP');
    expect(response.usageMetadata?.promptTokenCount).toBeGreaterThan(0);
    expect(response.usageMetadata?.candidatesTokenCount).toBeGreaterThan(0);
    expect(response.modelVersion).toBe(MODEL);
    expect(response.responseId).toMatch(/^[A-Za-z0-9_-]{23}$/);
  });

  it('answers a forced tool with a function call', async () => {
    const response = await client().models.generateContent({
      model: MODEL,
      contents: 'Weather in Paris?',
      config: {
        tools: [weatherTool],
        toolConfig: {
          functionCallingConfig: { mode: FunctionCallingConfigMode.ANY, allowedFunctionNames: ['get_weather'] },
        },
      },
    });
    expect(response.functionCalls).toEqual([{ name: 'get_weather', args: { city: 'Weather in Paris?' } }]);
  });

  it('accepts a function response turn after the call and answers it with text', async () => {
    const response = await client().models.generateContent({
      model: MODEL,
      contents: [
        { role: 'user', parts: [{ text: 'Weather in Paris?' }] },
        { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }] },
        { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { output: '18°C' } } }] },
      ],
      config: { tools: [weatherTool] },
    });
    expect(response.text).toBe('Tool result received.');
  });

  it('streams text in pieces; the last chunk carries finishReason and usage', async () => {
    const chunks = await drain(
      await client().models.generateContentStream({ model: MODEL, contents: 'Tell me a story about the sea' }),
    );
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks.map((c) => c.text ?? '').join('')).toBe(
      `Simulated reply from gemini (${MODEL}): Tell me a story about the sea`,
    );
    const last = chunks.at(-1);
    expect(last?.candidates?.[0]?.finishReason).toBe('STOP');
    expect(last?.usageMetadata?.candidatesTokenCount).toBeGreaterThan(0);
  });

  const recipeSchema = {
    type: 'object',
    properties: {
      name: { type: 'string' },
      minutes: { type: 'integer' },
      tags: { type: 'array', items: { type: 'string', enum: ['sweet', 'salty'] } },
    },
    required: ['name', 'minutes', 'tags'],
  };

  it('answers responseMimeType application/json with responseJsonSchema as JSON text', async () => {
    const response = await client().models.generateContent({
      model: MODEL,
      contents: 'A cookie recipe',
      config: { responseMimeType: 'application/json', responseJsonSchema: recipeSchema },
    });
    expect(JSON.parse(response.text ?? '')).toEqual({ name: 'A cookie recipe', minutes: 1, tags: ['sweet'] });
    expect(response.candidates?.[0]?.finishReason).toBe('STOP');
  });

  it('streams JSON built from an OpenAPI-style responseSchema, the pieces joining to valid JSON', async () => {
    const responseSchema = {
      type: Type.OBJECT,
      properties: { title: { type: Type.STRING }, rating: { type: Type.NUMBER }, ok: { type: Type.BOOLEAN } },
      required: ['title', 'rating', 'ok'],
    };
    const chunks = await drain(
      await client().models.generateContentStream({
        model: MODEL,
        contents: 'Rate this cookie please',
        config: { responseMimeType: 'application/json', responseSchema },
      }),
    );
    expect(chunks.length).toBeGreaterThan(2);
    expect(JSON.parse(chunks.map((c) => c.text ?? '').join(''))).toEqual({
      title: 'Rate this cookie please',
      rating: 1,
      ok: true,
    });
  });

  it('refuses a responseJsonSchema without responseMimeType application/json with 400 INVALID_ARGUMENT', async () => {
    const { status, body } = apiError(
      await failure(
        client().models.generateContent({ model: MODEL, contents: 'Hi', config: { responseJsonSchema: recipeSchema } }),
      ),
    );
    expect(status).toBe(400);
    expect(body.error.status).toBe('INVALID_ARGUMENT');
    expect(body.error.message).toContain('generation_config.response_json_schema');
  });

  it('streams a tool call', async () => {
    const chunks = await drain(
      await client().models.generateContentStream({
        model: MODEL,
        contents: 'Use get_weather for Oslo',
        config: { tools: [weatherTool] },
      }),
    );
    const calls = chunks.flatMap((c) => c.functionCalls ?? []);
    expect(calls).toEqual([{ name: 'get_weather', args: { city: 'Use get_weather for Oslo' } }]);
    expect(chunks.at(-1)?.candidates?.[0]?.finishReason).toBe('STOP');
  });

  describe('each fault kind surfaces as the ApiError the real API produces', () => {
    it.each([
      ['overloaded', 503, 'UNAVAILABLE'],
      ['server_error', 500, 'INTERNAL'],
      ['bad_request', 400, 'INVALID_ARGUMENT'],
    ] as const)('%s → ApiError %i %s', async (kind, status, googleStatus) => {
      sim.setFaults({ gemini: [{ kind, count: 1 }] });
      const { status: seen, body } = apiError(
        await failure(client().models.generateContent({ model: MODEL, contents: 'Hi' })),
      );
      expect(seen).toBe(status);
      expect(body.error).toMatchObject({ code: status, status: googleStatus });
    });

    it('rate_limited → 429 RESOURCE_EXHAUSTED whose RetryInfo carries the delay (no retry-after header)', async () => {
      sim.setFaults({ gemini: [{ kind: 'rate_limited', count: 1, retryAfterS: 37 }] });
      const { status, body } = apiError(
        await failure(client().models.generateContent({ model: MODEL, contents: 'Hi' })),
      );
      expect(status).toBe(429);
      expect(body.error.status).toBe('RESOURCE_EXHAUSTED');
      expect(body.error.details).toContainEqual({
        '@type': 'type.googleapis.com/google.rpc.RetryInfo',
        retryDelay: '37s',
      });
    });

    it('quota_exhausted → 429 with a PerDay quota and no RetryInfo', async () => {
      sim.setFaults({ gemini: [{ kind: 'quota_exhausted', count: 1 }] });
      const { status, body } = apiError(
        await failure(client().models.generateContent({ model: MODEL, contents: 'Hi' })),
      );
      expect(status).toBe(429);
      expect(JSON.stringify(body.error.details)).toContain('PerDay');
      expect(body.error.details?.some((d) => d['@type'] === 'type.googleapis.com/google.rpc.RetryInfo')).toBe(false);
    });

    it('auth → 400 INVALID_ARGUMENT with reason API_KEY_INVALID', async () => {
      sim.setFaults({ gemini: [{ kind: 'auth', count: 1 }] });
      const { status, body } = apiError(
        await failure(client().models.generateContent({ model: MODEL, contents: 'Hi' })),
      );
      expect(status).toBe(400);
      expect(body.error.details?.[0]).toMatchObject({ reason: 'API_KEY_INVALID' });
    });

    it('context_length → 400 "The input token count … exceeds the maximum"', async () => {
      sim.setFaults({ gemini: [{ kind: 'context_length', count: 1 }] });
      const { status, body } = apiError(
        await failure(client().models.generateContent({ model: MODEL, contents: 'Hi' })),
      );
      expect(status).toBe(400);
      expect(body.error.message).toMatch(
        /^The input token count \(\d+\) exceeds the maximum number of tokens allowed \(1048576\)\.$/,
      );
    });

    it('a stream request gets the same HTTP error before any chunk', async () => {
      sim.setFaults({ gemini: [{ kind: 'overloaded', count: 1 }] });
      const { status } = apiError(
        await failure(client().models.generateContentStream({ model: MODEL, contents: 'Hi' })),
      );
      expect(status).toBe(503);
    });
  });

  it('timeout: an unanswered request fails at the client timeout with an AbortError', async () => {
    sim.setFaults({ gemini: [{ kind: 'timeout', count: 1 }] });
    const error = await failure(client({ timeout: 150 }).models.generateContent({ model: MODEL, contents: 'Hi' }));
    expect(error).toMatchObject({ name: 'AbortError' });
  });

  it('reset: a destroyed socket is a fetch connection error', async () => {
    sim.setFaults({ gemini: [{ kind: 'reset', count: 1 }] });
    const error = await failure(client().models.generateContent({ model: MODEL, contents: 'Hi' }));
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe('fetch failed');
  });

  it('mid_stream_error: iteration throws after the first chunks', async () => {
    // The error tail arrives in a read of its own, as from the real API: the SDK raises ApiError 503.
    sim.setFaults({ gemini: [{ kind: 'mid_stream_error', count: 1, afterChunks: 2 }] });
    const chunks: GenerateContentResponse[] = [];
    const error = await failure(
      (async () => {
        for await (const chunk of await client().models.generateContentStream({
          model: MODEL,
          contents: 'Tell me a long story about the sea',
        }))
          chunks.push(chunk);
      })(),
    );
    expect(chunks).toHaveLength(2);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(503);
  });

  it('truncated_stream: the SDK ends the iteration quietly, the last chunk without a finishReason', async () => {
    // The SDK cannot resume without a continuation token and keeps no error, so a cut stream looks
    // like a short answer: only the missing finishReason gives it away (failsoft's adapter throws).
    sim.setFaults({ gemini: [{ kind: 'truncated_stream', count: 1, afterChunks: 2 }] });
    const chunks = await drain(
      await client().models.generateContentStream({ model: MODEL, contents: 'Tell me a long story about the sea' }),
    );
    expect(chunks).toHaveLength(2);
    expect(chunks.every((c) => c.candidates?.[0]?.finishReason === undefined)).toBe(true);
  });

  it('limits: over the RPM the SDK gets 429 RESOURCE_EXHAUSTED with RetryInfo, and no rate-limit headers', async () => {
    sim.setLimits({ gemini: { rpm: 1 } });
    const first = await client().models.generateContent({ model: MODEL, contents: 'Hi' });
    const headers = first.sdkHttpResponse?.headers ?? {};
    expect(Object.keys(headers).filter((h) => /ratelimit|retry-after/i.test(h))).toEqual([]);
    const { status, body } = apiError(
      await failure(client().models.generateContent({ model: MODEL, contents: 'Hi again' })),
    );
    expect(status).toBe(429);
    expect(JSON.stringify(body.error.details)).toContain('GenerateRequestsPerMinutePerProjectPerModel');
    const retry = body.error.details?.find((d) => d['@type'] === 'type.googleapis.com/google.rpc.RetryInfo');
    expect(retry?.['retryDelay']).toMatch(/^\d+(\.\d{3})?s$/);
  });

  it('a wrong key gets the SDK error for 400 API_KEY_INVALID', async () => {
    const { status, body } = apiError(
      await failure(client({ apiKey: 'AIza-wrong' }).models.generateContent({ model: MODEL, contents: 'Hi' })),
    );
    expect(status).toBe(400);
    expect(body.error).toMatchObject({
      status: 'INVALID_ARGUMENT',
      message: 'API key not valid. Please pass a valid API key.',
    });
  });
});
