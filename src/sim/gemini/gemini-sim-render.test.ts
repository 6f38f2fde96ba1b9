import { describe, expect, it } from 'vitest';
import { readSse } from '../../providers/sse.js';
import type { SimAnswer, SimParsedRequest } from '../sim-protocol.js';
import { renderGeminiStreamError } from './gemini-sim-errors.js';
import {
  geminiStreamHeaders,
  JSON_ARRAY_SEPARATOR,
  renderGeminiAnswer,
  renderGeminiModels,
  renderGeminiStream,
} from './gemini-sim-render.js';

const request: SimParsedRequest = {
  model: 'gemini-2.5-flash',
  stream: true,
  inputTokens: 7,
  maxOutputTokens: 4096,
  includeUsage: true,
  lastUserText: 'Hello',
  lastIsToolResult: false,
  tools: [],
  toolChoice: 'auto',
};

const textAnswer: SimAnswer = {
  id: '0123456789abcdef',
  model: 'gemini-2.5-flash',
  created: 1_700_000_000,
  textChunks: ['Simulated reply ', 'from gemini ', '(gemini-2.5-flash): Hello'],
  text: 'Simulated reply from gemini (gemini-2.5-flash): Hello',
  inputTokens: 7,
  outputTokens: 13,
  stop: 'end',
};

const toolAnswer: SimAnswer = {
  id: 'fedcba9876543210',
  model: 'gemini-2.5-flash',
  created: 1_700_000_000,
  textChunks: [],
  text: '',
  toolCall: { id: 'fedcba9876543210t', name: 'get_weather', input: { city: 'Paris' } },
  inputTokens: 20,
  outputTokens: 6,
  stop: 'tool_use',
};

async function chunksOf(frames: string): Promise<unknown[]> {
  const out: unknown[] = [];
  async function* body(): AsyncGenerator<string> {
    yield frames;
  }
  for await (const item of readSse(body())) {
    expect(item.kind).toBe('event');
    if (item.kind === 'event') {
      expect(item.event).toBeUndefined();
      out.push(JSON.parse(item.data));
    }
  }
  return out;
}

describe('renderGeminiAnswer', () => {
  it('renders a GenerateContentResponse with candidates, usage, modelVersion and a responseId', () => {
    const reply = renderGeminiAnswer(textAnswer, {});
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/json; charset=UTF-8');
    const body = JSON.parse(reply.body);
    expect(body).toEqual({
      candidates: [{ content: { parts: [{ text: textAnswer.text }], role: 'model' }, finishReason: 'STOP', index: 0 }],
      usageMetadata: {
        promptTokenCount: 7,
        candidatesTokenCount: 13,
        totalTokenCount: 20,
        promptTokensDetails: [{ modality: 'TEXT', tokenCount: 7 }],
      },
      modelVersion: 'gemini-2.5-flash',
      responseId: expect.stringMatching(/^[A-Za-z0-9_-]{23}$/),
    });
    expect(reply.body).toContain('\n  "candidates": [');
  });

  it('renders a tool call as a functionCall part with finishReason STOP', () => {
    const body = JSON.parse(renderGeminiAnswer(toolAnswer, {}).body);
    expect(body.candidates[0]).toEqual({
      content: { parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }], role: 'model' },
      finishReason: 'STOP',
      index: 0,
    });
  });

  it('renders an answer cut at the cap with MAX_TOKENS', () => {
    const body = JSON.parse(renderGeminiAnswer({ ...textAnswer, stop: 'max_tokens' }, {}).body);
    expect(body.candidates[0].finishReason).toBe('MAX_TOKENS');
  });
});

describe('renderGeminiStream', () => {
  it('sends one data-only chunk per text piece, CRLF-separated, and the finishReason and usage only in the tail', async () => {
    const frames = renderGeminiStream(textAnswer, request);
    expect(frames.head).toEqual([]);
    expect(frames.deltas).toHaveLength(3);
    for (const frame of [...frames.deltas, ...frames.tail]) expect(frame).toMatch(/^data: \{.*\}\r\n\r\n$/s);
    const deltas = (await chunksOf(frames.deltas.join(''))) as {
      candidates: { content: { parts: { text: string }[] }; finishReason?: string }[];
    }[];
    expect(deltas.map((c) => c.candidates[0]?.content.parts[0]?.text).join('')).toBe(textAnswer.text);
    expect(deltas.every((c) => c.candidates[0]?.finishReason === undefined)).toBe(true);
    const [tail] = (await chunksOf(frames.tail.join(''))) as {
      candidates: { finishReason: string }[];
      usageMetadata: unknown;
    }[];
    expect(tail?.candidates[0]?.finishReason).toBe('STOP');
    expect(tail?.usageMetadata).toMatchObject({ promptTokenCount: 7, candidatesTokenCount: 13, totalTokenCount: 20 });
  });

  it('sends a function call whole in one chunk', async () => {
    const frames = renderGeminiStream(toolAnswer, request);
    expect(frames.deltas).toHaveLength(1);
    const [chunk] = (await chunksOf(frames.deltas[0] ?? '')) as { candidates: { content: { parts: unknown[] } }[] }[];
    expect(chunk?.candidates[0]?.content.parts).toEqual([
      { functionCall: { name: 'get_weather', args: { city: 'Paris' } } },
    ]);
  });

  it('opens the stream as text/event-stream', () => {
    expect(geminiStreamHeaders()['content-type']).toBe('text/event-stream');
  });
});

describe('renderGeminiStream without alt=sse: one streamed JSON array', () => {
  const arrayRequest: SimParsedRequest = { ...request, jsonArrayStream: true };

  it('holds the same chunks as the SSE stream, pretty-printed, as application/json', async () => {
    const sse = renderGeminiStream(textAnswer, request);
    const array = renderGeminiStream(textAnswer, arrayRequest);
    const whole = [...array.head, ...array.deltas, ...array.tail].join('');
    expect(whole.startsWith('[{\n  "candidates"')).toBe(true);
    expect(whole.endsWith('\n]')).toBe(true);
    expect(whole.split(JSON_ARRAY_SEPARATOR)).toHaveLength(4);
    expect(JSON.parse(whole)).toEqual(await chunksOf([...sse.deltas, ...sse.tail].join('')));
    expect(geminiStreamHeaders(arrayRequest)['content-type']).toMatch(/^application\/json/);
  });

  it('stays a valid array when an error element ends it after any number of chunks, and stays open when cut', () => {
    const frames = renderGeminiStream(textAnswer, arrayRequest);
    for (let sent = 0; sent <= frames.deltas.length; sent++) {
      const body = frames.head.join('') + frames.deltas.slice(0, sent).join('') + renderGeminiStreamError(true);
      const parsed = JSON.parse(body) as unknown[];
      expect(parsed).toHaveLength(sent + 1);
      expect(parsed.at(-1)).toMatchObject({ error: { code: 503, status: 'UNAVAILABLE' } });
    }
    expect(() => JSON.parse(frames.head.join('') + frames.deltas.slice(0, 2).join(''))).toThrow();
  });
});

describe('renderGeminiModels', () => {
  it('lists models by resource name', () => {
    const body = JSON.parse(renderGeminiModels(['gemini-2.5-flash', 'gemini-2.5-pro']).body);
    expect(body.models.map((m: { name: string }) => m.name)).toEqual([
      'models/gemini-2.5-flash',
      'models/gemini-2.5-pro',
    ]);
  });
});
