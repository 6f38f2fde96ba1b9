import { describe, expect, it } from 'vitest';
import type { SimHttpReply, SimParsedRequest, SimRequestInfo } from '../sim-protocol.js';
import { openaiSimProtocol } from './index.js';

function info(method: string, path: string, headers: SimRequestInfo['headers'] = {}): SimRequestInfo {
  return { method, path, query: new URLSearchParams(), headers };
}

function parse(body: unknown): SimParsedRequest | SimHttpReply {
  return openaiSimProtocol.parse({ operation: 'generate' }, typeof body === 'string' ? body : JSON.stringify(body));
}

function expectError(
  result: SimParsedRequest | SimHttpReply,
  status: number,
): { message: string; type: string; param: string | null; code: string | null } {
  expect('status' in result).toBe(true);
  const reply = result as SimHttpReply;
  expect(reply.status).toBe(status);
  expect(reply.headers['x-request-id']).toMatch(/^req_[0-9a-f]{32}$/);
  const body = JSON.parse(reply.body) as {
    error: { message: string; type: string; param: string | null; code: string | null };
  };
  expect(Object.keys(body.error)).toEqual(['message', 'type', 'param', 'code']);
  return body.error;
}

const user = (content: unknown): Record<string, unknown> => ({ role: 'user', content });

describe('openai sim routing', () => {
  it('routes chat completions and the model list', () => {
    expect(openaiSimProtocol.route(info('POST', '/v1/chat/completions'))).toEqual({ operation: 'generate' });
    expect(openaiSimProtocol.route(info('GET', '/v1/models'))).toEqual({ operation: 'list-models' });
  });

  it("answers unknown paths with OpenAI's Invalid URL 404", () => {
    const error = expectError(openaiSimProtocol.route(info('POST', '/v1/messages')) as SimHttpReply, 404);
    expect(error).toEqual({
      message: 'Invalid URL (POST /v1/messages)',
      type: 'invalid_request_error',
      param: null,
      code: null,
    });
  });

  it('answers a wrong method with 405', () => {
    const error = expectError(openaiSimProtocol.route(info('GET', '/v1/chat/completions')) as SimHttpReply, 405);
    expect(error.message).toBe('Invalid method for URL (GET /v1/chat/completions)');
  });
});

describe('openai sim authentication', () => {
  it('rejects a missing key with the "didn\'t provide an API key" 401', () => {
    const error = expectError(
      openaiSimProtocol.authenticate(info('POST', '/v1/chat/completions'), undefined) as SimHttpReply,
      401,
    );
    expect(error.message).toMatch(
      /^You didn't provide an API key\. You need to provide your API key in an Authorization header using Bearer auth/,
    );
    expect(error.type).toBe('invalid_request_error');
    expect(error.code).toBeNull();
  });

  it('rejects a wrong key with invalid_api_key and never echoes it whole', () => {
    const key = 'sk-proj-abcdefghijklmnopqrstuvwxyz0123';
    const reply = openaiSimProtocol.authenticate(
      info('POST', '/v1/models', { authorization: `Bearer ${key}` }),
      'sk-right',
    );
    const error = expectError(reply as SimHttpReply, 401);
    expect(error.code).toBe('invalid_api_key');
    expect(error.message).toMatch(/^Incorrect API key provided: sk-proj-\*+0123\. You can find your API key at/);
    expect(error.message).not.toContain(key);
  });

  it('accepts any non-empty bearer key when no key is configured, and only the accepted one otherwise', () => {
    expect(
      openaiSimProtocol.authenticate(info('POST', '/x', { authorization: 'Bearer anything' }), undefined),
    ).toBeUndefined();
    expect(
      openaiSimProtocol.authenticate(info('POST', '/x', { authorization: 'Bearer sk-right' }), 'sk-right'),
    ).toBeUndefined();
    expect(openaiSimProtocol.authenticate(info('POST', '/x', { authorization: 'Bearer ' }), undefined)).toBeDefined();
  });
});

describe('openai sim request parsing', () => {
  it('reduces a request with system, tools and tool results to what the core needs', () => {
    const tools = [
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Weather',
          parameters: { type: 'object', properties: { city: { type: 'string' } } },
        },
      },
    ];
    const body = {
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Be brief.' },
        user([
          { type: 'text', text: 'Weather in ' },
          { type: 'text', text: 'Paris?' },
        ]),
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'Sunny' },
      ],
      tools,
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      max_completion_tokens: 50,
      stream: true,
      stream_options: { include_usage: true },
    };
    const text =
      'Be brief.' +
      'Weather in Paris?' +
      'get_weather{"city":"Paris"}' +
      'Sunny' +
      'get_weather' +
      'Weather' +
      JSON.stringify(tools[0]?.function.parameters);
    expect(parse(body)).toEqual({
      model: 'gpt-4o-mini',
      stream: true,
      inputTokens: Math.ceil(text.length / 4),
      maxOutputTokens: 50,
      includeUsage: true,
      lastUserText: 'Weather in Paris?',
      lastIsToolResult: true,
      tools: [{ name: 'get_weather', inputSchema: tools[0]?.function.parameters }],
      toolChoice: { name: 'get_weather' },
    });
  });

  it('defaults to 4096 output tokens, accepts max_tokens, and is not streamed by default', () => {
    const plain = parse({ model: 'm', messages: [user('hi')] }) as SimParsedRequest;
    expect(plain.maxOutputTokens).toBe(4096);
    expect(plain.stream).toBe(false);
    expect(plain.toolChoice).toBe('auto');
    expect((parse({ model: 'm', messages: [user('hi')], max_tokens: 7 }) as SimParsedRequest).maxOutputTokens).toBe(7);
  });

  it('answers messages over the 128k context window with context_length_exceeded', () => {
    const error = expectError(parse({ model: 'm', messages: [user('x'.repeat(4 * 128_001))] }), 400);
    expect(error).toMatchObject({ code: 'context_length_exceeded', param: 'messages' });
    expect(error.message).toContain('However, your messages resulted in 128001 tokens.');
  });

  it('answers malformed JSON with the "could not parse the JSON body" 400', () => {
    const error = expectError(parse('{"model": '), 400);
    expect(error.message).toMatch(/^We could not parse the JSON body of your request\./);
    expect(error.param).toBeNull();
  });

  const cases: Array<[string, unknown, Partial<{ message: string; param: string | null; code: string | null }>]> = [
    [
      'missing model',
      { messages: [user('hi')] },
      { message: 'you must provide a model parameter', param: null, code: null },
    ],
    [
      'model of the wrong type',
      { model: 4, messages: [user('hi')] },
      {
        message: "Invalid type for 'model': expected a string, but got an integer instead.",
        param: 'model',
        code: 'invalid_type',
      },
    ],
    [
      'missing messages',
      { model: 'm' },
      { message: "Missing required parameter: 'messages'.", param: 'messages', code: 'missing_required_parameter' },
    ],
    [
      'messages not an array',
      { model: 'm', messages: 'hi' },
      {
        message: "Invalid type for 'messages': expected an array of objects, but got a string instead.",
        param: 'messages',
        code: 'invalid_type',
      },
    ],
    ['empty messages', { model: 'm', messages: [] }, { param: 'messages', code: 'empty_array' }],
    [
      'missing role',
      { model: 'm', messages: [{ content: 'x' }] },
      { message: "Missing required parameter: 'messages[0].role'.", param: 'messages[0].role' },
    ],
    [
      'unknown role',
      { model: 'm', messages: [{ role: 'bot', content: 'x' }] },
      {
        message:
          "Invalid value: 'bot'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.",
        param: 'messages[0].role',
        code: 'invalid_value',
      },
    ],
    [
      'missing content',
      { model: 'm', messages: [{ role: 'user' }] },
      { message: "Missing required parameter: 'messages[0].content'.", param: 'messages[0].content' },
    ],
    [
      'content of the wrong type',
      { model: 'm', messages: [user(5)] },
      {
        message:
          "Invalid type for 'messages[0].content': expected one of a string or array of objects, but got an integer instead.",
        code: 'invalid_type',
      },
    ],
    [
      'text part without text',
      { model: 'm', messages: [user([{ type: 'text' }])] },
      { param: 'messages[0].content[0].text', code: 'missing_required_parameter' },
    ],
    [
      'tool message without tool_call_id',
      { model: 'm', messages: [user('a'), { role: 'tool', content: 'x' }] },
      { param: 'messages[1].tool_call_id' },
    ],
    [
      'tool message with no preceding tool_calls',
      { model: 'm', messages: [user('a'), { role: 'tool', tool_call_id: 'c', content: 'x' }] },
      {
        message:
          "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
        param: 'messages.[1].role',
      },
    ],
    [
      'unanswered tool_calls',
      {
        model: 'm',
        messages: [
          user('a'),
          {
            role: 'assistant',
            tool_calls: [{ id: 'call_9', type: 'function', function: { name: 'f', arguments: '{}' } }],
          },
          user('b'),
        ],
      },
      { param: 'messages.[1].role' },
    ],
    [
      'max_completion_tokens of the wrong type',
      { model: 'm', messages: [user('a')], max_completion_tokens: '5' },
      {
        message: "Invalid type for 'max_completion_tokens': expected an integer, but got a string instead.",
        param: 'max_completion_tokens',
      },
    ],
    [
      'max_tokens below 1',
      { model: 'm', messages: [user('a')], max_tokens: 0 },
      { code: 'integer_below_min_value', param: 'max_tokens' },
    ],
    [
      'temperature above 2',
      { model: 'm', messages: [user('a')], temperature: 3 },
      { code: 'decimal_above_max_value', param: 'temperature' },
    ],
    [
      'stream of the wrong type',
      { model: 'm', messages: [user('a')], stream: 'yes' },
      { param: 'stream', code: 'invalid_type' },
    ],
    [
      'stream_options without stream',
      { model: 'm', messages: [user('a')], stream_options: { include_usage: true } },
      { message: "The 'stream_options' parameter is only allowed when 'stream' is enabled.", param: 'stream_options' },
    ],
    [
      'tool of an unknown type',
      { model: 'm', messages: [user('a')], tools: [{ type: 'web', function: { name: 'f' } }] },
      { param: 'tools[0].type', code: 'invalid_value' },
    ],
    [
      'tool without a name',
      { model: 'm', messages: [user('a')], tools: [{ type: 'function', function: {} }] },
      { message: "Missing required parameter: 'tools[0].function.name'.", param: 'tools[0].function.name' },
    ],
    ['tool_choice without tools', { model: 'm', messages: [user('a')], tool_choice: 'auto' }, { param: 'tool_choice' }],
    [
      'unknown tool_choice',
      { model: 'm', messages: [user('a')], tools: [{ type: 'function', function: { name: 'f' } }], tool_choice: 'any' },
      { message: "Invalid value: 'any'. Supported values are: 'none', 'auto', and 'required'.", param: 'tool_choice' },
    ],
  ];
  it.each(cases)("answers %s with OpenAI's 400 naming the field", (_name, body, expected) => {
    const error = expectError(parse(body), 400);
    expect(error.type).toBe('invalid_request_error');
    expect(error).toMatchObject(expected);
  });
});
