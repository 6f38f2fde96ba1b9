import { z } from 'zod';

/**
 * Zod schemas of the Gemini (Generative Language API, v1beta) wire responses the adapter reads.
 * Field names follow `@google/genai`'s types. Only what the adapter uses is required; everything
 * else is optional so that a new field on Google's side never breaks parsing.
 */

/** A `functionCall` part: the model asks for a tool. */
export const geminiFunctionCallSchema = z.object({
  /** Present on some models; the adapter synthesises an id when it is absent. */
  id: z.string().optional(),
  name: z.string(),
  args: z.record(z.string(), z.unknown()).optional(),
});

/** One part of a candidate's content. */
export const geminiPartSchema = z.object({
  text: z.string().optional(),
  /** True for thought summaries (thinking models); never part of the answer text. */
  thought: z.boolean().optional(),
  thoughtSignature: z.string().optional(),
  functionCall: geminiFunctionCallSchema.optional(),
});

/** A candidate's content (role `model`). */
export const geminiContentSchema = z.object({
  role: z.string().optional(),
  /** Absent when the candidate has no content (e.g. MAX_TOKENS reached while thinking). */
  parts: z.array(geminiPartSchema).optional(),
});

/** One candidate answer; failsoft reads the first. */
export const geminiCandidateSchema = z.object({
  content: geminiContentSchema.optional(),
  finishReason: z.string().optional(),
  finishMessage: z.string().optional(),
  index: z.number().optional(),
});

/** `usageMetadata`; in a stream each chunk carries the running totals. */
export const geminiUsageSchema = z.object({
  promptTokenCount: z.number().optional(),
  candidatesTokenCount: z.number().optional(),
  thoughtsTokenCount: z.number().optional(),
  toolUsePromptTokenCount: z.number().optional(),
  totalTokenCount: z.number().optional(),
});

/** Why a prompt was refused before any candidate. */
export const geminiPromptFeedbackSchema = z.object({
  blockReason: z.string().optional(),
  blockReasonMessage: z.string().optional(),
});

/** `GenerateContentResponse`: a whole answer, or one chunk of a streamed answer. */
export const geminiResponseSchema = z.object({
  candidates: z.array(geminiCandidateSchema).optional(),
  promptFeedback: geminiPromptFeedbackSchema.optional(),
  usageMetadata: geminiUsageSchema.optional(),
  modelVersion: z.string().optional(),
  responseId: z.string().optional(),
});

/** One entry of `error.details` (google.rpc types, discriminated by `@type`). */
export const geminiErrorDetailSchema = z.looseObject({
  '@type': z.string().optional(),
  /** google.rpc.ErrorInfo */
  reason: z.string().optional(),
  domain: z.string().optional(),
  /** google.rpc.RetryInfo, a protobuf Duration such as `37s` or `0.500s`. */
  retryDelay: z.string().optional(),
  /** google.rpc.QuotaFailure */
  violations: z
    .array(
      z.looseObject({
        quotaMetric: z.string().optional(),
        quotaId: z.string().optional(),
        quotaValue: z.union([z.string(), z.number()]).optional(),
      }),
    )
    .optional(),
});

/** The error body of every failed call, and of an error inside a stream. */
export const geminiErrorBodySchema = z.object({
  error: z.object({
    code: z.number().optional(),
    message: z.string().optional(),
    status: z.string().optional(),
    details: z.array(geminiErrorDetailSchema).optional(),
  }),
});

export type GeminiPart = z.infer<typeof geminiPartSchema>;
export type GeminiResponse = z.infer<typeof geminiResponseSchema>;
export type GeminiUsage = z.infer<typeof geminiUsageSchema>;
export type GeminiErrorBody = z.infer<typeof geminiErrorBodySchema>;
export type GeminiErrorDetail = z.infer<typeof geminiErrorDetailSchema>;

/** What the adapter sends: `GenerateContentRequest` (only the fields failsoft uses). */
export interface GeminiRequestBody {
  contents: GeminiRequestContent[];
  systemInstruction?: { parts: { text: string }[] };
  tools?: { functionDeclarations: GeminiFunctionDeclaration[] }[];
  toolConfig?: { functionCallingConfig: { mode: 'AUTO' | 'ANY' | 'NONE'; allowedFunctionNames?: string[] } };
  generationConfig?: {
    maxOutputTokens?: number;
    temperature?: number;
    topP?: number;
    stopSequences?: string[];
    responseMimeType?: 'application/json';
    responseJsonSchema?: Record<string, unknown>;
  };
}

export interface GeminiRequestContent {
  role: 'user' | 'model';
  parts: GeminiRequestPart[];
}

export type GeminiRequestPart =
  | { text: string }
  | { inlineData: { mimeType: string; data: string } }
  | { fileData: { mimeType: string; fileUri: string } }
  | { functionCall: { name: string; args: Record<string, unknown>; id?: string }; thoughtSignature?: string }
  | { functionResponse: { name: string; response: Record<string, unknown> } };

export interface GeminiFunctionDeclaration {
  name: string;
  description?: string;
  /** Full JSON Schema (the API's `parametersJsonSchema`, unlike the OpenAPI subset in `parameters`). */
  parametersJsonSchema: Record<string, unknown>;
}
