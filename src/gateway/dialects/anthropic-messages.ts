import { z } from 'zod';
import type { ContentPart, GenerateRequest, Message, ToolChoice } from '../../model/message.js';
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
  type StreamRenderer,
} from '../dialect.js';
import { nextId } from '../ids.js';
import { inlineWireImage, urlWireImage } from './wire-images.js';

/** Anthropic `POST /v1/messages`: wire schema, conversion to canonical, rendering back. */

const textBlock = z.looseObject({ type: z.literal('text'), text: z.string() });
const toolUseBlock = z.looseObject({
  type: z.literal('tool_use'),
  id: z.string().min(1),
  name: z.string().min(1),
  input: z.unknown(),
});
const toolResultBlock = z.looseObject({
  type: z.literal('tool_result'),
  tool_use_id: z.string().min(1),
  content: z.union([z.string(), z.array(textBlock)]).optional(),
  is_error: z.boolean().optional(),
});
// Images: a base64 or url source (a Files API `file` source means nothing to other providers: refused).
const imageBlock = z.looseObject({
  type: z.literal('image'),
  source: z.discriminatedUnion('type', [
    z.looseObject({ type: z.literal('base64'), media_type: z.string(), data: z.string() }),
    z.looseObject({ type: z.literal('url'), url: z.string().min(1) }),
  ]),
});
const block = z.discriminatedUnion('type', [textBlock, toolUseBlock, toolResultBlock, imageBlock]);

const messagesRequestSchema = z.looseObject({
  model: z.string().min(1),
  max_tokens: z.number().int().positive(),
  messages: z
    .array(
      z.looseObject({
        role: z.enum(['user', 'assistant']),
        content: z.union([z.string(), z.array(block)]),
      }),
    )
    .min(1, 'at least one message is required'),
  system: z.union([z.string(), z.array(textBlock)]).optional(),
  tools: z
    .array(
      z.looseObject({
        name: z.string().min(1),
        description: z.string().optional(),
        input_schema: z.record(z.string(), z.unknown()),
      }),
    )
    .optional(),
  tool_choice: z
    .discriminatedUnion('type', [
      z.looseObject({ type: z.enum(['auto', 'any', 'none']) }),
      z.looseObject({ type: z.literal('tool'), name: z.string().min(1) }),
    ])
    .optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().gt(0).max(1).optional(),
  stop_sequences: z.array(z.string()).optional(),
  stream: z.boolean().optional(),
  // Structured outputs: `format` is honoured on every provider (JSON mode); `effort` is a hint, dropped.
  output_config: z
    .looseObject({
      format: z
        .looseObject({
          type: z.literal('json_schema'),
          schema: z
            .record(z.string(), z.unknown())
            .refine((s) => s['type'] === 'object', 'the root must be { "type": "object" }'),
        })
        .nullish(),
    })
    .nullish(),
});

type MessagesRequest = z.infer<typeof messagesRequestSchema>;
type Block = z.infer<typeof block>;

function blocksText(content: string | readonly { text: string }[] | undefined): string {
  if (content === undefined) return '';
  if (typeof content === 'string') return content;
  let out = '';
  for (const part of content) out += part.text;
  return out;
}

/** A block that parsed but cannot be converted (a bad image), with its wire path. */
class ConversionError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

/** An image block as a canonical image part; only user turns may carry one. */
function imagePart(b: Extract<Block, { type: 'image' }>, role: 'user' | 'assistant', path: string): ContentPart {
  if (role !== 'user') throw new ConversionError(path, 'images are allowed only in user messages');
  const image =
    b.source.type === 'base64' ? inlineWireImage(b.source.media_type, b.source.data) : urlWireImage(b.source.url);
  if (!image.ok) throw new ConversionError(`${path}.source`, image.problem);
  return image.part;
}

/** One Anthropic message as canonical messages: tool results become a `tool` message of their own. */
function toCanonicalMessages(
  role: 'user' | 'assistant',
  content: string | readonly Block[],
  toolNames: Map<string, string>,
  index: number,
): Message[] {
  if (typeof content === 'string') return [{ role, content }];
  const results: ContentPart[] = [];
  const rest: ContentPart[] = [];
  for (const [j, b] of content.entries()) {
    if (b.type === 'text') rest.push({ type: 'text', text: b.text });
    else if (b.type === 'image') rest.push(imagePart(b, role, `messages[${index}].content[${j}]`));
    else if (b.type === 'tool_use') {
      toolNames.set(b.id, b.name);
      rest.push({ type: 'tool-call', id: b.id, name: b.name, input: b.input ?? {} });
    } else {
      const name = toolNames.get(b.tool_use_id);
      results.push({
        type: 'tool-result',
        toolCallId: b.tool_use_id,
        content: blocksText(b.content),
        ...(name === undefined ? {} : { name }),
        ...(b.is_error === undefined ? {} : { isError: b.is_error }),
      });
    }
  }
  const out: Message[] = [];
  if (results.length > 0) out.push({ role: 'tool', content: results });
  if (rest.length > 0 || results.length === 0) out.push({ role, content: rest });
  return out;
}

function toToolChoice(choice: MessagesRequest['tool_choice']): ToolChoice | undefined {
  if (choice === undefined) return undefined;
  if (choice.type === 'tool') return { type: 'tool', name: choice.name };
  return choice.type === 'any' ? 'required' : choice.type;
}

function toCanonical(body: MessagesRequest): GenerateRequest {
  const toolNames = new Map<string, string>();
  const messages = body.messages.flatMap((m, index) => toCanonicalMessages(m.role, m.content, toolNames, index));
  const request: GenerateRequest = { messages, maxOutputTokens: body.max_tokens };
  if (body.system !== undefined) request.system = blocksText(body.system);
  if (body.temperature !== undefined) request.temperature = body.temperature;
  if (body.top_p !== undefined) request.topP = body.top_p;
  if (body.stop_sequences !== undefined) request.stopSequences = body.stop_sequences;
  if (body.tools && body.tools.length > 0) {
    request.tools = body.tools.map((t) => ({
      name: t.name,
      inputSchema: t.input_schema,
      ...(t.description === undefined ? {} : { description: t.description }),
    }));
  }
  const toolChoice = toToolChoice(body.tool_choice);
  if (toolChoice !== undefined) request.toolChoice = toolChoice;
  const format = body.output_config?.format;
  if (format !== null && format !== undefined) request.responseFormat = { type: 'json', schema: format.schema };
  return request;
}

/**
 * Parses an Anthropic messages body into a feature name and the canonical request.
 * @example parseMessagesRequest({ model: 'chat', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] })
 */
export function parseMessagesRequest(body: unknown): ParseOutcome {
  const parsed = messagesRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = zodIssues(parsed.error)[0];
    return { ok: false, failure: { path: issue?.path ?? '(root)', message: issue?.message ?? 'invalid request body' } };
  }
  try {
    return {
      ok: true,
      call: {
        feature: parsed.data.model,
        request: toCanonical(parsed.data),
        stream: parsed.data.stream === true,
        includeUsage: false,
      },
    };
  } catch (error) {
    if (error instanceof ConversionError) return { ok: false, failure: { path: error.path, message: error.message } };
    throw error;
  }
}

const STOP_REASON: Record<FinishReason, string> = {
  stop: 'end_turn',
  length: 'max_tokens',
  'tool-calls': 'tool_use',
  'content-filter': 'refusal',
  error: 'end_turn',
  other: 'end_turn',
};

/**
 * Renders a finished answer as an Anthropic `message`.
 * @example renderMessage(await ai.generate('chat', request))
 */
export function renderMessage(result: GenerateResult): unknown {
  return {
    id: result.id?.startsWith('msg_') ? result.id : nextId('msg_'),
    type: 'message',
    role: 'assistant',
    model: answerModel(result),
    content: result.content.map((part) =>
      part.type === 'text'
        ? { type: 'text', text: part.text }
        : { type: 'tool_use', id: part.id, name: part.name, input: part.input ?? {} },
    ),
    stop_reason: STOP_REASON[result.finishReason],
    stop_sequence: null,
    usage: { input_tokens: result.usage.inputTokens, output_tokens: result.usage.outputTokens },
  };
}

/** Renders engine stream events as Anthropic's named SSE events, message_start … message_stop. */
class MessageEventRenderer implements StreamRenderer {
  private blockIndex = -1;
  private open: { kind: 'text' } | { kind: 'tool'; index: number; argsSent: boolean } | undefined;

  private closeBlock(): string {
    if (this.open === undefined) return '';
    this.open = undefined;
    return sseFrame({ type: 'content_block_stop', index: this.blockIndex }, 'content_block_stop');
  }

  private openBlock(contentBlock: Record<string, unknown>): string {
    this.blockIndex += 1;
    return sseFrame(
      { type: 'content_block_start', index: this.blockIndex, content_block: contentBlock },
      'content_block_start',
    );
  }

  private delta(delta: Record<string, unknown>): string {
    return sseFrame({ type: 'content_block_delta', index: this.blockIndex, delta }, 'content_block_delta');
  }

  frames(event: FailsoftStreamEvent): string {
    switch (event.type) {
      case 'start':
        return sseFrame(
          {
            type: 'message_start',
            message: {
              id: nextId('msg_'),
              type: 'message',
              role: 'assistant',
              model: answerModel(event),
              content: [],
              stop_reason: null,
              stop_sequence: null,
              usage: { input_tokens: 0, output_tokens: 0 },
            },
          },
          'message_start',
        );
      case 'text-delta': {
        let out = '';
        if (this.open?.kind !== 'text') {
          out += this.closeBlock() + this.openBlock({ type: 'text', text: '' });
          this.open = { kind: 'text' };
        }
        return out + this.delta({ type: 'text_delta', text: event.text });
      }
      case 'tool-call-start': {
        const out = this.closeBlock() + this.openBlock({ type: 'tool_use', id: event.id, name: event.name, input: {} });
        this.open = { kind: 'tool', index: event.index, argsSent: false };
        return out;
      }
      case 'tool-call-delta':
        if (this.open?.kind === 'tool') this.open.argsSent = true;
        return this.delta({ type: 'input_json_delta', partial_json: event.argumentsDelta });
      case 'tool-call': {
        const json = JSON.stringify(event.input ?? {});
        if (this.open?.kind === 'tool' && this.open.index === event.index) {
          if (this.open.argsSent) return this.closeBlock();
          return this.delta({ type: 'input_json_delta', partial_json: json }) + this.closeBlock();
        }
        return (
          this.closeBlock() +
          this.openBlock({ type: 'tool_use', id: event.id, name: event.name, input: {} }) +
          this.delta({ type: 'input_json_delta', partial_json: json }) +
          sseFrame({ type: 'content_block_stop', index: this.blockIndex }, 'content_block_stop')
        );
      }
      case 'finish':
        return (
          this.closeBlock() +
          sseFrame(
            {
              type: 'message_delta',
              delta: { stop_reason: STOP_REASON[event.finishReason], stop_sequence: null },
              usage: { input_tokens: event.usage.inputTokens, output_tokens: event.usage.outputTokens },
            },
            'message_delta',
          ) +
          sseFrame({ type: 'message_stop' }, 'message_stop')
        );
      case 'error':
        return sseFrame(
          {
            type: 'error',
            error: {
              type: event.error.class === 'overloaded' ? 'overloaded_error' : 'api_error',
              message: event.error.message,
            },
          },
          'error',
        );
    }
  }
}

const ERROR_SHAPE: Record<GatewayErrorKind, { status: number; type: string }> = {
  invalid_request: { status: 400, type: 'invalid_request_error' },
  not_found: { status: 404, type: 'not_found_error' },
  too_large: { status: 413, type: 'request_too_large' },
  unavailable: { status: 503, type: 'overloaded_error' },
  internal: { status: 500, type: 'api_error' },
};

/**
 * An error in Anthropic's shape: `{ type: 'error', error: { type, message } }`.
 * @example renderMessagesError('unavailable', 'chat is unavailable') // status 503, overloaded_error
 */
export function renderMessagesError(kind: GatewayErrorKind, message: string, param?: string): DialectError {
  const shape = ERROR_SHAPE[kind];
  return {
    status: shape.status,
    body: {
      type: 'error',
      error: {
        type: shape.type,
        message: param === undefined || message.startsWith(param) ? message : `${param}: ${message}`,
      },
    },
  };
}

/** The Anthropic messages dialect. */
export const anthropicMessagesDialect: Dialect = {
  name: 'anthropic',
  parse: parseMessagesRequest,
  renderResult: renderMessage,
  streamRenderer: () => new MessageEventRenderer(),
  renderError: renderMessagesError,
};
