import { z } from 'zod';

/**
 * The OpenAI Chat Completions wire format: the request we send (types) and zod schemas of what we
 * read back (answers, stream chunks, error bodies). Schemas are lenient about extra and missing
 * optional fields, because OpenAI-compatible vendors differ in the details.
 */

/** A tool call as it travels on the wire (arguments are a JSON string). */
export interface OpenAIWireToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** A user message's content part: text, or an image by URL (`data:` URLs carry base64 bytes). */
export type OpenAIWireUserPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };

export type OpenAIWireMessage =
  | { role: 'system' | 'developer'; content: string }
  | { role: 'user'; content: string | OpenAIWireUserPart[] }
  | { role: 'assistant'; content: string | null; tool_calls?: OpenAIWireToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string };

export type OpenAIWireToolChoice = 'auto' | 'none' | 'required' | { type: 'function'; function: { name: string } };

/** The body of `POST /chat/completions` as failsoft sends it. */
export interface OpenAIChatRequest {
  model: string;
  messages: OpenAIWireMessage[];
  max_completion_tokens?: number;
  max_tokens?: number;
  temperature?: number;
  top_p?: number;
  stop?: string[];
  tools?: Array<{
    type: 'function';
    function: { name: string; description?: string; parameters: Record<string, unknown> };
  }>;
  tool_choice?: OpenAIWireToolChoice;
  stream?: true;
  stream_options?: { include_usage: boolean };
  response_format?: OpenAIWireResponseFormat;
}

/** JSON mode on the wire: a JSON object of the model's choosing, or one matching a named schema. */
export type OpenAIWireResponseFormat =
  | { type: 'json_object' }
  | {
      type: 'json_schema';
      json_schema: { name: string; schema: Record<string, unknown>; description?: string; strict?: boolean };
    };

export const openaiUsageSchema = z.object({
  prompt_tokens: z.number(),
  completion_tokens: z.number(),
  total_tokens: z.number().optional(),
});

const toolCallSchema = z.object({
  id: z.string(),
  type: z.string().optional(),
  function: z.object({ name: z.string(), arguments: z.string().nullish() }),
});

/** A non-streamed `chat.completion`. */
export const chatCompletionSchema = z.object({
  id: z.string().optional(),
  model: z.string().optional(),
  choices: z
    .array(
      z.object({
        index: z.number().optional(),
        message: z.object({
          content: z.string().nullish(),
          refusal: z.string().nullish(),
          tool_calls: z.array(toolCallSchema).nullish(),
        }),
        finish_reason: z.string().nullish(),
      }),
    )
    .min(1),
  usage: openaiUsageSchema.nullish(),
});

export type ChatCompletion = z.infer<typeof chatCompletionSchema>;

const toolCallDeltaSchema = z.object({
  index: z.number().int().optional(),
  id: z.string().nullish(),
  type: z.string().nullish(),
  function: z.object({ name: z.string().nullish(), arguments: z.string().nullish() }).nullish(),
});

/** One `chat.completion.chunk` of a stream. */
export const chatCompletionChunkSchema = z.object({
  id: z.string().optional(),
  model: z.string().optional(),
  choices: z
    .array(
      z.object({
        index: z.number().optional(),
        delta: z
          .object({
            content: z.string().nullish(),
            refusal: z.string().nullish(),
            tool_calls: z.array(toolCallDeltaSchema).nullish(),
          })
          .nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .nullish(),
  usage: openaiUsageSchema.nullish(),
});

export type ChatCompletionChunk = z.infer<typeof chatCompletionChunkSchema>;

/** The inner object of `{"error": {message, type, param, code}}`. */
export const openaiErrorSchema = z.object({
  message: z.string().nullish(),
  type: z.string().nullish(),
  param: z.string().nullish(),
  code: z.union([z.string(), z.number()]).nullish(),
});

export type OpenAIError = z.infer<typeof openaiErrorSchema>;
