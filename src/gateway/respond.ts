/**
 * How the gateway writes answers: JSON bodies, the headers that say who answered, stream frames coalesced into
 * one socket write per turn, waiting for a slow client to drain, and the engine's errors as dialect error kinds.
 */
import { type IncomingMessage, ServerResponse } from 'node:http';
import type { CancelSource } from '../model/cancel-signal.js';
import {
  AIUnavailableError,
  FailsoftError,
  RequestError,
  TierError,
  UnknownFeatureError,
  retryAfterSeconds,
} from '../model/errors.js';
import type { Dialect, GatewayErrorKind } from './dialect.js';

/**
 * The gateway's response: node:http makes one per request (`createServer({ ServerResponse })`), so what the
 * request steps learn rides on it at the cost of a field store, not an allocation. The steps note who
 * answered as they write the headers saying so; the access log reads these slots when the response closes.
 */
export class GatewayResponse extends ServerResponse<IncomingMessage> {
  /** The request id the answer carries (`x-request-id`): set on the AI routes only. */
  requestId: string | undefined = undefined;
  /** The feature called (`x-failsoft-feature`), once the call is known to name one the caller may use. */
  feature: string | undefined = undefined;
  /** Who answered (`x-failsoft-provider`): a provider, or `none` for a fallback or an unavailable feature. */
  provider: string | undefined = undefined;
  /** Where the answer came from (`x-failsoft-source`): `provider` or `fallback`. */
  source: string | undefined = undefined;
  /** Cancelled when the client goes away before the answer ended (see steps/cancel-on-disconnect.ts). */
  clientGone: CancelSource | undefined = undefined;
}

/** Headers that name who answered; noted on the response for the access log. */
export function answerHeaders(
  res: GatewayResponse,
  who: { feature: string; provider: string | undefined; source: string; degraded: boolean },
): Record<string, string> {
  const provider = who.provider ?? 'none';
  res.feature = who.feature;
  res.provider = provider;
  res.source = who.source;
  return {
    'x-request-id': res.requestId ?? '',
    'x-failsoft-feature': who.feature,
    'x-failsoft-provider': provider,
    'x-failsoft-source': who.source,
    'x-failsoft-degraded': who.degraded ? 'true' : 'false',
  };
}

/** An error in the caller's dialect, with the request id first, then `headers`. */
export function sendDialectError(
  dialect: Dialect,
  res: GatewayResponse,
  kind: GatewayErrorKind,
  message: string,
  param?: string,
  headers?: Record<string, string>,
): void {
  const { status, body } = dialect.renderError(kind, message, param);
  sendJson(res, status, body, Object.assign({ 'x-request-id': res.requestId ?? '' }, headers));
}

/** Sends a JSON body with its length. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(
    status,
    Object.assign({ 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }, headers),
  );
  res.end(text);
}

/**
 * Writes a frame, coalescing frames that are ready in the same turn (the headers, the role chunk and the
 * first content arrive together) into one socket write: each write is a syscall and a wake-up of the
 * client, so the first content reaches the client with the first packet, not the third.
 */
export function coalesced(res: ServerResponse, text: string): boolean {
  if (!res.writableCorked) {
    res.cork();
    process.nextTick(uncorkResponse, res);
  }
  return res.write(text);
}

function uncorkResponse(res: ServerResponse): void {
  res.uncork();
}

/** Waits until the response can take more (or the client went away). */
export function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}

/** The engine's errors, as the dialect's error kind (and extra headers). */
export function classifyFailure(error: unknown): {
  kind: GatewayErrorKind;
  message: string;
  param?: string;
  headers: Record<string, string>;
} {
  if (error instanceof AIUnavailableError) {
    const headers: Record<string, string> = { 'x-should-retry': 'false' };
    if (error.retryAfterMs !== undefined) headers['retry-after'] = String(retryAfterSeconds(error.retryAfterMs));
    return { kind: 'unavailable', message: error.message, headers };
  }
  if (error instanceof RequestError)
    return {
      kind: 'invalid_request',
      message: error.message,
      ...(error.path === undefined ? {} : { param: error.path }),
      headers: {},
    };
  if (error instanceof UnknownFeatureError) return { kind: 'not_found', message: error.message, headers: {} };
  if (error instanceof TierError)
    return { kind: 'invalid_request', message: error.message, param: 'model', headers: {} };
  return {
    kind: 'internal',
    message: FailsoftError.isInstance(error) ? error.message : 'internal gateway error',
    headers: {},
  };
}
