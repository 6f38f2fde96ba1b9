import { mediaTypeFromUrl } from '../../model/image-validation.js';
import {
  contentText,
  isInlineImage,
  type ContentPart,
  type GenerateRequest,
  type ImagePart,
  type Message,
  type ToolChoice,
} from '../../model/message.js';
import type { GeminiRequestBody, GeminiRequestContent, GeminiRequestPart } from './gemini-api.js';

/**
 * The sentinel Google documents for replayed function calls that have no thought signature
 * (https://ai.google.dev/gemini-api/docs/thought-signatures). Gemini 3 rejects replayed
 * `functionCall` parts without a signature with a 400; the canonical model carries no signature.
 */
export const SKIP_THOUGHT_SIGNATURE = 'skip_thought_signature_validator';

/** Ids the adapter synthesises for Gemini tool calls, which have none on the wire. */
const SYNTHETIC_CALL_ID = /^call_\d+_/;

/**
 * A stable id for the `index`-th function call of an answer (Gemini sends no ids).
 * @example syntheticToolCallId(0, 'get_weather') // 'call_0_get_weather'
 */
export function syntheticToolCallId(index: number, name: string): string {
  return `call_${index}_${name}`;
}

/** Options that depend on the endpoint and the model rather than on the request. */
export interface ToGeminiOptions {
  model: string;
  /** Output cap when the request gives none (Gemini does not require one; omitted when undefined). */
  defaultMaxOutputTokens?: number;
}

/**
 * Translates a canonical request into Gemini's `GenerateContentRequest` body.
 * @example toGeminiRequest({ messages: [{ role: 'user', content: 'Hi' }] }, { model: 'gemini-2.5-flash' })
 */
export function toGeminiRequest(request: GenerateRequest, options: ToGeminiOptions): GeminiRequestBody {
  const systemTexts: string[] = [];
  if (request.system !== undefined && request.system !== '') systemTexts.push(request.system);
  const contents: GeminiRequestContent[] = [];
  const needsSignature = requiresThoughtSignature(options.model);

  request.messages.forEach((message, index) => {
    if (message.role === 'system') {
      const text = contentText(message.content);
      if (text !== '') systemTexts.push(text);
      return;
    }
    const role = message.role === 'assistant' ? 'model' : 'user';
    const parts = toParts(message, request.messages.slice(0, index), needsSignature);
    if (parts.length === 0) return;
    const previous = contents[contents.length - 1];
    // Consecutive turns of one role become one content: parallel tool results must share a turn.
    if (previous !== undefined && previous.role === role) previous.parts.push(...parts);
    else contents.push({ role, parts });
  });

  const body: GeminiRequestBody = { contents };
  if (systemTexts.length > 0) body.systemInstruction = { parts: systemTexts.map((text) => ({ text })) };
  if (request.tools !== undefined && request.tools.length > 0) {
    body.tools = [
      {
        functionDeclarations: request.tools.map((tool) => ({
          name: tool.name,
          ...(tool.description === undefined ? {} : { description: tool.description }),
          parametersJsonSchema: tool.inputSchema,
        })),
      },
    ];
    if (request.toolChoice !== undefined)
      body.toolConfig = { functionCallingConfig: toFunctionCallingConfig(request.toolChoice) };
  }
  const generationConfig: NonNullable<GeminiRequestBody['generationConfig']> = {};
  const maxOutputTokens = request.maxOutputTokens ?? options.defaultMaxOutputTokens;
  if (maxOutputTokens !== undefined) generationConfig.maxOutputTokens = maxOutputTokens;
  if (request.temperature !== undefined) generationConfig.temperature = request.temperature;
  if (request.topP !== undefined) generationConfig.topP = request.topP;
  if (request.stopSequences !== undefined && request.stopSequences.length > 0)
    generationConfig.stopSequences = request.stopSequences;
  if (request.responseFormat !== undefined) {
    // JSON mode; the schema goes as JSON Schema (responseJsonSchema), not Google's OpenAPI subset (responseSchema).
    generationConfig.responseMimeType = 'application/json';
    if (request.responseFormat.schema !== undefined)
      generationConfig.responseJsonSchema = request.responseFormat.schema;
  }
  if (Object.keys(generationConfig).length > 0) body.generationConfig = generationConfig;
  return body;
}

function toParts(message: Message, earlier: readonly Message[], needsSignature: boolean): GeminiRequestPart[] {
  if (typeof message.content === 'string') return message.content === '' ? [] : [{ text: message.content }];
  const parts: GeminiRequestPart[] = [];
  for (const part of message.content) {
    if (part.type === 'text') {
      if (part.text !== '') parts.push({ text: part.text });
    } else if (part.type === 'tool-call') {
      const functionCall: { name: string; args: Record<string, unknown>; id?: string } = {
        name: part.name,
        args: asArgs(part.input),
      };
      // Ids the API itself issued go back; the ones failsoft made up mean nothing to Google.
      if (!SYNTHETIC_CALL_ID.test(part.id)) functionCall.id = part.id;
      parts.push(needsSignature ? { functionCall, thoughtSignature: SKIP_THOUGHT_SIGNATURE } : { functionCall });
    } else if (part.type === 'image') {
      parts.push(geminiImagePart(part));
    } else {
      const name = part.name ?? findCallName(part.toolCallId, earlier) ?? part.toolCallId;
      const response = part.isError === true ? { error: part.content } : { output: part.content };
      parts.push({ functionResponse: { name, response } });
    }
  }
  return parts;
}

/**
 * An image as Gemini takes it: bytes as `inlineData`; a URL as `fileData`, which Gemini fetches (public
 * and signed https URLs since January 2026, besides its own Files API URIs). `fileData` requires a
 * `mimeType`: the part's, else the one its extension implies; `geminiCannotTake` keeps URLs without one away.
 */
export function geminiImagePart(part: ImagePart): GeminiRequestPart {
  if (isInlineImage(part)) return { inlineData: { mimeType: part.mediaType, data: part.data } };
  const mimeType = part.mediaType ?? mediaTypeFromUrl(part.url);
  if (mimeType === undefined)
    throw new TypeError(`Gemini needs the media type of the image at ${part.url}; give the part a mediaType`);
  return { fileData: { mimeType, fileUri: part.url } };
}

/**
 * Why a Gemini entry cannot take this request, or undefined when it can: an image URL whose media type is
 * neither given nor implied by its extension (Gemini's `fileData.mimeType` is required).
 */
export function geminiCannotTake(request: GenerateRequest): string | undefined {
  for (const message of request.messages) {
    if (typeof message.content === 'string') continue;
    for (const part of message.content) {
      if (
        part.type === 'image' &&
        !isInlineImage(part) &&
        part.mediaType === undefined &&
        mediaTypeFromUrl(part.url) === undefined
      ) {
        return "Gemini needs an image URL's media type (none given, and the URL has no .png/.jpg/.gif/.webp extension)";
      }
    }
  }
  return undefined;
}

/** The name of the tool call with this id, searching earlier assistant messages (latest first). */
function findCallName(toolCallId: string, earlier: readonly Message[]): string | undefined {
  for (let i = earlier.length - 1; i >= 0; i--) {
    const content = earlier[i]?.content;
    if (typeof content === 'string' || content === undefined) continue;
    const call = content.find(
      (p): p is Extract<ContentPart, { type: 'tool-call' }> => p.type === 'tool-call' && p.id === toolCallId,
    );
    if (call !== undefined) return call.name;
  }
  const synthetic = /^call_\d+_(.+)$/.exec(toolCallId);
  return synthetic?.[1];
}

function toFunctionCallingConfig(choice: ToolChoice): {
  mode: 'AUTO' | 'ANY' | 'NONE';
  allowedFunctionNames?: string[];
} {
  if (choice === 'auto') return { mode: 'AUTO' };
  if (choice === 'none') return { mode: 'NONE' };
  if (choice === 'required') return { mode: 'ANY' };
  return { mode: 'ANY', allowedFunctionNames: [choice.name] };
}

function asArgs(input: unknown): Record<string, unknown> {
  return typeof input === 'object' && input !== null && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
}

/**
 * Gemini 3 and later validate thought signatures on replayed function calls; the `-latest` aliases
 * follow the newest family, so they are treated the same way.
 */
function requiresThoughtSignature(model: string): boolean {
  return /^(?:models\/)?gemini-(?:(?:[3-9]|\d{2,})(?:[.-]|$)|[a-z-]+-latest$)/.test(model);
}
