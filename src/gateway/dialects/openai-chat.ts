import { z } from 'zod';
import type {
  AnswerPart,
  ContentPart,
  GenerateRequest,
  Message,
  ResponseFormat,
  ToolChoice,
} from '../../model/message.js';
import type { FinishReason } from '../../model/response.js';
import { zodIssues } from '../../model/validation.js';
import type { FailsoftStreamEvent, GenerateResult } from '../../engine/results.js';
import {
  answerModel,
  sseFrame,
  type Dialect,
  type DialectError,
  type GatewayErrorKind,
  type ParseOutcome,
  type ParsedCall,
  type StreamRenderer,
} from '../dialect.js';
import { nextId } from '../ids.js';
import { urlWireImage } from './wire-images.js';

/** OpenAI `POST /v1/chat/completions`: wire schema, conversion to canonical, rendering back. */

const textPart = z.looseObject({ type: z.literal('text'), text: z.string() });
const textContent = z.union([z.string(), z.array(textPart)]);
// `detail` (auto/low/high) is a hint only OpenAI reads: accepted and dropped, like the other sampling hints.
const imageUrlPart = z.looseObject({
  type: z.literal('image_url'),
  image_url: z.looseObject({ url: z.string().min(1), detail: z.enum(['auto', 'low', 'high']).optional() }),
});
const userContent = z.union([z.string(), z.array(z.discriminatedUnion('type', [textPart, imageUrlPart]))]);
const assistantPart = z.union([textPart, z.looseObject({ type: z.literal('refusal'), refusal: z.string() })]);

const toolCall = z.looseObject({
  id: z.string().min(1),
  type: z.literal('function').optional(),
  function: z.looseObject({ name: z.string().min(1), arguments: z.string() }),
});

const message = z.discriminatedUnion('role', [
  z.looseObject({ role: z.enum(['system', 'developer']), content: textContent }),
  z.looseObject({ role: z.literal('user'), content: userContent }),
  z.looseObject({
    role: z.literal('assistant'),
    content: z.union([z.string(), z.array(assistantPart)]).nullish(),
    tool_calls: z.array(toolCall).nullish(),
  }),
  z.looseObject({ role: z.literal('tool'), tool_call_id: z.string().min(1), content: textContent }),
]);

const chatRequestSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(message).min(1, 'at least one message is required'),
  tools: z
    .array(
      z.looseObject({
        type: z.literal('function'),
        function: z.looseObject({
          name: z.string().min(1),
          description: z.string().optional(),
          parameters: z.record(z.string(), z.unknown()).optional(),
        }),
      }),
    )
    .nullish(),
  tool_choice: z
    .union([
      z.enum(['auto', 'none', 'required']),
      z.looseObject({ type: z.literal('function'), function: z.looseObject({ name: z.string().min(1) }) }),
    ])
    .nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  max_tokens: z.number().int().positive().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().gt(0).max(1).nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  n: z.literal(1, 'only n=1 is supported').nullish(),
  response_format: z
    .discriminatedUnion('type', [
      z.looseObject({ type: z.literal('text') }),
      z.looseObject({ type: z.literal('json_object') }),
      z.looseObject({
        type: z.literal('json_schema'),
        json_schema: z.looseObject({
          name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and -, at most 64 characters'),
          description: z.string().optional(),
          schema: z.record(z.string(), z.unknown()).optional(),
          strict: z.boolean().nullish(),
        }),
      }),
    ])
    .nullish(),
});

/**
 * Fields that would change what the client gets back but that failsoft cannot honour on every provider of
 * a route: refused with a 400 naming them rather than dropped (sampling hints such as `seed` or
 * `presence_penalty` are dropped: they change no contract).
 */
const REFUSED_FIELDS: ReadonlyArray<readonly [string, (value: unknown) => boolean, string]> = [
  [
    'functions',
    (v) => v !== undefined && v !== null,
    'the legacy functions API is not supported: send tools (and tool_choice)',
  ],
  [
    'function_call',
    (v) => v !== undefined && v !== null,
    'the legacy functions API is not supported: send tool_choice',
  ],
  ['logprobs', (v) => v === true, 'logprobs are not supported (not every provider can return them)'],
  [
    'top_logprobs',
    (v) => v !== undefined && v !== null,
    'logprobs are not supported (not every provider can return them)',
  ],
  ['audio', (v) => v !== undefined && v !== null, 'audio output is not supported'],
  ['modalities', (v) => Array.isArray(v) && v.some((m) => m !== 'text'), 'only text output is supported'],
];

type ChatRequest = z.infer<typeof chatRequestSchema>;
type ChatMessage = z.infer<typeof message>;

/** A field that parsed but cannot be converted (e.g. tool arguments that are not JSON). */
class ConversionError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

function joinText(
  content: string | readonly { type: string; text?: string; refusal?: string }[] | null | undefined,
): string {
  if (content === null || content === undefined) return '';
  if (typeof content === 'string') return content;
  let out = '';
  for (const part of content) out += part.text ?? part.refusal ?? '';
  return out;
}

/** A user turn: plain text, or its parts in order when it carries images (`data:` URLs become bytes). */
function userMessage(content: Extract<ChatMessage, { role: 'user' }>['content'], index: number): Message {
  if (typeof content === 'string' || !content.some((part) => part.type === 'image_url'))
    return { role: 'user', content: joinText(content) };
  const parts: ContentPart[] = content.map((part, j) => {
    if (part.type === 'text') return { type: 'text', text: part.text };
    const image = urlWireImage(part.image_url.url);
    if (!image.ok) throw new ConversionError(`messages[${index}].content[${j}].image_url.url`, image.problem);
    return image.part;
  });
  return { role: 'user', content: parts };
}

function toCanonicalMessage(msg: ChatMessage, index: number, toolNames: Map<string, string>): Message {
  if (msg.role === 'user') return userMessage(msg.content, index);
  if (msg.role === 'tool') {
    const name = toolNames.get(msg.tool_call_id);
    return {
      role: 'tool',
      content: [
        {
          type: 'tool-result',
          toolCallId: msg.tool_call_id,
          content: joinText(msg.content),
          ...(name === undefined ? {} : { name }),
        },
      ],
    };
  }
  if (msg.role === 'assistant') {
    const text = joinText(msg.content);
    const calls = msg.tool_calls ?? [];
    if (calls.length === 0) return { role: 'assistant', content: text };
    const parts: ContentPart[] = text === '' ? [] : [{ type: 'text', text }];
    calls.forEach((call, j) => {
      toolNames.set(call.id, call.function.name);
      parts.push({
        type: 'tool-call',
        id: call.id,
        name: call.function.name,
        input: parseArguments(call.function.arguments, `messages[${index}].tool_calls[${j}].function.arguments`),
      });
    });
    return { role: 'assistant', content: parts };
  }
  return { role: 'system', content: joinText(msg.content) };
}

function parseArguments(text: string, path: string): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ConversionError(path, 'must be a JSON string');
  }
}

function toResponseFormat(format: ChatRequest['response_format']): ResponseFormat | undefined {
  if (format === null || format === undefined || format.type === 'text') return undefined;
  if (format.type === 'json_object') return { type: 'json' };
  const { name, description, schema, strict } = format.json_schema;
  if (schema !== undefined && schema['type'] !== 'object')
    throw new ConversionError('response_format.json_schema.schema', 'the root must be { "type": "object" }');
  return {
    type: 'json',
    name,
    ...(schema === undefined ? {} : { schema }),
    ...(description === undefined ? {} : { description }),
    ...(strict === null || strict === undefined ? {} : { strict }),
  };
}

function toToolChoice(choice: ChatRequest['tool_choice']): ToolChoice | undefined {
  if (choice === null || choice === undefined) return undefined;
  return typeof choice === 'string' ? choice : { type: 'tool', name: choice.function.name };
}

/** Converts a validated OpenAI body into the canonical request. */
function toCanonical(body: ChatRequest): GenerateRequest {
  const system: string[] = [];
  const messages: Message[] = [];
  const toolNames = new Map<string, string>();
  body.messages.forEach((msg, i) => {
    if (msg.role === 'system' || msg.role === 'developer') system.push(joinText(msg.content));
    else messages.push(toCanonicalMessage(msg, i, toolNames));
  });
  if (messages.length === 0)
    throw new ConversionError('messages', 'at least one user, assistant or tool message is required');
  const request: GenerateRequest = { messages };
  if (system.length > 0) request.system = system.join('\n\n');
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  if (maxTokens !== null && maxTokens !== undefined) request.maxOutputTokens = maxTokens;
  if (body.temperature !== null && body.temperature !== undefined) request.temperature = body.temperature;
  if (body.top_p !== null && body.top_p !== undefined) request.topP = body.top_p;
  if (body.stop !== null && body.stop !== undefined)
    request.stopSequences = typeof body.stop === 'string' ? [body.stop] : body.stop;
  if (body.tools && body.tools.length > 0) {
    request.tools = body.tools.map((t) => ({
      name: t.function.name,
      inputSchema: t.function.parameters ?? { type: 'object', properties: {} },
      ...(t.function.description === undefined ? {} : { description: t.function.description }),
    }));
  }
  const toolChoice = toToolChoice(body.tool_choice);
  if (toolChoice !== undefined) request.toolChoice = toolChoice;
  const responseFormat = toResponseFormat(body.response_format);
  if (responseFormat !== undefined) request.responseFormat = responseFormat;
  const fields = body as Record<string, unknown>;
  for (const [field, refused, why] of REFUSED_FIELDS) if (refused(fields[field])) throw new ConversionError(field, why);
  return request;
}

/**
 * Parses an OpenAI chat-completions body into a feature name and the canonical request.
 * @example parseChatCompletionRequest({ model: 'summary', messages: [{ role: 'user', content: 'hi' }] })
 */
export function parseChatCompletionRequest(body: unknown): ParseOutcome {
  const parsed = chatRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = zodIssues(parsed.error)[0];
    return { ok: false, failure: { path: issue?.path ?? '(root)', message: issue?.message ?? 'invalid request body' } };
  }
  try {
    const call: ParsedCall = {
      feature: parsed.data.model,
      request: toCanonical(parsed.data),
      stream: parsed.data.stream === true,
      includeUsage: parsed.data.stream_options?.include_usage === true,
    };
    return { ok: true, call };
  } catch (error) {
    if (error instanceof ConversionError) return { ok: false, failure: { path: error.path, message: error.message } };
    throw error;
  }
}

const FINISH: Record<FinishReason, string> = {
  stop: 'stop',
  length: 'length',
  'tool-calls': 'tool_calls',
  'content-filter': 'content_filter',
  error: 'stop',
  other: 'stop',
};

function toolCallsOf(
  content: readonly AnswerPart[],
): { id: string; type: 'function'; function: { name: string; arguments: string } }[] {
  const calls = [];
  for (const part of content) {
    if (part.type === 'tool-call')
      calls.push({
        id: part.id,
        type: 'function' as const,
        function: { name: part.name, arguments: JSON.stringify(part.input ?? {}) },
      });
  }
  return calls;
}

/**
 * Renders a finished answer as an OpenAI `chat.completion`.
 * @example renderChatCompletion(await ai.generate('summary', request))
 */
export function renderChatCompletion(result: GenerateResult): unknown {
  const toolCalls = toolCallsOf(result.content);
  return {
    id: result.id?.startsWith('chatcmpl-') ? result.id : nextId('chatcmpl-'),
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: answerModel(result),
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: toolCalls.length > 0 && result.text === '' ? null : result.text,
          refusal: null,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: FINISH[result.finishReason],
      },
    ],
    usage: {
      prompt_tokens: result.usage.inputTokens,
      completion_tokens: result.usage.outputTokens,
      total_tokens: result.usage.totalTokens,
    },
  };
}

/** Renders engine stream events as `chat.completion.chunk` frames, then `[DONE]`. */
class ChatChunkRenderer implements StreamRenderer {
  private readonly id = nextId('chatcmpl-');
  private readonly created = Math.floor(Date.now() / 1000);
  private model = '';
  /** Tool-call indices whose arguments were streamed as deltas. */
  private readonly argsSent = new Set<number>();
  private readonly started = new Set<number>();

  constructor(private readonly includeUsage: boolean) {}

  private chunk(delta: Record<string, unknown>, finishReason: string | null = null): string {
    return sseFrame({
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    });
  }

  frames(event: FailsoftStreamEvent): string {
    switch (event.type) {
      case 'start':
        this.model = answerModel(event);
        return this.chunk({ role: 'assistant', content: '', refusal: null });
      case 'text-delta':
        return this.chunk({ content: event.text });
      case 'tool-call-start':
        this.started.add(event.index);
        return this.chunk({
          tool_calls: [
            { index: event.index, id: event.id, type: 'function', function: { name: event.name, arguments: '' } },
          ],
        });
      case 'tool-call-delta':
        this.argsSent.add(event.index);
        return this.chunk({ tool_calls: [{ index: event.index, function: { arguments: event.argumentsDelta } }] });
      case 'tool-call': {
        if (this.argsSent.has(event.index)) return '';
        const args = JSON.stringify(event.input ?? {});
        if (this.started.has(event.index))
          return this.chunk({ tool_calls: [{ index: event.index, function: { arguments: args } }] });
        return this.chunk({
          tool_calls: [
            { index: event.index, id: event.id, type: 'function', function: { name: event.name, arguments: args } },
          ],
        });
      }
      case 'finish': {
        let out = this.chunk({}, FINISH[event.finishReason]);
        if (this.includeUsage) {
          out += sseFrame({
            id: this.id,
            object: 'chat.completion.chunk',
            created: this.created,
            model: this.model,
            choices: [],
            usage: {
              prompt_tokens: event.usage.inputTokens,
              completion_tokens: event.usage.outputTokens,
              total_tokens: event.usage.totalTokens,
            },
          });
        }
        return `${out}data: [DONE]\n\n`;
      }
      case 'error':
        return sseFrame({
          error: { message: event.error.message, type: 'server_error', param: null, code: event.error.class ?? null },
        });
    }
  }
}

const ERROR_SHAPE: Record<GatewayErrorKind, { status: number; type: string; code: string | null }> = {
  invalid_request: { status: 400, type: 'invalid_request_error', code: null },
  not_found: { status: 404, type: 'invalid_request_error', code: 'model_not_found' },
  too_large: { status: 413, type: 'invalid_request_error', code: 'request_too_large' },
  unavailable: { status: 503, type: 'service_unavailable_error', code: 'server_is_overloaded' },
  internal: { status: 500, type: 'server_error', code: null },
};

/**
 * An error in OpenAI's shape: `{ error: { message, type, param, code } }`.
 * @example renderChatError('not_found', 'unknown feature "x"')
 */
export function renderChatError(kind: GatewayErrorKind, message: string, param?: string): DialectError {
  const shape = ERROR_SHAPE[kind];
  return {
    status: shape.status,
    body: { error: { message, type: shape.type, param: param ?? null, code: shape.code } },
  };
}

/** The OpenAI chat-completions dialect. */
export const openAiChatDialect: Dialect = {
  name: 'openai',
  parse: parseChatCompletionRequest,
  renderResult: renderChatCompletion,
  streamRenderer: (call) => new ChatChunkRenderer(call.includeUsage),
  renderError: renderChatError,
};
