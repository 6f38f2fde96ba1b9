import type { AnswerPart, GenerateRequest } from '../../model/message.js';
import type { ProviderResponse } from '../../model/response.js';
import type { StreamEvent } from '../../model/stream-event.js';
import type { AnthropicRequestBody } from './to-anthropic-request.js';

/**
 * JSON mode for Anthropic, which has no `response_format`: the answer is asked for as the input of a
 * tool the model must call (the schema is the tool's `input_schema`), and that tool call is turned back
 * into the answer's text. The way the official cookbook and other gateways get schema-shaped JSON from
 * Claude; with the caller's own tools present the model may call one of them instead (`tool_choice` of type `any`).
 */
export const JSON_ANSWER_TOOL = 'failsoft_json_answer';

const DEFAULT_DESCRIPTION =
  "Give your whole answer as this tool's input: the JSON object the user asked for. Do not answer in text.";

/** Adds the answer tool to a request body in JSON mode (no change otherwise). */
export function withJsonAnswerTool(body: AnthropicRequestBody, request: GenerateRequest): AnthropicRequestBody {
  const format = request.responseFormat;
  if (format === undefined) return body;
  const tool = {
    name: JSON_ANSWER_TOOL,
    description: format.description ?? DEFAULT_DESCRIPTION,
    input_schema: format.schema ?? { type: 'object' },
  };
  const own = request.toolChoice === 'none' ? [] : (body.tools ?? []);
  body.tools = [...own, tool];
  const choice = request.toolChoice;
  if (own.length > 0 && typeof choice === 'object') body.tool_choice = { type: 'tool', name: choice.name };
  else body.tool_choice = own.length > 0 ? { type: 'any' } : { type: 'tool', name: JSON_ANSWER_TOOL };
  return body;
}

/**
 * A response in JSON mode: the answer tool's input becomes the text (any prose beside it is dropped, so the
 * text stays parseable); a call of it alone finishes as `stop`.
 */
export function jsonAnswerResponse(response: ProviderResponse): ProviderResponse {
  let text = '';
  let answered = false;
  let otherCalls = false;
  const content: AnswerPart[] = [];
  for (const part of response.content) {
    if (part.type === 'tool-call' && part.name === JSON_ANSWER_TOOL) {
      if (answered) continue; // one answer; a second call of the tool would make the text two JSON values
      const json = JSON.stringify(part.input ?? {});
      content.push({ type: 'text', text: json });
      text = json;
      answered = true;
    } else if (part.type === 'tool-call') {
      otherCalls = true;
      content.push(part);
    }
  }
  if (!answered) return response;
  return {
    ...response,
    content,
    text,
    finishReason: response.finishReason === 'tool-calls' && !otherCalls ? 'stop' : response.finishReason,
  };
}

/**
 * A stream in JSON mode: the answer tool's argument pieces become text deltas (the JSON arrives as it is
 * written); its start and end events are dropped; a finish caused by it alone is `stop`.
 */
export async function* jsonAnswerEvents(events: AsyncIterable<StreamEvent>): AsyncGenerator<StreamEvent> {
  const answerIndexes = new Set<number>();
  const streamed = new Set<number>();
  /** The call whose input is the answer: the first one (a second would make the text two JSON values). */
  let answerIndex: number | undefined;
  let otherCalls = false;
  for await (const event of events) {
    switch (event.type) {
      case 'tool-call-start':
        if (event.name === JSON_ANSWER_TOOL) {
          answerIndexes.add(event.index);
          answerIndex ??= event.index;
          continue;
        }
        otherCalls = true;
        break;
      case 'tool-call-delta':
        if (answerIndexes.has(event.index)) {
          if (event.argumentsDelta !== '' && event.index === answerIndex) {
            streamed.add(event.index);
            yield { type: 'text-delta', text: event.argumentsDelta };
          }
          continue;
        }
        break;
      case 'tool-call':
        if (answerIndexes.has(event.index) || event.name === JSON_ANSWER_TOOL) {
          answerIndex ??= event.index;
          // No pieces came (an empty object, or a provider that sends the input whole): send it now.
          if (event.index === answerIndex && !streamed.has(event.index))
            yield { type: 'text-delta', text: JSON.stringify(event.input ?? {}) };
          continue;
        }
        otherCalls = true;
        break;
      case 'finish':
        if (answerIndexes.size > 0 && !otherCalls && event.finishReason === 'tool-calls') {
          yield { ...event, finishReason: 'stop' };
          continue;
        }
        break;
      default:
        break;
    }
    yield event;
  }
}
