import type { SimAnswer, SimHttpReply, SimParsedRequest, SimStreamFrames } from '../sim-protocol.js';
import { messageId, nextRequestId, toolUseId } from './anthropic-sim-ids.js';

/**
 * Successful answers in the shape the real API sends today (late 2026 recordings): a `message`
 * object with `stop_details`, and usage carrying the cache counters, `service_tier` and
 * `inference_geo`. Streams are named SSE events; each frame is `event: X\ndata: {"type":"X",…}\n\n`.
 */

const STOP_REASON: Record<SimAnswer['stop'], string> = {
  end: 'end_turn',
  max_tokens: 'max_tokens',
  tool_use: 'tool_use',
};

function usage(inputTokens: number, outputTokens: number): Record<string, unknown> {
  return {
    input_tokens: inputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
    output_tokens: outputTokens,
    service_tier: 'standard',
    inference_geo: 'not_available',
  };
}

function contentOf(answer: SimAnswer): Record<string, unknown>[] {
  const content: Record<string, unknown>[] = [];
  if (answer.text !== '' || answer.toolCall === undefined) content.push({ type: 'text', text: answer.text });
  if (answer.toolCall) {
    content.push({
      type: 'tool_use',
      id: toolUseId(answer.toolCall.id),
      name: answer.toolCall.name,
      input: answer.toolCall.input,
    });
  }
  return content;
}

/** A whole non-streamed `message` (status 200), merged with the rate-limit headers given. */
export function renderAnthropicAnswer(answer: SimAnswer, headers: Record<string, string>): SimHttpReply {
  const body = {
    model: answer.model,
    id: messageId(answer.id),
    type: 'message',
    role: 'assistant',
    content: contentOf(answer),
    stop_reason: STOP_REASON[answer.stop],
    stop_sequence: null,
    stop_details: null,
    usage: usage(answer.inputTokens, answer.outputTokens),
  };
  return {
    status: 200,
    headers: { ...headers, 'content-type': 'application/json', 'request-id': nextRequestId() },
    body: JSON.stringify(body),
  };
}

/** Headers that open a stream (the core merges rate-limit headers in). */
export function anthropicStreamHeaders(): Record<string, string> {
  return {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'request-id': nextRequestId(),
  };
}

/** One named SSE frame. */
export function frame(type: string, data: Record<string, unknown>): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
}

/** Splits a tool call's JSON into several `input_json_delta` pieces, led by an empty one as the API does. */
function jsonPieces(json: string): string[] {
  const pieces = [''];
  const size = Math.max(1, Math.ceil(json.length / 3));
  for (let at = 0; at < json.length; at += size) pieces.push(json.slice(at, at + size));
  return pieces;
}

/**
 * A streamed answer: `message_start` (input usage, empty content), the first `content_block_start`
 * and a `ping` as head (the order of Anthropic's documented example); one `content_block_delta` per
 * text chunk and per tool-input piece as deltas (moving from a text block to a tool block happens
 * inside the first tool delta); `content_block_stop`, `message_delta` (stop reason, cumulative
 * usage) and `message_stop` as tail.
 */
export function renderAnthropicStream(answer: SimAnswer, _request: SimParsedRequest): SimStreamFrames {
  const start = {
    message: {
      model: answer.model,
      id: messageId(answer.id),
      type: 'message',
      role: 'assistant',
      content: [],
      stop_reason: null,
      stop_sequence: null,
      stop_details: null,
      usage: usage(answer.inputTokens, 1),
    },
  };
  const hasText = answer.text !== '' || answer.toolCall === undefined;
  const head = [frame('message_start', start)];
  const deltas: string[] = [];
  let index = 0;
  if (hasText) {
    head.push(frame('content_block_start', { index, content_block: { type: 'text', text: '' } }));
    for (const text of answer.textChunks)
      deltas.push(frame('content_block_delta', { index, delta: { type: 'text_delta', text } }));
  }
  if (answer.toolCall) {
    const toolIndex = hasText ? index + 1 : index;
    const block = { type: 'tool_use', id: toolUseId(answer.toolCall.id), name: answer.toolCall.name, input: {} };
    const opening = frame('content_block_start', { index: toolIndex, content_block: block });
    jsonPieces(JSON.stringify(answer.toolCall.input)).forEach((partial_json, n) => {
      const delta = frame('content_block_delta', {
        index: toolIndex,
        delta: { type: 'input_json_delta', partial_json },
      });
      if (n > 0) deltas.push(delta);
      else if (hasText) deltas.push(frame('content_block_stop', { index }) + opening + delta);
      else {
        head.push(opening);
        deltas.push(delta);
      }
    });
    index = toolIndex;
  }
  head.push(frame('ping', {}));
  const tail = [
    frame('content_block_stop', { index }),
    frame('message_delta', {
      delta: { stop_reason: STOP_REASON[answer.stop], stop_sequence: null, stop_details: null },
      usage: {
        input_tokens: answer.inputTokens,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        output_tokens: answer.outputTokens,
      },
    }),
    frame('message_stop', {}),
  ];
  return { head, deltas, tail };
}

/** The in-stream failure: `event: error` with an `overloaded_error`, as the API sends mid-answer. */
export function renderAnthropicStreamError(_model: string): string {
  return frame('error', { error: { type: 'overloaded_error', message: 'Overloaded' } });
}

/** `GET /v1/models`: Anthropic's paginated model list. */
export function renderAnthropicModels(models: readonly string[]): SimHttpReply {
  const data = models.map((id) => ({ type: 'model', id, display_name: id, created_at: '2025-05-22T00:00:00Z' }));
  return {
    status: 200,
    headers: { 'content-type': 'application/json', 'request-id': nextRequestId() },
    body: JSON.stringify({ data, has_more: false, first_id: models[0] ?? null, last_id: models.at(-1) ?? null }),
  };
}
