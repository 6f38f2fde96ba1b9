import { z } from 'zod';
import { RequestError } from '../model/errors.js';
import type { GenerateRequest } from '../model/message.js';
import { findImageIssue } from '../model/image-validation.js';
import { zodIssues } from '../model/validation.js';

const textPart = z.strictObject({ type: z.literal('text'), text: z.string() });
const toolCallPart = z.strictObject({
  type: z.literal('tool-call'),
  id: z.string().min(1),
  name: z.string().min(1),
  input: z.unknown(),
});
const toolResultPart = z.strictObject({
  type: z.literal('tool-result'),
  toolCallId: z.string().min(1),
  name: z.string().optional(),
  content: z.string(),
  isError: z.boolean().optional(),
});

// Its shape only; `findImageIssue` then checks the media type, the base64, the size and the role.
const imagePart = z.strictObject({
  type: z.literal('image'),
  mediaType: z.string().optional(),
  data: z.string().optional(),
  url: z.string().optional(),
});

const messageSchema = z.strictObject({
  role: z.enum(['system', 'user', 'assistant', 'tool']),
  content: z.union([
    z.string(),
    z.array(z.discriminatedUnion('type', [textPart, toolCallPart, toolResultPart, imagePart])),
  ]),
});

/** The canonical request as callers of `generate`/`stream` may send it (plus per-call options). */
export const generateRequestSchema = z.looseObject({
  messages: z.array(messageSchema).min(1, 'at least one message is required'),
  system: z.string().optional(),
  maxOutputTokens: z.number().int().positive().optional(),
  temperature: z.number().min(0).max(2).optional(),
  topP: z.number().gt(0).max(1).optional(),
  stopSequences: z.array(z.string()).optional(),
  tools: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        description: z.string().optional(),
        inputSchema: z.record(z.string(), z.unknown()),
      }),
    )
    .optional(),
  toolChoice: z
    .union([z.enum(['auto', 'none', 'required']), z.strictObject({ type: z.literal('tool'), name: z.string().min(1) })])
    .optional(),
  responseFormat: z
    .strictObject({
      type: z.literal('json'),
      schema: z
        .record(z.string(), z.unknown())
        .refine((s) => s['type'] === 'object', 'the root of a JSON answer schema must be { "type": "object" }')
        .optional(),
      name: z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and -, at most 64')
        .optional(),
      description: z.string().optional(),
      strict: z.boolean().optional(),
    })
    .optional(),
});

/**
 * Validates a library caller's request at the boundary; throws `RequestError` naming the bad field.
 * @example assertGenerateRequest('summary', { messages: [{ role: 'user', content: 'hi' }] })
 */
export function assertGenerateRequest(feature: string, request: unknown): asserts request is GenerateRequest {
  const parsed = generateRequestSchema.safeParse(request);
  if (parsed.success) {
    const image = findImageIssue(parsed.data.messages as GenerateRequest['messages']);
    if (image === undefined) return;
    const path = `request.${image.path}`;
    throw new RequestError({ feature, path, message: `${path}: ${image.message}` });
  }
  const first = zodIssues(parsed.error, 'request')[0];
  const path = first?.path ?? 'request';
  throw new RequestError({ feature, path, message: `${path}: ${first?.message ?? 'invalid request'}` });
}
