import { describe, expect, it } from 'vitest';
import type { SimHttpReply, SimParsedRequest, SimRequestInfo } from '../sim-protocol.js';
import {
  authenticateGemini,
  GEMINI_DEFAULT_MAX_OUTPUT_TOKENS,
  parseGeminiRequest,
  routeGemini,
} from './gemini-sim-request.js';

function info(method: string, path: string, headers: SimRequestInfo['headers'] = {}, query = ''): SimRequestInfo {
  return { method, path, query: new URLSearchParams(query), headers };
}

function isReply(value: object): value is SimHttpReply {
  return 'status' in value && 'body' in value;
}

const generate = { operation: 'generate' as const, model: 'gemini-2.5-flash' };

function parse(
  body: unknown,
  route: { operation: 'generate' | 'stream'; model?: string } = generate,
): SimParsedRequest {
  const result = parseGeminiRequest(route, typeof body === 'string' ? body : JSON.stringify(body));
  if (isReply(result)) throw new Error(`unexpected ${result.status}: ${result.body}`);
  return result;
}

function reject(body: unknown): {
  status: number;
  error: { code: number; message: string; status: string; details?: unknown[] };
} {
  const result = parseGeminiRequest(generate, typeof body === 'string' ? body : JSON.stringify(body));
  if (!isReply(result)) throw new Error('expected a rejection');
  return {
    status: result.status,
    error: (JSON.parse(result.body) as { error: { code: number; message: string; status: string } }).error,
  };
}

const user = (text: string) => ({ role: 'user', parts: [{ text }] });

describe('routeGemini', () => {
  it('takes the operation and the model from the path', () => {
    expect(routeGemini(info('POST', '/v1beta/models/gemini-2.5-flash:generateContent'))).toEqual({
      operation: 'generate',
      model: 'gemini-2.5-flash',
    });
    expect(routeGemini(info('POST', '/v1beta/models/gemini-2.5-pro:streamGenerateContent', {}, 'alt=sse'))).toEqual({
      operation: 'stream',
      model: 'gemini-2.5-pro',
    });
    expect(routeGemini(info('GET', '/v1beta/models'))).toEqual({ operation: 'list-models' });
  });

  it('streams without alt=sse as a JSON array, as Google does, and says so in the parsed request', () => {
    const route = routeGemini(info('POST', '/v1beta/models/gemini-2.5-pro:streamGenerateContent'));
    expect(route).toEqual({ operation: 'stream', model: 'gemini-2.5-pro', jsonArray: true });
    expect(
      routeGemini(info('POST', '/v1beta/models/gemini-2.5-pro:streamGenerateContent', {}, 'alt=json')),
    ).toMatchObject({ jsonArray: true });
    const body = { contents: [user('Hi')] };
    expect(parse(body, route as { operation: 'stream'; model: string; jsonArray: true }).jsonArrayStream).toBe(true);
    expect(parse(body, { operation: 'stream', model: 'gemini-2.5-pro' }).jsonArrayStream).toBeUndefined();
  });

  it("answers anything else with Google's 404 NOT_FOUND JSON", () => {
    for (const [method, path] of [
      ['POST', '/v1/chat/completions'],
      ['GET', '/v1beta/models/gemini-2.5-flash:generateContent'],
      ['POST', '/v1beta/models/x:embedContent'],
    ]) {
      const reply = routeGemini(info(method as string, path as string));
      expect(isReply(reply) && reply.status).toBe(404);
      if (isReply(reply))
        expect(JSON.parse(reply.body)).toEqual({
          error: { code: 404, message: 'Requested entity was not found.', status: 'NOT_FOUND' },
        });
    }
  });
});

describe('authenticateGemini', () => {
  it('accepts the x-goog-api-key header or the key query parameter', () => {
    expect(authenticateGemini(info('POST', '/', { 'x-goog-api-key': 'AIza-1' }), undefined)).toBeUndefined();
    expect(authenticateGemini(info('POST', '/', {}, 'key=AIza-1'), 'AIza-1')).toBeUndefined();
  });

  it('answers a missing key with 403 PERMISSION_DENIED', () => {
    const reply = authenticateGemini(info('POST', '/'), undefined);
    expect(reply?.status).toBe(403);
    expect(JSON.parse(reply?.body ?? '{}').error).toMatchObject({
      code: 403,
      status: 'PERMISSION_DENIED',
      message: expect.stringContaining("Method doesn't allow unregistered callers"),
    });
  });

  it('answers a wrong key with 400 INVALID_ARGUMENT and the API_KEY_INVALID ErrorInfo', () => {
    const reply = authenticateGemini(info('POST', '/', { 'x-goog-api-key': 'wrong' }), 'right');
    expect(reply?.status).toBe(400);
    const error = JSON.parse(reply?.body ?? '{}').error;
    expect(error).toMatchObject({
      code: 400,
      status: 'INVALID_ARGUMENT',
      message: 'API key not valid. Please pass a valid API key.',
    });
    expect(error.details[0]).toMatchObject({
      '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
      reason: 'API_KEY_INVALID',
      domain: 'googleapis.com',
    });
  });
});

describe('parseGeminiRequest', () => {
  it('reduces a request to model, stream flag, last user text, default output cap and token count', () => {
    const parsed = parse(
      { contents: [user('Hello there')], systemInstruction: { parts: [{ text: 'Be brief.' }] } },
      { operation: 'stream', model: 'gemini-2.5-pro' },
    );
    expect(parsed).toEqual({
      model: 'gemini-2.5-pro',
      stream: true,
      inputTokens: 5, // 'Be brief.' + 'Hello there' = 20 chars
      maxOutputTokens: GEMINI_DEFAULT_MAX_OUTPUT_TOKENS,
      includeUsage: true,
      lastUserText: 'Hello there',
      lastIsToolResult: false,
      tools: [],
      toolChoice: 'auto',
    });
  });

  it('reads generationConfig.maxOutputTokens, in camelCase or snake_case, and treats 0 as unset', () => {
    expect(parse({ contents: [user('x')], generationConfig: { maxOutputTokens: 50 } }).maxOutputTokens).toBe(50);
    expect(parse({ contents: [user('x')], generation_config: { max_output_tokens: '60' } }).maxOutputTokens).toBe(60);
    expect(parse({ contents: [user('x')], generationConfig: { maxOutputTokens: 0 } }).maxOutputTokens).toBe(
      GEMINI_DEFAULT_MAX_OUTPUT_TOKENS,
    );
  });

  it('maps function declarations and toolConfig modes to the tools and tool choice', () => {
    const tools = [
      {
        functionDeclarations: [
          {
            name: 'get_weather',
            description: 'Weather',
            parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' } } },
          },
          { name: 'get_time', parameters: { type: 'OBJECT', properties: { zone: { type: 'STRING' } } } },
        ],
      },
    ];
    const base = { contents: [user('get_weather for Paris')], tools };
    const auto = parse(base);
    expect(auto.tools).toEqual([
      { name: 'get_weather', inputSchema: { type: 'object', properties: { city: { type: 'string' } } } },
      { name: 'get_time', inputSchema: { type: 'object', properties: { zone: { type: 'string' } } } },
    ]);
    expect(auto.toolChoice).toBe('auto');
    expect(parse({ ...base, toolConfig: { functionCallingConfig: { mode: 'NONE' } } }).toolChoice).toBe('none');
    expect(parse({ ...base, toolConfig: { functionCallingConfig: { mode: 'ANY' } } }).toolChoice).toBe('required');
    const forced = parse({
      ...base,
      toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_time'] } },
    });
    expect(forced.toolChoice).toEqual({ name: 'get_time' });
    expect(forced.tools.map((t) => t.name)).toEqual(['get_time']);
  });

  it('counts tool schemas, calls and results into the input tokens and spots a trailing tool result', () => {
    const parsed = parse({
      contents: [
        user('Weather?'),
        { role: 'model', parts: [{ functionCall: { name: 'w', args: { c: 'P' } } }] },
        { role: 'user', parts: [{ functionResponse: { name: 'w', response: { output: 'sunny' } } }] },
      ],
      tools: [{ functionDeclarations: [{ name: 'w', parametersJsonSchema: { type: 'object' } }] }],
    });
    // 'Weather?' (8) + 'w{"c":"P"}' (10) + '{"output":"sunny"}' (18) + 'w{"type":"object"}' (18) = 54 chars
    expect(parsed.inputTokens).toBe(14);
    expect(parsed.lastIsToolResult).toBe(true);
    expect(parsed.lastUserText).toBe('Weather?');
  });

  it('answers malformed JSON with an INVALID_ARGUMENT "Invalid JSON payload received"', () => {
    const { status, error } = reject('{"contents": [');
    expect(status).toBe(400);
    expect(error.status).toBe('INVALID_ARGUMENT');
    expect(error.message).toMatch(/^Invalid JSON payload received\./);
  });

  it.each([
    ['missing contents', {}, '* GenerateContentRequest.contents: contents is not specified\n'],
    ['empty contents', { contents: [] }, '* GenerateContentRequest.contents: contents is not specified\n'],
    [
      'an unknown top-level field',
      { contents: [user('x')], system: 'hi' },
      'Invalid JSON payload received. Unknown name "system": Cannot find field.',
    ],
    [
      'an unknown part field',
      { contents: [{ role: 'user', parts: [{ type: 'text', text: 'x' }] }] },
      `Invalid JSON payload received. Unknown name "type" at 'contents[0].parts[0]': Cannot find field.`,
    ],
    [
      'a bad role',
      { contents: [{ role: 'assistant', parts: [{ text: 'x' }] }] },
      'Please use a valid role: user, model.',
    ],
    [
      'empty parts',
      { contents: [{ role: 'user', parts: [] }] },
      '* GenerateContentRequest.contents[0].parts: contents.parts must not be empty.\n',
    ],
    [
      'a part without data',
      { contents: [{ role: 'user', parts: [{}] }] },
      "* GenerateContentRequest.contents[0].parts[0].data: required oneof field 'data' must have one initialized field\n",
    ],
    [
      'text of the wrong type',
      { contents: [{ parts: [{ text: 5 }] }] },
      "Invalid value at 'contents[0].parts[0].text' (TYPE_STRING), 5",
    ],
    [
      'maxOutputTokens of the wrong type',
      { contents: [user('x')], generationConfig: { maxOutputTokens: 'lots' } },
      `Invalid value at 'generation_config.max_output_tokens' (TYPE_INT32), "lots"`,
    ],
    [
      'a bad function calling mode',
      {
        contents: [user('x')],
        tools: [{ functionDeclarations: [{ name: 'f' }] }],
        toolConfig: { functionCallingConfig: { mode: 'SOMETIMES' } },
      },
      `Invalid value at 'tool_config.function_calling_config.mode' (type.googleapis.com/google.ai.generativelanguage.v1beta.FunctionCallingConfig.Mode), "SOMETIMES"`,
    ],
    [
      'a function response with no call before it',
      { contents: [{ role: 'user', parts: [{ functionResponse: { name: 'f', response: {} } }] }] },
      'Please ensure that function response turn comes immediately after a function call turn.',
    ],
    [
      'fewer responses than calls',
      {
        contents: [
          user('x'),
          { role: 'model', parts: [{ functionCall: { name: 'f' } }, { functionCall: { name: 'f' } }] },
          { role: 'user', parts: [{ functionResponse: { name: 'f', response: {} } }] },
        ],
      },
      'Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.',
    ],
  ])('rejects %s naming the field', (_label, body, message) => {
    const { status, error } = reject(body);
    expect(status).toBe(400);
    expect(error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT', message });
  });

  it('attaches a BadRequest field violation to proto-JSON parse errors', () => {
    const { error } = reject({ contents: [user('x')], generationConfig: { temperature: 'hot' } });
    expect(error.details).toEqual([
      {
        '@type': 'type.googleapis.com/google.rpc.BadRequest',
        fieldViolations: [
          {
            field: 'generation_config.temperature',
            description: `Invalid value at 'generation_config.temperature' (TYPE_FLOAT), "hot"`,
          },
        ],
      },
    ]);
  });

  it('answers an input over the 1,048,576-token window with the context-length 400', () => {
    const { error } = reject({ contents: [user('x'.repeat(4 * 1_048_576 + 8))] });
    expect(error.message).toBe(
      'The input token count (1048578) exceeds the maximum number of tokens allowed (1048576).',
    );
  });
});
