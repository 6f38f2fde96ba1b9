import { describe, expect, it } from 'vitest';
import { TOOL_RESULT_REPLY, buildToolInput, deriveAnswer, splitIntoChunks } from './derive-answer.js';
import type { SimParsedRequest } from './sim-protocol.js';

function request(overrides: Partial<SimParsedRequest> = {}): SimParsedRequest {
  return {
    model: 'gpt-4o',
    stream: false,
    inputTokens: 12,
    maxOutputTokens: 1000,
    includeUsage: false,
    lastUserText: 'What is the weather in Paris today?',
    lastIsToolResult: false,
    tools: [],
    toolChoice: 'auto',
    ...overrides,
  };
}

const weatherTool = {
  name: 'get_weather',
  inputSchema: {
    type: 'object',
    properties: {
      city: { type: 'string' },
      days: { type: 'integer' },
      metric: { type: 'boolean' },
      unit: { type: 'string', enum: ['c', 'f'] },
    },
    required: ['city', 'days', 'metric', 'unit'],
  },
};

describe('deriveAnswer', () => {
  it('says how many images the last user message carried, and gives it its own id', () => {
    const plain = deriveAnswer('openai', request(), 0);
    const one = deriveAnswer('openai', request({ images: 1 }), 0);
    const two = deriveAnswer('openai', request({ images: 2, lastUserText: '' }), 0);
    expect(one.text).toBe('Simulated reply from openai (gpt-4o): I see 1 image. What is the weather in Paris today?');
    expect(two.text).toBe('Simulated reply from openai (gpt-4o): I see 2 images.');
    expect(one.id).not.toBe(plain.id);
    expect(deriveAnswer('openai', request({ images: 0 }), 0)).toEqual(plain);
  });

  it('echoes the prompt with the provider and model, counting output tokens at 4 chars a token', () => {
    const answer = deriveAnswer('openai', request(), 1_700_000_000_500);
    expect(answer.text).toBe('Simulated reply from openai (gpt-4o): What is the weather in Paris today?');
    expect(answer.outputTokens).toBe(Math.ceil(answer.text.length / 4));
    expect(answer.inputTokens).toBe(12);
    expect(answer.stop).toBe('end');
    expect(answer.created).toBe(1_700_000_000);
    expect(answer.textChunks.join('')).toBe(answer.text);
  });

  it('gives the same id for the same request and a different id for a different one', () => {
    const first = deriveAnswer('openai', request(), 0);
    expect(deriveAnswer('openai', request(), 99_000).id).toBe(first.id);
    expect(deriveAnswer('openai', request({ lastUserText: 'other' }), 0).id).not.toBe(first.id);
    expect(first.id).toMatch(/^[0-9a-f]{16}$/);
  });

  it('cuts the text at maxOutputTokens and says max_tokens', () => {
    const answer = deriveAnswer('openai', request({ maxOutputTokens: 5 }), 0);
    expect(answer.text).toBe('Simulated reply from');
    expect(answer.outputTokens).toBe(5);
    expect(answer.stop).toBe('max_tokens');
  });

  it('acknowledges tool results with plain text', () => {
    const answer = deriveAnswer(
      'openai',
      request({ lastIsToolResult: true, tools: [weatherTool], lastUserText: 'get_weather' }),
      0,
    );
    expect(answer.text).toBe(TOOL_RESULT_REPLY);
    expect(answer.toolCall).toBeUndefined();
  });

  it('calls a tool the prompt mentions when the choice is auto', () => {
    const answer = deriveAnswer(
      'anthropic',
      request({ tools: [weatherTool], lastUserText: 'use get_weather for Paris' }),
      0,
    );
    expect(answer.stop).toBe('tool_use');
    expect(answer.text).toBe('');
    expect(answer.textChunks).toEqual([]);
    expect(answer.toolCall).toEqual({
      id: `${answer.id}t`,
      name: 'get_weather',
      input: { city: 'use get_weather for Paris', days: 1, metric: true, unit: 'c' },
    });
    expect(answer.outputTokens).toBeGreaterThan(0);
  });

  it('answers with text when the choice is auto and no tool is mentioned, or the choice is none', () => {
    expect(deriveAnswer('openai', request({ tools: [weatherTool] }), 0).toolCall).toBeUndefined();
    expect(
      deriveAnswer('openai', request({ tools: [weatherTool], lastUserText: 'get_weather', toolChoice: 'none' }), 0)
        .toolCall,
    ).toBeUndefined();
  });

  it('calls the first tool when a tool is required, and the named tool when one is forced', () => {
    const other = { name: 'lookup' };
    expect(
      deriveAnswer('openai', request({ tools: [weatherTool, other], toolChoice: 'required' }), 0).toolCall?.name,
    ).toBe('get_weather');
    expect(
      deriveAnswer('openai', request({ tools: [weatherTool, other], toolChoice: { name: 'lookup' } }), 0).toolCall,
    ).toMatchObject({
      name: 'lookup',
      input: {},
    });
  });
});

const ticketSchema = {
  type: 'object',
  properties: {
    title: { type: 'string' },
    priority: { type: 'string', enum: ['high', 'low'] },
    count: { type: 'integer' },
    urgent: { type: 'boolean' },
    owner: {
      type: 'object',
      properties: {
        name: { type: 'string' },
        team: { type: 'object', properties: { id: { type: 'number' } }, required: ['id'] },
      },
      required: ['name', 'team'],
    },
    steps: { type: 'array', items: { type: 'string' } },
  },
  required: ['title', 'priority', 'count', 'urgent', 'owner', 'steps'],
};

describe('deriveAnswer in JSON mode', () => {
  it('answers with JSON text built from the schema: nested objects, arrays, enums, integers', () => {
    const answer = deriveAnswer('openai', request({ json: { schema: ticketSchema } }), 0);
    const value = JSON.parse(answer.text) as Record<string, unknown>;
    expect(value).toEqual({
      title: 'What is the weather in Paris today?',
      priority: 'high',
      count: 1,
      urgent: true,
      owner: { name: 'What is the weather in Paris today?', team: { id: 1 } },
      steps: ['What is the weather in Paris today?'],
    });
    expect(answer.stop).toBe('end');
    expect(answer.toolCall).toBeUndefined();
    expect(answer.outputTokens).toBe(Math.ceil(answer.text.length / 4));
  });

  it('wraps the usual reply as {"reply": …} without a schema, also after tool results', () => {
    expect(JSON.parse(deriveAnswer('openai', request({ json: {} }), 0).text)).toEqual({
      reply: 'Simulated reply from openai (gpt-4o): What is the weather in Paris today?',
    });
    expect(JSON.parse(deriveAnswer('openai', request({ json: {}, lastIsToolResult: true }), 0).text)).toEqual({
      reply: TOOL_RESULT_REPLY,
    });
  });

  it("reads Gemini's upper-case schema types", () => {
    const schema = {
      type: 'OBJECT',
      properties: { n: { type: 'INTEGER' }, tags: { type: 'ARRAY', items: { type: 'STRING' } } },
    };
    expect(JSON.parse(deriveAnswer('gemini', request({ json: { schema } }), 0).text)).toEqual({
      n: 1,
      tags: ['What is the weather in Paris today?'],
    });
  });

  it('splits the JSON into stream chunks that join back to the whole JSON', () => {
    const answer = deriveAnswer('openai', request({ stream: true, json: { schema: ticketSchema } }), 0);
    expect(answer.textChunks.length).toBeGreaterThan(2);
    expect(answer.textChunks.join('')).toBe(answer.text);
    expect(() => JSON.parse(answer.text)).not.toThrow();
  });

  it('cuts the JSON at maxOutputTokens like any text, with stop max_tokens', () => {
    const whole = deriveAnswer('openai', request({ json: { schema: ticketSchema } }), 0).text;
    const cut = deriveAnswer('openai', request({ json: { schema: ticketSchema }, maxOutputTokens: 5 }), 0);
    expect(cut.text).toBe(whole.slice(0, 20));
    expect(cut.stop).toBe('max_tokens');
  });

  it('still calls a chosen tool, and gives JSON mode its own id', () => {
    const forced = deriveAnswer(
      'openai',
      request({ json: {}, tools: [weatherTool], toolChoice: { name: 'get_weather' } }),
      0,
    );
    expect(forced.toolCall?.name).toBe('get_weather');
    expect(forced.text).toBe('');
    expect(deriveAnswer('openai', request({ json: {} }), 0).id).not.toBe(deriveAnswer('openai', request(), 0).id);
    expect(deriveAnswer('openai', request({ json: { schema: ticketSchema } }), 0).id).not.toBe(
      deriveAnswer('openai', request({ json: {} }), 0).id,
    );
  });
});

describe('tool input from a schema', () => {
  it('fills nested object schemas recursively for a forced tool (how failsoft asks Anthropic for JSON)', () => {
    const answer = deriveAnswer(
      'anthropic',
      request({ tools: [{ name: 'emit', inputSchema: ticketSchema }], toolChoice: { name: 'emit' } }),
      0,
    );
    expect(answer.toolCall?.input).toMatchObject({
      owner: { name: 'What is the weather in Paris today?', team: { id: 1 } },
      steps: ['What is the weather in Paris today?'],
    });
  });

  it('fills every property when none is required', () => {
    const input = buildToolInput(
      { name: 't', inputSchema: { properties: { q: { type: 'string' }, n: { type: 'number' } } } },
      '  hi  ',
    );
    expect(input).toEqual({ q: 'hi', n: 1 });
  });

  it('uses a placeholder string for an empty prompt', () => {
    expect(buildToolInput({ name: 't', inputSchema: { properties: { q: {} }, required: ['q'] } }, '')).toEqual({
      q: 'example',
    });
  });
});

describe('splitIntoChunks', () => {
  it('splits into deltas of about three words that join back exactly', () => {
    const text = 'one two three four five six seven eight nine ten';
    const chunks = splitIntoChunks(text);
    expect(chunks).toEqual(['one two three ', 'four five six ', 'seven eight nine ', 'ten']);
    expect(chunks.join('')).toBe(text);
  });

  it('makes at least three chunks when the text allows', () => {
    expect(splitIntoChunks('a b c d')).toEqual(['a ', 'b ', 'c ', 'd']);
    expect(splitIntoChunks('Hello')).toEqual(['He', 'll', 'o']);
    expect(splitIntoChunks('Hi')).toEqual(['Hi']);
    expect(splitIntoChunks('')).toEqual([]);
  });

  it('keeps leading and repeated whitespace', () => {
    const text = '  lead  double\nnewline end ';
    expect(splitIntoChunks(text).join('')).toBe(text);
  });
});

describe('splitIntoChunks on many texts', () => {
  it('always joins back exactly and makes ≥ 3 chunks from ≥ 3 words', () => {
    const words = ['a', 'bb', 'ccc', ' ', '\n', '\t', 'é', '🙂', '  ', 'word'];
    let seed = 1;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let run = 0; run < 500; run++) {
      let text = '';
      const length = Math.floor(next() * 30);
      for (let i = 0; i < length; i++) text += words[Math.floor(next() * words.length)];
      const chunks = splitIntoChunks(text);
      expect(chunks.join('')).toBe(text);
      expect(chunks.every((chunk) => chunk.length > 0)).toBe(true);
      const wordCount = text.split(/\s+/).filter(Boolean).length;
      if (wordCount >= 3) expect(chunks.length).toBeGreaterThanOrEqual(3);
    }
  });
});
