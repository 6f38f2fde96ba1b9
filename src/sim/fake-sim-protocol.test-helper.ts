import type { SimHttpFaultKind, SimHttpReply, SimProtocol, SimTool } from './sim-protocol.js';

/**
 * A minimal protocol for the core's own tests (not a real provider's wire format):
 * `POST /v1/generate` and `POST /v1/stream` take `{ model, prompt, max?, tools?, toolChoice?, toolResult? }`,
 * `GET /v1/models` lists models, auth is the `x-key` header. Frames are one line each so tests can count them.
 */
const FAULT_STATUS: Record<SimHttpFaultKind, number> = {
  overloaded: 529,
  rate_limited: 429,
  quota_exhausted: 429,
  server_error: 500,
  auth: 401,
  bad_request: 400,
  context_length: 400,
};

function json(status: number, body: unknown, headers: Record<string, string> = {}): SimHttpReply {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The fake protocol (reports itself as `openai` so default model lists apply). */
export const fakeSimProtocol: SimProtocol = {
  protocol: 'openai',
  route(info) {
    if (info.method === 'GET' && info.path === '/v1/models') return { operation: 'list-models' };
    if (info.method === 'POST' && info.path === '/v1/generate') return { operation: 'generate' };
    if (info.method === 'POST' && info.path === '/v1/stream') return { operation: 'stream' };
    return json(404, { error: 'no route', path: info.path });
  },
  authenticate(info, acceptedKey) {
    const key = info.headers['x-key'];
    if (typeof key !== 'string' || key === '' || (acceptedKey !== undefined && key !== acceptedKey)) {
      return json(401, { error: 'bad key' });
    }
    return undefined;
  },
  parse(route, body) {
    let data: unknown;
    try {
      data = JSON.parse(body);
    } catch {
      return json(400, { error: 'bad json' });
    }
    if (!isRecord(data) || typeof data['model'] !== 'string') return json(400, { error: 'model required' });
    const prompt = typeof data['prompt'] === 'string' ? data['prompt'] : '';
    const tools: SimTool[] = Array.isArray(data['tools'])
      ? data['tools'].filter(isRecord).map((tool) => ({
          name: String(tool['name']),
          inputSchema: isRecord(tool['schema']) ? tool['schema'] : undefined,
        }))
      : [];
    const choice = data['toolChoice'];
    return {
      model: data['model'],
      stream: route.operation === 'stream',
      inputTokens: Math.ceil(prompt.length / 4),
      maxOutputTokens: typeof data['max'] === 'number' ? data['max'] : 1000,
      includeUsage: false,
      lastUserText: prompt,
      lastIsToolResult: data['toolResult'] === true,
      tools,
      toolChoice:
        choice === 'none' || choice === 'required' ? choice : typeof choice === 'string' ? { name: choice } : 'auto',
    };
  },
  listModels(models) {
    return json(200, { models });
  },
  renderAnswer(answer, headers) {
    return json(200, answer, headers);
  },
  streamHeaders() {
    return { 'content-type': 'text/event-stream' };
  },
  renderStream(answer) {
    return {
      head: ['start\n'],
      deltas: answer.textChunks.map((chunk) => `delta ${JSON.stringify(chunk)}\n`),
      tail: [`end ${answer.stop}\n`],
    };
  },
  renderStreamError() {
    return 'error\n';
  },
  renderFault(kind, context) {
    const headers: Record<string, string> =
      context.retryAfterS === undefined ? {} : { 'retry-after': String(context.retryAfterS) };
    return json(FAULT_STATUS[kind], { fault: kind, model: context.model }, headers);
  },
  rateLimitHeaders({ snapshot }) {
    const headers: Record<string, string> = {};
    if (snapshot.requests) headers['x-remaining-requests'] = String(snapshot.requests.remaining);
    if (snapshot.tokens) headers['x-remaining-tokens'] = String(snapshot.tokens.remaining);
    if (snapshot.inputTokens) headers['x-remaining-input-tokens'] = String(snapshot.inputTokens.remaining);
    if (snapshot.outputTokens) headers['x-remaining-output-tokens'] = String(snapshot.outputTokens.remaining);
    return headers;
  },
  renderOverLimit(context) {
    return json(429, {
      dimension: context.dimension,
      limit: context.limit,
      requested: context.requested,
      retryAfterMs: context.retryAfterMs,
    });
  },
};
