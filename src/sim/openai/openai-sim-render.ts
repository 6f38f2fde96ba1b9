import type { SimAnswer, SimHttpReply, SimParsedRequest, SimStreamFrames } from '../sim-protocol.js';
import { JSON_CONTENT_TYPE, openaiBaseHeaders, SSE_CONTENT_TYPE, systemFingerprint } from './openai-sim-headers.js';

/**
 * Successful OpenAI answers: a `chat.completion` object, a `chat.completion.chunk` stream
 * (role chunk, content / tool-call deltas, finish chunk, optional usage chunk, `data: [DONE]`),
 * and the `/v1/models` list.
 */

const FINISH_REASON: Record<SimAnswer['stop'], string> = { end: 'stop', max_tokens: 'length', tool_use: 'tool_calls' };
/** Characters of tool-call arguments per streamed delta (real deltas are a token or a few). */
const ARGUMENT_PIECE = 16;
const MODEL_CREATED = 1_715_367_049;

function withPrefix(prefix: string, id: string): string {
  return id.startsWith(prefix) ? id : `${prefix}${id}`;
}

function usage(answer: SimAnswer): Record<string, unknown> {
  return {
    prompt_tokens: answer.inputTokens,
    completion_tokens: answer.outputTokens,
    total_tokens: answer.inputTokens + answer.outputTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

function toolCallId(answer: SimAnswer): string {
  return withPrefix('call_', answer.toolCall?.id ?? '');
}

/** A whole `chat.completion` answer, pretty-printed as the API sends it. */
export function renderOpenAIAnswer(answer: SimAnswer, headers: Record<string, string>): SimHttpReply {
  const message: Record<string, unknown> = {
    role: 'assistant',
    content: answer.text === '' && answer.toolCall !== undefined ? null : answer.text,
    refusal: null,
    annotations: [],
  };
  if (answer.toolCall !== undefined) {
    message['tool_calls'] = [
      {
        id: toolCallId(answer),
        type: 'function',
        function: { name: answer.toolCall.name, arguments: JSON.stringify(answer.toolCall.input) },
      },
    ];
  }
  const body = {
    id: withPrefix('chatcmpl-', answer.id),
    object: 'chat.completion',
    created: answer.created,
    model: answer.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: FINISH_REASON[answer.stop] }],
    usage: usage(answer),
    service_tier: 'default',
    system_fingerprint: systemFingerprint(answer.model),
  };
  return {
    status: 200,
    headers: { ...openaiBaseHeaders(JSON_CONTENT_TYPE), ...headers },
    body: `${JSON.stringify(body, null, 2)}\n`,
  };
}

/** Headers that open a streamed answer. */
export function openaiStreamHeaders(): Record<string, string> {
  return { ...openaiBaseHeaders(SSE_CONTENT_TYPE), 'cache-control': 'no-cache' };
}

/** A streamed answer as `data:` frames, without event names, ending in `data: [DONE]`. */
export function renderOpenAIStream(answer: SimAnswer, request: SimParsedRequest): SimStreamFrames {
  const base = {
    id: withPrefix('chatcmpl-', answer.id),
    object: 'chat.completion.chunk',
    created: answer.created,
    model: answer.model,
    service_tier: 'default',
    system_fingerprint: systemFingerprint(answer.model),
  };
  // With include_usage every chunk carries `"usage": null` until the last one, as the API does.
  const frame = (choices: unknown[], usageValue: unknown = null): string =>
    `data: ${JSON.stringify({ ...base, choices, ...(request.includeUsage ? { usage: usageValue } : {}) })}\n\n`;
  const delta = (value: Record<string, unknown>, finishReason: string | null = null): string =>
    frame([{ index: 0, delta: value, logprobs: null, finish_reason: finishReason }]);

  const pureToolCall = answer.text === '' && answer.toolCall !== undefined;
  const head = [delta({ role: 'assistant', content: pureToolCall ? null : '', refusal: null })];
  const deltas = answer.textChunks.filter((chunk) => chunk !== '').map((chunk) => delta({ content: chunk }));
  if (answer.toolCall !== undefined) {
    deltas.push(
      delta({
        tool_calls: [
          {
            index: 0,
            id: toolCallId(answer),
            type: 'function',
            function: { name: answer.toolCall.name, arguments: '' },
          },
        ],
      }),
    );
    const args = JSON.stringify(answer.toolCall.input);
    for (let at = 0; at < args.length; at += ARGUMENT_PIECE) {
      deltas.push(delta({ tool_calls: [{ index: 0, function: { arguments: args.slice(at, at + ARGUMENT_PIECE) } }] }));
    }
  }
  const tail = [delta({}, FINISH_REASON[answer.stop])];
  if (request.includeUsage) tail.push(frame([], usage(answer)));
  tail.push('data: [DONE]\n\n');
  return { head, deltas, tail };
}

/** `GET /v1/models`: `{object: "list", data: [{id, object: "model", created, owned_by}]}`. */
export function renderOpenAIModels(models: readonly string[]): SimHttpReply {
  const body = {
    object: 'list',
    data: models.map((id) => ({ id, object: 'model', created: MODEL_CREATED, owned_by: 'system' })),
  };
  return { status: 200, headers: openaiBaseHeaders(JSON_CONTENT_TYPE), body: `${JSON.stringify(body, null, 2)}\n` };
}
