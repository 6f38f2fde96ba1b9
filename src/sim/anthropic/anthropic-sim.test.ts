import { describe, expect, it } from 'vitest';
import type { SimAnswer, SimHttpReply, SimParsedRequest, SimRequestInfo } from '../sim-protocol.js';
import { anthropicSimProtocol as protocol } from './index.js';
import { estimateTokens } from '../../model/token-estimate.js';

function info(method: string, path: string, headers: SimRequestInfo['headers'] = {}): SimRequestInfo {
  return { method, path, query: new URLSearchParams(), headers };
}

function isReply(value: unknown): value is SimHttpReply {
  return typeof value === 'object' && value !== null && 'status' in value && 'body' in value;
}

function errorOf(reply: SimHttpReply): {
  type: string;
  error: { type: string; message: string; details?: unknown };
  request_id: string;
} {
  return JSON.parse(reply.body) as {
    type: string;
    error: { type: string; message: string; details?: unknown };
    request_id: string;
  };
}

function parse(body: unknown): SimParsedRequest | SimHttpReply {
  return protocol.parse({ operation: 'generate' }, typeof body === 'string' ? body : JSON.stringify(body));
}

function parsed(body: unknown): SimParsedRequest {
  const result = parse(body);
  if (isReply(result)) throw new Error(`unexpected ${result.status}: ${result.body}`);
  return result;
}

function rejection(body: unknown): string {
  const result = parse(body);
  if (!isReply(result)) throw new Error('expected a 400');
  expect(result.status).toBe(400);
  const error = errorOf(result);
  expect(error.error.type).toBe('invalid_request_error');
  return error.error.message;
}

const textAnswer: SimAnswer = {
  id: 'a1b2c3d4',
  model: 'claude-sonnet-4-5',
  created: 1_700_000_000,
  textChunks: ['Simulated reply ', 'from anthropic ', '(claude-sonnet-4-5): hi'],
  text: 'Simulated reply from anthropic (claude-sonnet-4-5): hi',
  inputTokens: 7,
  outputTokens: 14,
  stop: 'end',
};

const toolAnswer: SimAnswer = {
  ...textAnswer,
  textChunks: [],
  text: '',
  toolCall: { id: 'call1', name: 'get_weather', input: { city: 'Paris', days: 1 } },
  stop: 'tool_use',
};

/** Parses SSE frames the strict way the official SDK does: `event:` name equals `data.type`. */
function events(frames: string[]): { event: string; data: Record<string, unknown> }[] {
  return frames
    .join('')
    .split('\n\n')
    .filter((block) => block !== '')
    .map((block) => {
      const [eventLine, dataLine, ...rest] = block.split('\n');
      expect(rest).toEqual([]);
      const event = (eventLine ?? '').replace(/^event: /, '');
      const data = JSON.parse((dataLine ?? '').replace(/^data: /, '')) as Record<string, unknown>;
      expect(data.type).toBe(event);
      return { event, data };
    });
}

describe('anthropic sim routing and auth', () => {
  it('routes POST /v1/messages and GET /v1/models, and answers anything else with 404 not_found_error', () => {
    expect(protocol.route(info('POST', '/v1/messages'))).toEqual({ operation: 'generate' });
    expect(protocol.route(info('GET', '/v1/models'))).toEqual({ operation: 'list-models' });
    const missing = protocol.route(info('POST', '/v1/chat/completions'));
    expect(isReply(missing) && missing.status).toBe(404);
    expect(isReply(missing) && errorOf(missing).error).toEqual({ type: 'not_found_error', message: 'Not Found' });
  });

  it('accepts x-api-key or Authorization: Bearer, and rejects a missing or wrong key with 401', () => {
    expect(protocol.authenticate(info('POST', '/v1/messages', { 'x-api-key': 'k1' }), 'k1')).toBeUndefined();
    expect(protocol.authenticate(info('POST', '/v1/messages', { authorization: 'Bearer k1' }), 'k1')).toBeUndefined();
    expect(
      protocol.authenticate(info('POST', '/v1/messages', { authorization: 'Bearer anything' }), undefined),
    ).toBeUndefined();

    const wrong = protocol.authenticate(info('POST', '/v1/messages', { 'x-api-key': 'nope' }), 'k1');
    expect(wrong?.status).toBe(401);
    expect(errorOf(wrong as SimHttpReply).error).toEqual({
      type: 'authentication_error',
      message: 'invalid x-api-key',
    });

    const none = protocol.authenticate(info('POST', '/v1/messages'), undefined);
    expect(none?.status).toBe(401);
    expect(errorOf(none as SimHttpReply).error.message).toBe('x-api-key header is required');
  });

  it('puts the same req_011C… id in the request-id header and the body', () => {
    const reply = protocol.authenticate(info('POST', '/v1/messages'), undefined) as SimHttpReply;
    const body = errorOf(reply);
    expect(body.type).toBe('error');
    expect(body.request_id).toMatch(/^req_011C[1-9A-HJ-NP-Za-km-z]{20}$/);
    expect(reply.headers['request-id']).toBe(body.request_id);
    expect(reply.headers['content-type']).toBe('application/json');
  });
});

describe('anthropic sim request validation', () => {
  const base = { model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'Hello' }] };

  it('requires max_tokens, model and messages, naming the field like the real API', () => {
    expect(rejection({ model: 'm', messages: base.messages })).toBe('max_tokens: Field required');
    expect(rejection({ max_tokens: 10, messages: base.messages })).toBe('model: Field required');
    expect(rejection({ model: 'm', max_tokens: 10 })).toBe('messages: Field required');
    expect(rejection({ ...base, messages: [] })).toBe('messages: at least one message is required');
  });

  it('names wrong types by their dotted path', () => {
    expect(rejection({ ...base, max_tokens: 'many' })).toBe('max_tokens: Input should be a valid integer');
    expect(rejection({ ...base, messages: [{ role: 'robot', content: 'x' }] })).toBe(
      "messages.0.role: Input should be 'user' or 'assistant'",
    );
    expect(rejection({ ...base, messages: [{ role: 'user', content: 5 }] })).toBe(
      'messages.0.content: Input should be a valid list',
    );
    expect(rejection({ ...base, messages: [{ role: 'user', content: [{ type: 'text' }] }] })).toBe(
      'messages.0.content.0.text: Field required',
    );
    expect(rejection({ ...base, tools: [{ name: 'f' }] })).toBe('tools.0.input_schema: Field required');
  });

  it('answers malformed JSON with the decoder position', () => {
    expect(rejection('{"model": ')).toMatch(
      /^The request body is not valid JSON: Expecting value: line 1 column \d+ \(char \d+\)$/,
    );
  });

  it('sends x-should-retry: false on 400s, as recorded from the real API', () => {
    const reply = parse({}) as SimHttpReply;
    expect(reply.headers['x-should-retry']).toBe('false');
  });

  it('counts input tokens over system, messages, tool results, tool calls and tool schemas', () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } } };
    const request = parsed({
      ...base,
      system: [{ type: 'text', text: 'Be brief.' }],
      tools: [{ name: 'get_weather', description: 'Weather', input_schema: schema }],
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } }],
        },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'Sunny' }] },
      ],
    });
    const text = `Be brief.Weather in Paris?get_weather${JSON.stringify({ city: 'Paris' })}Sunnyget_weatherWeather${JSON.stringify(schema)}`;
    expect(request.inputTokens).toBe(estimateTokens(text));
    expect(request.lastIsToolResult).toBe(true);
    expect(request.lastUserText).toBe('');
    expect(request.tools).toEqual([{ name: 'get_weather', inputSchema: schema }]);
  });

  it('reduces a valid body to model, stream flag, max_tokens and tool choice', () => {
    const request = parsed({
      ...base,
      stream: true,
      tool_choice: { type: 'tool', name: 'f' },
      tools: [{ name: 'f', input_schema: { type: 'object' } }],
    });
    expect(request).toMatchObject({
      model: 'claude-sonnet-4-5',
      stream: true,
      maxOutputTokens: 100,
      lastUserText: 'Hello',
      lastIsToolResult: false,
      toolChoice: { name: 'f' },
    });
    expect(parsed({ ...base, tool_choice: { type: 'any' } }).toolChoice).toBe('required');
    expect(parsed({ ...base, tool_choice: { type: 'none' } }).toolChoice).toBe('none');
    expect(parsed(base).toolChoice).toBe('auto');
  });
});

describe('anthropic sim answers', () => {
  it('renders a message with msg_ id, end_turn, usage and merged headers', () => {
    const reply = protocol.renderAnswer(textAnswer, { 'anthropic-ratelimit-requests-limit': '50' });
    expect(reply.status).toBe(200);
    expect(reply.headers['anthropic-ratelimit-requests-limit']).toBe('50');
    expect(reply.headers['request-id']).toMatch(/^req_011C/);
    const body = JSON.parse(reply.body) as Record<string, unknown>;
    expect(body).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [{ type: 'text', text: textAnswer.text }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 7, output_tokens: 14 },
    });
    expect(body.id).toMatch(/^msg_011C[1-9A-HJ-NP-Za-km-z]{20}$/);
    expect(JSON.parse(protocol.renderAnswer(textAnswer, {}).body).id).toBe(body.id);
  });

  it('renders a tool call as a tool_use block with a toolu_ id and stop_reason tool_use', () => {
    const body = JSON.parse(protocol.renderAnswer(toolAnswer, {}).body) as { content: unknown[]; stop_reason: string };
    expect(body.stop_reason).toBe('tool_use');
    expect(body.content).toEqual([
      {
        type: 'tool_use',
        id: expect.stringMatching(/^toolu_01/),
        name: 'get_weather',
        input: { city: 'Paris', days: 1 },
      },
    ]);
  });

  it('streams message_start, content_block_start, ping, text deltas, then stop, message_delta and message_stop', () => {
    const frames = protocol.renderStream(
      textAnswer,
      parsed({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }),
    );
    expect(frames.deltas).toHaveLength(3);
    const all = events([...frames.head, ...frames.deltas, ...frames.tail]);
    expect(all.map((e) => e.event)).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(all[0]?.data).toMatchObject({ message: { content: [], stop_reason: null, usage: { input_tokens: 7 } } });
    const text = all
      .filter((e) => e.event === 'content_block_delta')
      .map((e) => (e.data.delta as { text: string }).text)
      .join('');
    expect(text).toBe(textAnswer.text);
    expect(all[7]?.data).toMatchObject({ delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 14 } });
  });

  it('streams a tool call as input_json_delta pieces that join to the input', () => {
    const frames = protocol.renderStream(
      { ...toolAnswer, text: 'Let me check.', textChunks: ['Let me ', 'check.'] },
      parsed({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }),
    );
    const all = events([...frames.head, ...frames.deltas, ...frames.tail]);
    const starts = all.filter((e) => e.event === 'content_block_start').map((e) => e.data);
    expect(starts).toEqual([
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      {
        type: 'content_block_start',
        index: 1,
        content_block: { type: 'tool_use', id: expect.stringMatching(/^toolu_01/), name: 'get_weather', input: {} },
      },
    ]);
    const json = all
      .filter(
        (e) => e.event === 'content_block_delta' && (e.data.delta as { type: string }).type === 'input_json_delta',
      )
      .map((e) => (e.data.delta as { partial_json: string }).partial_json);
    expect(json.length).toBeGreaterThan(2);
    expect(JSON.parse(json.join(''))).toEqual({ city: 'Paris', days: 1 });
    expect(all.filter((e) => e.event === 'content_block_stop').map((e) => e.data.index)).toEqual([0, 1]);
    expect(all.at(-2)?.data).toMatchObject({ delta: { stop_reason: 'tool_use' } });
  });

  it('renders the in-stream error as event: error with overloaded_error', () => {
    expect(protocol.renderStreamError('m')).toBe(
      'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n',
    );
  });

  it('opens streams as text/event-stream', () => {
    expect(protocol.streamHeaders()['content-type']).toMatch(/^text\/event-stream/);
  });

  it('lists models in the paginated model-list shape', () => {
    const body = JSON.parse(protocol.listModels(['claude-a', 'claude-b']).body) as Record<string, unknown>;
    expect(body).toMatchObject({
      has_more: false,
      first_id: 'claude-a',
      last_id: 'claude-b',
      data: [
        { type: 'model', id: 'claude-a' },
        { type: 'model', id: 'claude-b' },
      ],
    });
  });
});

describe('anthropic sim faults and limits', () => {
  const ctx = { model: 'claude-sonnet-4-5', inputTokens: 12 };

  it.each([
    ['overloaded', 529, 'overloaded_error', 'Overloaded'],
    ['server_error', 500, 'api_error', 'Internal server error'],
    ['auth', 401, 'authentication_error', 'invalid x-api-key'],
    ['bad_request', 400, 'invalid_request_error', expect.stringContaining('messages')],
    ['context_length', 400, 'invalid_request_error', 'prompt is too long: 200012 tokens > 200000 maximum'],
  ] as const)('renders %s as %i %s', (kind, status, type, message) => {
    const reply = protocol.renderFault(kind, ctx);
    expect(reply.status).toBe(status);
    expect(errorOf(reply).error).toEqual({ type, message });
    expect(reply.headers['retry-after']).toBeUndefined();
  });

  it('answers an oversized body with 413 request_too_large', () => {
    const reply = protocol.renderBodyTooLarge?.();
    expect(reply?.status).toBe(413);
    expect(reply && errorOf(reply).error.type).toBe('request_too_large');
  });

  it('renders rate_limited as 429 rate_limit_error with retry-after seconds (default 10)', () => {
    const reply = protocol.renderFault('rate_limited', { ...ctx, retryAfterS: 3 });
    expect(reply.status).toBe(429);
    expect(errorOf(reply).error.type).toBe('rate_limit_error');
    expect(reply.headers['retry-after']).toBe('3');
    expect(protocol.renderFault('rate_limited', ctx).headers['retry-after']).toBe('10');
  });

  it('renders quota_exhausted as a 429 with details.error_code enforced_spend_limit_reached and no retry-after', () => {
    const reply = protocol.renderFault('quota_exhausted', { ...ctx, retryAfterS: 5 });
    expect(reply.status).toBe(429);
    const error = errorOf(reply).error;
    expect(error.type).toBe('rate_limit_error');
    expect(error.details).toEqual({ error_code: 'enforced_spend_limit_reached' });
    expect(error.message).toMatch(/^You have reached your API usage limits/);
    expect(reply.headers['retry-after']).toBeUndefined();
  });

  it('renders rate-limit headers with RFC 3339 resets, and tokens-* as the most restrictive dimension', () => {
    const headers = protocol.rateLimitHeaders({
      model: 'm',
      snapshot: {
        requests: { limit: 50, remaining: 49, resetMs: 1200 },
        inputTokens: { limit: 40_000, remaining: 39_000, resetMs: 1500 },
        outputTokens: { limit: 8000, remaining: 100, resetMs: 59_000 },
      },
    });
    expect(headers).toMatchObject({
      'anthropic-ratelimit-requests-limit': '50',
      'anthropic-ratelimit-requests-remaining': '49',
      'anthropic-ratelimit-input-tokens-limit': '40000',
      'anthropic-ratelimit-output-tokens-remaining': '100',
      'anthropic-ratelimit-tokens-limit': '8000',
      'anthropic-ratelimit-tokens-remaining': '100',
    });
    expect(headers['anthropic-ratelimit-requests-reset']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const resetAt = Date.parse(headers['anthropic-ratelimit-output-tokens-reset'] ?? '');
    expect(resetAt - Date.now()).toBeGreaterThan(57_000);
  });

  it('renders the over-limit 429 with the dimension in the message, retry-after rounded up and the headers', () => {
    const reply = protocol.renderOverLimit({
      model: 'claude-sonnet-4-5',
      snapshot: {
        requests: { limit: 50, remaining: 0, resetMs: 60_000 },
        inputTokens: { limit: 30_000, remaining: 100, resetMs: 59_000 },
      },
      dimension: 'input_tokens',
      limit: 30_000,
      requested: 500,
      retryAfterMs: 800,
    });
    expect(reply.status).toBe(429);
    expect(reply.headers['retry-after']).toBe('1');
    expect(reply.headers['anthropic-ratelimit-requests-remaining']).toBe('0');
    const error = errorOf(reply).error;
    expect(error.type).toBe('rate_limit_error');
    expect(error.message).toMatch(
      /^This request would exceed your organization's rate limit of 30,000 input tokens per minute \(org: [0-9a-f-]+, model: claude-sonnet-4-5\)/,
    );
  });
});
