import { z } from 'zod';

/**
 * Zod schemas of what failsoft reads from the Anthropic Messages API (responses, stream events,
 * error bodies). Unknown fields are ignored; unknown content-block, delta and event types are
 * tolerated (Anthropic adds them over time), but a known type with the wrong shape fails.
 */

const count = z.number().int().nonnegative();

export const anthropicTextBlockSchema = z.object({ type: z.literal('text'), text: z.string() });
export const anthropicToolUseBlockSchema = z.object({
  type: z.literal('tool_use'),
  id: z.string(),
  name: z.string(),
  input: z.unknown(),
});
/** A block of a type failsoft does not translate (thinking, server tool results, …). */
const otherBlockSchema = z.looseObject({ type: z.string().refine((type) => type !== 'text' && type !== 'tool_use') });

export const anthropicContentBlockSchema = z.union([
  anthropicTextBlockSchema,
  anthropicToolUseBlockSchema,
  otherBlockSchema,
]);

export const anthropicUsageSchema = z.object({
  input_tokens: count,
  output_tokens: count,
  cache_creation_input_tokens: count.nullish(),
  cache_read_input_tokens: count.nullish(),
});

/** A whole non-streamed answer. */
export const anthropicMessageSchema = z.object({
  id: z.string(),
  type: z.literal('message'),
  role: z.literal('assistant'),
  model: z.string(),
  content: z.array(anthropicContentBlockSchema),
  stop_reason: z.string().nullable(),
  stop_sequence: z.string().nullish(),
  usage: anthropicUsageSchema,
});
export type AnthropicMessage = z.infer<typeof anthropicMessageSchema>;
export type AnthropicContentBlock = z.infer<typeof anthropicContentBlockSchema>;
export type AnthropicTextBlock = z.infer<typeof anthropicTextBlockSchema>;
export type AnthropicToolUseBlock = z.infer<typeof anthropicToolUseBlockSchema>;

/** The `error` object of an error body or an in-stream `error` event. */
export const anthropicErrorObjectSchema = z.object({
  type: z.string(),
  message: z.string(),
  details: z.looseObject({ error_code: z.string().optional() }).nullish(),
});

/** `{"type":"error","error":{…},"request_id":"req_…"}` */
export const anthropicErrorBodySchema = z.object({
  type: z.literal('error'),
  error: anthropicErrorObjectSchema,
  request_id: z.string().nullish(),
});
export type AnthropicErrorBody = z.infer<typeof anthropicErrorBodySchema>;

// Stream events. `message_start.message.usage.input_tokens` and the cumulative
// `message_delta.usage.output_tokens` carry the usage.

export const messageStartSchema = z.object({
  type: z.literal('message_start'),
  message: z.object({
    id: z.string(),
    model: z.string(),
    usage: z.object({
      input_tokens: count,
      output_tokens: count.nullish(),
      cache_creation_input_tokens: count.nullish(),
      cache_read_input_tokens: count.nullish(),
    }),
  }),
});

export const contentBlockStartSchema = z.object({
  type: z.literal('content_block_start'),
  index: count,
  content_block: anthropicContentBlockSchema,
});

export const textDeltaSchema = z.object({ type: z.literal('text_delta'), text: z.string() });
export const inputJsonDeltaSchema = z.object({ type: z.literal('input_json_delta'), partial_json: z.string() });
export type AnthropicTextDelta = z.infer<typeof textDeltaSchema>;
export type AnthropicInputJsonDelta = z.infer<typeof inputJsonDeltaSchema>;

export const contentBlockDeltaSchema = z.object({
  type: z.literal('content_block_delta'),
  index: count,
  delta: z.union([
    textDeltaSchema,
    inputJsonDeltaSchema,
    z.looseObject({ type: z.string().refine((type) => type !== 'text_delta' && type !== 'input_json_delta') }),
  ]),
});

export const contentBlockStopSchema = z.object({ type: z.literal('content_block_stop'), index: count });

export const messageDeltaSchema = z.object({
  type: z.literal('message_delta'),
  delta: z.object({ stop_reason: z.string().nullish(), stop_sequence: z.string().nullish() }),
  usage: z.object({
    output_tokens: count,
    input_tokens: count.nullish(),
    cache_creation_input_tokens: count.nullish(),
    cache_read_input_tokens: count.nullish(),
  }),
});

export const streamErrorSchema = z.object({ type: z.literal('error'), error: anthropicErrorObjectSchema });
