/**
 * The last step of an AI request, when the engine threw: nothing to answer for a client that left, the end
 * of a stream already under way, or the error in the caller's dialect with the headers that say why.
 */
import { classifyFailure, sendDialectError, type GatewayResponse } from '../respond.js';
import type { Dialect } from '../dialect.js';

/** A 503 says no provider answered and the feature is degraded (x-failsoft-source is provider|fallback only). */
const UNAVAILABLE_HEADERS = { 'x-failsoft-provider': 'none', 'x-failsoft-degraded': 'true' };

/**
 * Answers a failed call: destroys the response when the client went away, ends it when the headers are
 * already out, else sends the dialect's error (503 with `retry-after` for an unavailable feature, 400/404 for
 * the caller's mistakes, 500 for anything else) with `x-request-id` and `x-failsoft-feature`.
 * @example try { … } catch (error) { mapFailure(dialect, res, error); }
 */
export function mapFailure(dialect: Dialect, res: GatewayResponse, error: unknown): void {
  if (res.clientGone?.aborted) return void res.destroy();
  if (res.headersSent) return void res.end();
  const failure = classifyFailure(error);
  const unavailable = failure.kind === 'unavailable';
  if (unavailable) res.provider = 'none';
  const headers = Object.assign(
    { 'x-failsoft-feature': res.feature ?? '' },
    unavailable ? UNAVAILABLE_HEADERS : {},
    failure.headers,
  );
  sendDialectError(dialect, res, failure.kind, failure.message, failure.param, headers);
}
