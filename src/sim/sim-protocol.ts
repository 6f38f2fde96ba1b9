import type { IncomingHttpHeaders } from 'node:http';
import type { RateLimitSnapshot } from '../model/errors.js';

/**
 * The contract between the simulator's core (HTTP server, faults, limits, stats, pacing) and one
 * provider's wire protocol. A protocol module is pure rendering: it parses and validates requests
 * the way the real API does and renders answers, errors, faults and stream frames byte-faithfully.
 * The core owns timing, randomness, token buckets and sockets.
 */

export type SimProtocolName = 'anthropic' | 'openai' | 'gemini';

/** A fully rendered HTTP answer. `body` is the exact bytes to send (JSON text for these APIs). */
export interface SimHttpReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Which operation a path names. */
export type SimRoute =
  | { operation: 'generate'; model?: string }
  /** `jsonArray`: Gemini's `streamGenerateContent` without `alt=sse`, answered as one streamed JSON array. */
  | { operation: 'stream'; model?: string; jsonArray?: boolean }
  | { operation: 'list-models' };

/** A tool the request declared, reduced to what answer derivation needs. */
export interface SimTool {
  name: string;
  /** JSON Schema of the tool's input, if given. */
  inputSchema?: Record<string, unknown>;
}

/** A valid request, reduced to what the core needs to derive a deterministic answer. */
export interface SimParsedRequest {
  model: string;
  stream: boolean;
  /** Input tokens counted at ≈ 4 characters a token over all text, tool results and tool schemas. */
  inputTokens: number;
  /** The request's output cap (max_tokens / max_completion_tokens / maxOutputTokens), or the provider default. */
  maxOutputTokens: number;
  /** OpenAI `stream_options.include_usage`. */
  includeUsage: boolean;
  /** Text of the last user message (what the answer echoes). */
  lastUserText: string;
  /** True when the last message carries tool results (the answer is then plain text). */
  lastIsToolResult: boolean;
  /** Images in the last user message (the answer says how many it saw); absent means none. */
  images?: number;
  tools: SimTool[];
  /** `auto` lets the core decide, `required` forces some tool, a name forces that tool, `none` forbids. */
  toolChoice: 'auto' | 'none' | 'required' | { name: string };
  /** Gemini `streamGenerateContent` without `alt=sse`: the stream is one JSON array, written element by element. */
  jsonArrayStream?: boolean;
  /**
   * JSON mode (OpenAI `response_format` json_object / json_schema, Gemini `responseMimeType:
   * application/json`): present means a text answer is JSON text. `schema` is the JSON Schema (or
   * Gemini's OpenAPI-style Schema, upper-case types allowed) the value is built from; without it
   * the answer is `{"reply": …}`.
   */
  json?: { schema?: Record<string, unknown> };
}

/** The deterministic answer the core derived for a request. */
export interface SimAnswer {
  /** Stable id fragment derived from the request (protocols add their prefix: msg_, chatcmpl-, …). */
  id: string;
  model: string;
  /** Unix seconds at the time of the answer (OpenAI `created`). */
  created: number;
  /** The text split into the deltas a stream sends (join = full text). Empty for a pure tool call. */
  textChunks: string[];
  text: string;
  toolCall?: { id: string; name: string; input: Record<string, unknown> };
  inputTokens: number;
  outputTokens: number;
  /** end: natural end; max_tokens: cut at the cap; tool_use: stopped to call a tool. */
  stop: 'end' | 'max_tokens' | 'tool_use';
}

/**
 * A stream rendered as SSE frames (each a complete `event:`/`data:` block ending in a blank line).
 * The core writes `head`, then `deltas` (pausing the configured delay between them), then `tail`.
 * Faults cut in between: `mid_stream_error` writes `head`, the first N deltas, then `errorFrame`;
 * `truncated_stream` writes `head` and the first N deltas, then ends without `tail`.
 */
export interface SimStreamFrames {
  head: string[];
  deltas: string[];
  tail: string[];
}

/** Fault kinds that are answered with an HTTP error (the rest are handled by the core). */
export type SimHttpFaultKind =
  | 'overloaded'
  | 'rate_limited'
  | 'quota_exhausted'
  | 'server_error'
  | 'auth'
  | 'bad_request'
  | 'context_length';

/** Everything a fault rendering may need. */
export interface SimFaultContext {
  model: string;
  /** Seconds the rule asks clients to wait; protocols put it where their provider does. */
  retryAfterS?: number;
  inputTokens: number;
}

/** Which token bucket refused a request. */
export type SimLimitDimension = 'requests' | 'input_tokens' | 'output_tokens' | 'tokens';

/** The state of a provider's buckets, for rate-limit headers and 429 bodies. */
export interface SimLimitContext {
  model: string;
  snapshot: RateLimitSnapshot;
}

export interface SimOverLimit extends SimLimitContext {
  dimension: SimLimitDimension;
  limit: number;
  /** What the request needed from that bucket. */
  requested: number;
  /** Milliseconds until the bucket holds enough again. */
  retryAfterMs: number;
}

/** Request data as the core saw it, minus the `/{name}` prefix. */
export interface SimRequestInfo {
  method: string;
  /** Path after the provider prefix, e.g. `/v1/messages`, without the query string. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
}

export interface SimProtocol {
  readonly protocol: SimProtocolName;
  /**
   * What the provider's own SDK base URL carries after the host, e.g. `/v1` for OpenAI (whose SDK and
   * every OpenAI-compatible client append `/chat/completions` to it). `urlFor` adds it, so its answer
   * works as an SDK `baseURL` and as a failsoft provider `baseUrl` alike. Default none.
   */
  readonly sdkBasePath?: string;
  /** Maps method + path to an operation, or renders the provider's own 404/405. */
  route(info: SimRequestInfo): SimRoute | SimHttpReply;
  /**
   * Checks credentials the way the provider does. `acceptedKey` undefined accepts any non-empty key;
   * otherwise only that key. Returns the provider's own auth error, or undefined when accepted.
   */
  authenticate(info: SimRequestInfo, acceptedKey: string | undefined): SimHttpReply | undefined;
  /** Parses and validates the body; malformed JSON and missing fields get the provider's 4xx. */
  parse(route: SimRoute & { operation: 'generate' | 'stream' }, body: string): SimParsedRequest | SimHttpReply;
  /** `GET …/models` (OpenAI); other protocols may render a 404. */
  listModels(models: readonly string[]): SimHttpReply;
  /** A whole non-streamed answer (status 200). `headers` already holds rate-limit headers to merge. */
  renderAnswer(answer: SimAnswer, headers: Record<string, string>): SimHttpReply;
  /** Headers that start a streamed answer (content-type etc.), before rate-limit headers are merged. */
  streamHeaders(request?: SimParsedRequest): Record<string, string>;
  /** A streamed answer as frames. */
  renderStream(answer: SimAnswer, request: SimParsedRequest): SimStreamFrames;
  /** The provider's in-stream error frame (Anthropic `event: error`, OpenAI `data: {"error"…}`, Gemini raw JSON tail). */
  renderStreamError(model: string, request?: SimParsedRequest): string;
  /** The provider's HTTP answer for a fault kind: status, body and headers exactly as it sends them. */
  renderFault(kind: SimHttpFaultKind, context: SimFaultContext): SimHttpReply;
  /** Rate-limit headers sent on every answer while limits are configured (none for Gemini). */
  rateLimitHeaders(context: SimLimitContext): Record<string, string>;
  /** The provider's genuine 429 for a request over its limits, headers included. */
  renderOverLimit(context: SimOverLimit): SimHttpReply;
  /**
   * Optional: the provider's answer to a body over the size limit (32 MB), e.g. Anthropic's 413
   * `request_too_large`. Without it the core sends `renderFault('bad_request', …)`.
   */
  renderBodyTooLarge?(): SimHttpReply;
}
