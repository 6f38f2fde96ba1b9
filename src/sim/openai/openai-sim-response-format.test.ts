import { describe, expect, it } from 'vitest';
import { deriveAnswer } from '../derive-answer.js';
import type { SimHttpReply, SimParsedRequest } from '../sim-protocol.js';
import { openaiSimProtocol } from './index.js';

/** `response_format` on Chat Completions: parsed into JSON mode, or refused with OpenAI's own 400. */

function parse(body: Record<string, unknown>): SimParsedRequest | SimHttpReply {
  return openaiSimProtocol.parse({ operation: 'generate' }, JSON.stringify(body));
}

function parsed(body: Record<string, unknown>): SimParsedRequest {
  const result = parse(body);
  if ('status' in result) throw new Error(`unexpected ${result.status}: ${result.body}`);
  return result;
}

function rejected(body: Record<string, unknown>): {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
} {
  const result = parse(body);
  if (!('status' in result)) throw new Error('expected a 400');
  expect(result.status).toBe(400);
  return (
    JSON.parse(result.body) as { error: { message: string; type: string; param: string | null; code: string | null } }
  ).error;
}

const schema = {
  type: 'object',
  properties: {
    city: { type: 'string' },
    days: { type: 'integer' },
    unit: { type: 'string', enum: ['c', 'f'] },
    where: { type: 'object', properties: { lat: { type: 'number' } }, required: ['lat'] },
  },
  required: ['city', 'days', 'unit', 'where'],
  additionalProperties: false,
};
const base = { model: 'gpt-4o', messages: [{ role: 'user', content: 'Weather in Paris as JSON' }] };
const withSchema = (jsonSchema: Record<string, unknown>) => ({
  ...base,
  response_format: { type: 'json_schema', json_schema: jsonSchema },
});

describe('openai sim response_format', () => {
  it('leaves text requests (no response_format, or type text) as they were', () => {
    expect(parsed(base).json).toBeUndefined();
    expect(parsed({ ...base, response_format: { type: 'text' } }).json).toBeUndefined();
    expect(parsed({ ...base, response_format: null }).json).toBeUndefined();
  });

  it('turns json_object into JSON mode without a schema, answered as {"reply": …}', () => {
    const request = parsed({ ...base, response_format: { type: 'json_object' } });
    expect(request.json).toEqual({});
    expect(JSON.parse(deriveAnswer('openai', request, 0).text)).toEqual({
      reply: 'Simulated reply from openai (gpt-4o): Weather in Paris as JSON',
    });
  });

  it('turns json_schema into JSON mode with its schema, counted into the input tokens', () => {
    const request = parsed(withSchema({ name: 'weather', schema, strict: true, description: 'A forecast' }));
    expect(request.json).toEqual({ schema });
    expect(request.inputTokens).toBeGreaterThan(parsed(base).inputTokens + 20);
    const value = JSON.parse(deriveAnswer('openai', request, 0).text) as Record<string, unknown>;
    expect(value).toEqual({ city: 'Weather in Paris as JSON', days: 1, unit: 'c', where: { lat: 1 } });
  });

  it('refuses an unknown type, naming response_format.type', () => {
    expect(rejected({ ...base, response_format: { type: 'yaml' } })).toEqual({
      message: "Invalid value: 'yaml'. Supported values are: 'text', 'json_object', and 'json_schema'.",
      type: 'invalid_request_error',
      param: 'response_format.type',
      code: 'invalid_value',
    });
    expect(rejected({ ...base, response_format: {} })).toMatchObject({
      param: 'response_format.type',
      code: 'missing_required_parameter',
    });
    expect(rejected({ ...base, response_format: 'json_object' })).toMatchObject({
      message: "Invalid type for 'response_format': expected an object, but got a string instead.",
      param: 'response_format',
    });
  });

  it('refuses json_schema without json_schema, name or schema, naming the missing parameter', () => {
    expect(rejected({ ...base, response_format: { type: 'json_schema' } })).toMatchObject({
      message: "Missing required parameter: 'response_format.json_schema'.",
      param: 'response_format.json_schema',
      code: 'missing_required_parameter',
    });
    expect(rejected(withSchema({ schema }))).toMatchObject({
      message: "Missing required parameter: 'response_format.json_schema.name'.",
      param: 'response_format.json_schema.name',
    });
    expect(rejected(withSchema({ name: 'weather' }))).toMatchObject({
      param: 'response_format.json_schema.schema',
      code: 'missing_required_parameter',
    });
    expect(rejected(withSchema({ name: 'weather', schema: 'object' }))).toMatchObject({
      param: 'response_format.json_schema.schema',
      code: 'invalid_type',
    });
  });

  it('refuses a bad name, a non-boolean strict and a non-string description', () => {
    expect(rejected(withSchema({ name: 'has space', schema }))).toMatchObject({
      param: 'response_format.json_schema.name',
      code: 'invalid_value',
    });
    expect(rejected(withSchema({ name: 'w', schema, strict: 'yes' }))).toMatchObject({
      param: 'response_format.json_schema.strict',
      code: 'invalid_type',
    });
    expect(rejected(withSchema({ name: 'w', schema, description: 3 }))).toMatchObject({
      param: 'response_format.json_schema.description',
    });
  });

  it('refuses json_object when no message mentions JSON, as the real API does', () => {
    const body = {
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'Weather in Paris' }],
      response_format: { type: 'json_object' },
    };
    expect(rejected(body)).toEqual({
      message: "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.",
      type: 'invalid_request_error',
      param: 'messages',
      code: null,
    });
  });
});
