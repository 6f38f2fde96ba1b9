import { providerError, type ProviderError } from '../model/errors.js';
import { redactSecrets } from './redact-secrets.js';

/** Longest piece of the offending text quoted in a malformed-response message. */
const DETAIL_CHARS = 200;

/** Who answered with the malformed body or event. */
export interface MalformedSource {
  /** The wire protocol, first word of the message: `anthropic`, `openai`, `openai-compatible`, `gemini`. */
  protocol: string;
  /** The configured provider name. */
  provider: string;
  model?: string;
  /** Values that must never appear in a message (the API key). */
  secrets?: readonly (string | undefined)[];
}

/** Where the malformed text was: a whole answer (with its status) or one event of an accepted stream. */
export type MalformedPlace = { status: number } | { inStream: true };

/**
 * The one error for an answer that is not what the provider's API documents (not JSON, the wrong shape, an
 * oversized body, a stream event that does not parse): the provider misbehaved, so `server_error` (retry,
 * fail over, counts against the breaker), code `malformed_response`. Every adapter words it the same way:
 * `openai 'gpt': 200 malformed response body: not JSON: <html>…` or
 * `anthropic 'claude': malformed stream event: content_block_delta data is not JSON`.
 * @example throw malformedResponse({ protocol: 'gemini', provider: 'g', model }, { status: 200 }, 'not JSON: <html>');
 */
export function malformedResponse(
  source: MalformedSource,
  place: MalformedPlace,
  detail: string,
  cause?: unknown,
): ProviderError {
  const what = 'status' in place ? `${String(place.status)} malformed response body` : 'malformed stream event';
  const quoted = detail.length > DETAIL_CHARS ? `${detail.slice(0, DETAIL_CHARS)}…` : detail;
  return providerError({
    class: 'server_error',
    message: redactSecrets(`${source.protocol} '${source.provider}': ${what}: ${quoted}`, source.secrets),
    provider: source.provider,
    ...(source.model === undefined ? {} : { model: source.model }),
    ...('status' in place ? { status: place.status } : { status: 200, inStream: true }),
    code: 'malformed_response',
    ...(cause === undefined ? {} : { cause }),
  });
}
