/**
 * How the gateway writes answers: JSON bodies, the headers that say who answered, stream frames coalesced into
 * one socket write per turn, waiting for a slow client to drain, and the engine's errors as dialect error kinds.
 */
import type { ServerResponse } from 'node:http';
import { AIUnavailableError, FailsoftError, RequestError, TierError, UnknownFeatureError, retryAfterSeconds } from '../model/errors.js';
import type { GatewayErrorKind } from './dialect.js';

/** Headers that name who answered. */
export function answerHeaders(requestId: string, who: { feature: string; provider: string | undefined; source: string; degraded: boolean }): Record<string, string> {
  return {
    'x-request-id': requestId,
    'x-failsoft-feature': who.feature,
    'x-failsoft-provider': who.provider ?? 'none',
    'x-failsoft-source': who.source,
    'x-failsoft-degraded': who.degraded ? 'true' : 'false',
  };
}

/** Sends a JSON body with its length. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, Object.assign({ 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }, headers));
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
export function classifyFailure(error: unknown): { kind: GatewayErrorKind; message: string; param?: string; headers: Record<string, string> } {
  if (error instanceof AIUnavailableError) {
    const headers: Record<string, string> = { 'x-should-retry': 'false' };
    if (error.retryAfterMs !== undefined) headers['retry-after'] = String(retryAfterSeconds(error.retryAfterMs));
    return { kind: 'unavailable', message: error.message, headers };
  }
  if (error instanceof RequestError) return { kind: 'invalid_request', message: error.message, ...(error.path === undefined ? {} : { param: error.path }), headers: {} };
  if (error instanceof UnknownFeatureError) return { kind: 'not_found', message: error.message, headers: {} };
  if (error instanceof TierError) return { kind: 'invalid_request', message: error.message, param: 'model', headers: {} };
  return { kind: 'internal', message: FailsoftError.isInstance(error) ? error.message : 'internal gateway error', headers: {} };
}
