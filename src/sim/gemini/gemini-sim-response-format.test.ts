import { describe, expect, it } from 'vitest';
import { deriveAnswer } from '../derive-answer.js';
import type { SimHttpReply, SimParsedRequest } from '../sim-protocol.js';
import { parseGeminiRequest } from './gemini-sim-request.js';

/** `generationConfig.responseMimeType` and the response schemas: JSON mode, or Google's 400. */

const route = { operation: 'generate' as const, model: 'gemini-2.5-flash' };
const contents = [{ role: 'user', parts: [{ text: 'List a cookie recipe' }] }];

function parse(generationConfig: Record<string, unknown>): SimParsedRequest | SimHttpReply {
  return parseGeminiRequest(route, JSON.stringify({ contents, generationConfig }));
}

function parsed(generationConfig: Record<string, unknown>): SimParsedRequest {
  const result = parse(generationConfig);
  if ('status' in result && 'body' in result) throw new Error(`unexpected ${result.status}: ${result.body}`);
  return result;
}

function rejected(generationConfig: Record<string, unknown>): { code: number; status: string; message: string } {
  const result = parse(generationConfig);
  if (!('body' in result)) throw new Error('expected a 400');
  expect(result.status).toBe(400);
  return (JSON.parse(result.body) as { error: { code: number; status: string; message: string } }).error;
}

const jsonSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    minutes: { type: 'integer' },
    ingredients: {
      type: 'array',
      items: {
        type: 'object',
        properties: { item: { type: 'string' }, grams: { type: 'number' } },
        required: ['item', 'grams'],
      },
    },
  },
  required: ['name', 'minutes', 'ingredients'],
};
const openApiSchema = {
  type: 'OBJECT',
  properties: {
    name: { type: 'STRING' },
    vegan: { type: 'BOOLEAN' },
    level: { type: 'STRING', format: 'enum', enum: ['easy', 'hard'] },
  },
  required: ['name', 'vegan', 'level'],
};

describe('gemini sim JSON mode', () => {
  it('leaves text/plain, other text MIME types and no MIME type as they were', () => {
    expect(parsed({}).json).toBeUndefined();
    expect(parsed({ responseMimeType: 'text/plain' }).json).toBeUndefined();
    expect(parsed({ responseMimeType: 'application/xml' }).json).toBeUndefined();
  });

  it('turns application/json without a schema into {"reply": …}', () => {
    const request = parsed({ responseMimeType: 'application/json' });
    expect(request.json).toEqual({});
    expect(JSON.parse(deriveAnswer('gemini', request, 0).text)).toEqual({
      reply: 'Simulated reply from gemini (gemini-2.5-flash): List a cookie recipe',
    });
  });

  it('builds the answer from responseJsonSchema, counted into the input tokens', () => {
    const request = parsed({ responseMimeType: 'application/json', responseJsonSchema: jsonSchema });
    expect(request.json).toEqual({ schema: jsonSchema });
    expect(request.inputTokens).toBeGreaterThan(parsed({}).inputTokens + 20);
    expect(JSON.parse(deriveAnswer('gemini', request, 0).text)).toEqual({
      name: 'List a cookie recipe',
      minutes: 1,
      ingredients: [{ item: 'List a cookie recipe', grams: 1 }],
    });
  });

  it('builds the answer from an OpenAPI-style responseSchema with upper-case types, in snake_case too', () => {
    const request = parsed({ response_mime_type: 'application/json', response_schema: openApiSchema });
    expect(JSON.parse(deriveAnswer('gemini', request, 0).text)).toEqual({
      name: 'List a cookie recipe',
      vegan: true,
      level: 'easy',
    });
  });

  it('refuses a schema without responseMimeType application/json with 400 INVALID_ARGUMENT naming the field', () => {
    const error = rejected({ responseSchema: openApiSchema });
    expect(error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
    expect(error.message).toMatch(
      /^\* GenerateContentRequest\.generation_config\.response_schema: .*response_mime_type/,
    );
    expect(rejected({ responseMimeType: 'text/plain', responseJsonSchema: jsonSchema }).message).toMatch(
      /^\* GenerateContentRequest\.generation_config\.response_json_schema: /,
    );
  });

  it('refuses an unknown MIME type, both schemas at once, and a schema that is not an object', () => {
    expect(rejected({ responseMimeType: 'image/png' }).message).toBe(
      '* GenerateContentRequest.generation_config.response_mime_type: allowed mimetypes are `text/plain`, `application/json`, `application/xml`, `application/yaml` and `text/x.enum`.\n',
    );
    expect(
      rejected({ responseMimeType: 'application/json', responseSchema: openApiSchema, responseJsonSchema: jsonSchema })
        .message,
    ).toMatch(/response_json_schema: response_schema and response_json_schema cannot both be set/);
    expect(rejected({ responseMimeType: 'application/json', responseSchema: 'OBJECT' }).message).toMatch(
      /^Invalid value at 'generation_config.response_schema'/,
    );
  });
});
