import { createHash } from 'node:crypto';

/**
 * Headers generativelanguage.googleapis.com puts on its answers (Google's front end): no request id,
 * no rate-limit headers, `server: scaffolding on HTTPServer2` and the usual security headers.
 */

export const JSON_CONTENT_TYPE = 'application/json; charset=UTF-8';
export const SSE_CONTENT_TYPE = 'text/event-stream';

/** Headers of every Gemini answer, with the given content type. */
export function googleHeaders(contentType: string): Record<string, string> {
  return {
    'content-type': contentType,
    vary: 'Origin, X-Origin, Referer',
    server: 'scaffolding on HTTPServer2',
    'x-xss-protection': '0',
    'x-frame-options': 'SAMEORIGIN',
    'x-content-type-options': 'nosniff',
    'server-timing': 'gfet4t7; dur=1',
  };
}

/**
 * A `responseId` shaped like Gemini's (23 URL-safe base64 characters), stable for an answer id.
 * @example geminiResponseId('0a1b2c3d4e5f6789').length // 23
 */
export function geminiResponseId(answerId: string): string {
  return createHash('sha256').update(answerId).digest('base64url').slice(0, 23);
}
