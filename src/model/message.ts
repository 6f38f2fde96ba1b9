/**
 * Canonical conversation types: what every provider adapter translates to and from.
 * Modelled on the AI SDK's provider spec: plain data, discriminated unions, no I/O.
 */

/** A piece of text in a message. */
export interface TextPart {
  type: 'text';
  text: string;
}

/** A tool call the assistant made; `input` is the parsed JSON arguments. */
export interface ToolCallPart {
  type: 'tool-call';
  id: string;
  name: string;
  input: unknown;
}

/** The result of a tool call, sent back by the caller in a `tool` message. */
export interface ToolResultPart {
  type: 'tool-result';
  toolCallId: string;
  /** Tool name; Gemini needs it to pair a result with its call. */
  name?: string;
  content: string;
  isError?: boolean;
}

/**
 * The image media types failsoft passes on: the four every supported provider accepts (Anthropic's list,
 * which OpenAI and Gemini include), so an image request can fail over to any entry of its route.
 */
export const IMAGE_MEDIA_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;
export type ImageMediaType = (typeof IMAGE_MEDIA_TYPES)[number];

/** An image sent in the request itself: base64 bytes (no `data:` prefix) and their media type. */
export interface InlineImagePart {
  type: 'image';
  mediaType: ImageMediaType;
  /** Base64 (standard alphabet, padded) of the image bytes. */
  data: string;
}

/**
 * An image the provider fetches from an http(s) URL. `mediaType` is optional (an OpenAI `image_url` has
 * none), but Gemini needs one: without it, and without a known file extension, Gemini entries cannot take it.
 */
export interface UrlImagePart {
  type: 'image';
  url: string;
  mediaType?: ImageMediaType;
}

/** An image in a user message, inline or by URL. Tell them apart with `isInlineImage`. */
export type ImagePart = InlineImagePart | UrlImagePart;

export type ContentPart = TextPart | ToolCallPart | ToolResultPart | ImagePart;

/** What an assistant answer may contain. */
export type AnswerPart = TextPart | ToolCallPart;

export type Role = 'system' | 'user' | 'assistant' | 'tool';

/**
 * One message. `system` messages inside `messages` are merged into the request's system prompt by
 * adapters whose wire format has a single top-level system field (Anthropic, Gemini).
 */
export interface Message {
  role: Role;
  /** Image parts are allowed in `user` messages only. */
  content: string | ContentPart[];
}

/** A tool the model may call; `inputSchema` is a JSON Schema object. */
export interface ToolDefinition {
  name: string;
  description?: string;
  inputSchema: Record<string, unknown>;
}

export type ToolChoice = 'auto' | 'none' | 'required' | { type: 'tool'; name: string };

/** A provider-neutral generation request. */
export interface GenerateRequest {
  messages: Message[];
  /** System prompt; combined with any `system` messages. */
  system?: string;
  /** Upper bound on output tokens; adapters apply a default when absent (Anthropic requires one). */
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  stopSequences?: string[];
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  /** Ask for a JSON answer (the text is JSON); absent means plain text. */
  responseFormat?: ResponseFormat;
}

/**
 * JSON mode: the answer's text is a JSON object, matching `schema` when one is given (a JSON Schema whose
 * root is an object). OpenAI gets `response_format`, Gemini `responseMimeType` + `responseJsonSchema`;
 * Anthropic, which has no JSON mode, gets a forced tool whose input is the answer, turned back into text.
 */
export interface ResponseFormat {
  type: 'json';
  schema?: Record<string, unknown>;
  /** Name of the schema (OpenAI requires one; default `response`). */
  name?: string;
  description?: string;
  /** OpenAI strict structured outputs. */
  strict?: boolean;
}

/** Returns the text of a message's content, joining text parts. */
export function contentText(content: string | readonly ContentPart[]): string {
  if (typeof content === 'string') return content;
  let out = '';
  for (const part of content) if (part.type === 'text') out += part.text;
  return out;
}

/** True for an image given inline (base64 bytes), false for one given by URL. */
export function isInlineImage(part: ImagePart): part is InlineImagePart {
  return 'data' in part;
}
