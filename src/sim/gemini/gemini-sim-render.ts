import type { SimAnswer, SimHttpReply, SimParsedRequest, SimStreamFrames } from '../sim-protocol.js';
import { geminiResponseId, googleHeaders, JSON_CONTENT_TYPE, SSE_CONTENT_TYPE } from './gemini-sim-headers.js';
import { GEMINI_MAX_INPUT_TOKENS } from './gemini-sim-errors.js';

/**
 * Gemini's answers: a `GenerateContentResponse` pretty-printed for `generateContent`, and for
 * `streamGenerateContent?alt=sse` one `data: <GenerateContentResponse>` per chunk separated by
 * CRLF CRLF, with no event names and no terminator: the last chunk carries `finishReason` and the
 * full usage, then the connection closes. Without `alt=sse` the same chunks form one JSON array
 * (`application/json`) of pretty-printed elements separated by `\n,\r\n` and closed by `\n]`, written as
 * the chunks come; a stream cut short leaves the array open.
 */

type Part = { text: string } | { functionCall: { name: string; args: Record<string, unknown> } };

function finishReason(answer: SimAnswer): string {
  return answer.stop === 'max_tokens' ? 'MAX_TOKENS' : 'STOP';
}

function usage(answer: SimAnswer): Record<string, unknown> {
  return {
    promptTokenCount: answer.inputTokens,
    candidatesTokenCount: answer.outputTokens,
    totalTokenCount: answer.inputTokens + answer.outputTokens,
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: answer.inputTokens }],
  };
}

/** While streaming, usage so far: the prompt only (Gemini reports candidates at the end). */
function promptUsage(answer: SimAnswer): Record<string, unknown> {
  return {
    promptTokenCount: answer.inputTokens,
    totalTokenCount: answer.inputTokens,
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: answer.inputTokens }],
  };
}

function answerParts(answer: SimAnswer): Part[] {
  const parts: Part[] = [];
  if (answer.text !== '') parts.push({ text: answer.text });
  if (answer.toolCall !== undefined)
    parts.push({ functionCall: { name: answer.toolCall.name, args: answer.toolCall.input } });
  return parts;
}

/**
 * A whole `generateContent` answer; `headers` (rate-limit headers, none for Gemini) are merged in.
 * @example renderGeminiAnswer(answer, {}).status // 200
 */
export function renderGeminiAnswer(answer: SimAnswer, headers: Record<string, string>): SimHttpReply {
  const parts = answerParts(answer);
  const body = {
    candidates: [
      {
        content: parts.length > 0 ? { parts, role: 'model' } : { role: 'model' },
        finishReason: finishReason(answer),
        index: 0,
      },
    ],
    usageMetadata: usage(answer),
    modelVersion: answer.model,
    responseId: geminiResponseId(answer.id),
  };
  return {
    status: 200,
    headers: { ...googleHeaders(JSON_CONTENT_TYPE), ...headers },
    body: `${JSON.stringify(body, null, 2)}\n`,
  };
}

/** Headers that open a streamed answer. */
export function geminiStreamHeaders(request?: SimParsedRequest): Record<string, string> {
  return {
    ...googleHeaders(request?.jsonArrayStream === true ? JSON_CONTENT_TYPE : SSE_CONTENT_TYPE),
    'content-disposition': 'attachment',
  };
}

function frame(chunk: unknown): string {
  return `data: ${JSON.stringify(chunk)}\r\n\r\n`;
}

/** Between two elements of a streamed JSON array, as Google writes it. */
export const JSON_ARRAY_SEPARATOR = '\n,\r\n';

/**
 * The chunks as one streamed JSON array. Each delta carries the separator after it, so whatever ends the
 * stream (the final chunk, an error element, or nothing) follows a complete prefix: `[`, `[{…}\n,\r\n`, …
 */
function asJsonArray(chunks: unknown[], final: unknown): SimStreamFrames {
  return {
    head: ['['],
    deltas: chunks.map((chunk) => JSON.stringify(chunk, null, 2) + JSON_ARRAY_SEPARATOR),
    tail: [`${JSON.stringify(final, null, 2)}\n]`],
  };
}

/**
 * A streamed answer: no head; one delta per text piece (and one for a function call, which Gemini
 * sends whole); the tail is the final chunk with an empty text part, the finishReason and usage.
 * A stream cut before the tail has no finishReason, which is how clients spot truncation.
 */
export function renderGeminiStream(answer: SimAnswer, request: SimParsedRequest): SimStreamFrames {
  const responseId = geminiResponseId(answer.id);
  const chunk = (parts: Part[], final: boolean): Record<string, unknown> => ({
    candidates: [
      { content: { parts, role: 'model' }, ...(final ? { finishReason: finishReason(answer) } : {}), index: 0 },
    ],
    usageMetadata: final ? usage(answer) : promptUsage(answer),
    modelVersion: answer.model,
    responseId,
  });
  const chunks = answer.textChunks.map((text) => chunk([{ text }], false));
  if (answer.toolCall !== undefined)
    chunks.push(chunk([{ functionCall: { name: answer.toolCall.name, args: answer.toolCall.input } }], false));
  const final = chunk([{ text: '' }], true);
  if (request.jsonArrayStream === true) return asJsonArray(chunks, final);
  return { head: [], deltas: chunks.map(frame), tail: [frame(final)] };
}

/**
 * `GET /v1beta/models`: Google's model list, one entry per configured model.
 * @example JSON.parse(renderGeminiModels(['gemini-2.5-flash']).body).models[0].name // 'models/gemini-2.5-flash'
 */
export function renderGeminiModels(models: readonly string[]): SimHttpReply {
  const body = {
    models: models.map((model) => ({
      name: `models/${model}`,
      version: '001',
      displayName: model,
      description: `Simulated ${model}`,
      inputTokenLimit: GEMINI_MAX_INPUT_TOKENS,
      outputTokenLimit: 65_536,
      supportedGenerationMethods: ['generateContent', 'countTokens'],
      temperature: 1,
      topP: 0.95,
      topK: 64,
      maxTemperature: 2,
      thinking: true,
    })),
  };
  return { status: 200, headers: googleHeaders(JSON_CONTENT_TYPE), body: `${JSON.stringify(body, null, 2)}\n` };
}
