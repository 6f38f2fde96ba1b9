/**
 * Step 4 of an AI request: a client that goes away before its answer ended cancels the engine call made for
 * it (the upstream call is aborted, nobody else is tried, the provider is not blamed).
 */
import { CancelSource } from '../../model/cancel-signal.js';
import type { GatewayResponse } from '../respond.js';

/**
 * The call's cancellation signal, cancelled when the response closes unfinished. A CancelSource, not an
 * AbortController (creating an AbortSignal per request costs microseconds), and one shared listener
 * function that finds the source on the response: no closure per request.
 * @example const options = { signal: cancelOnDisconnect(res) };
 */
export function cancelOnDisconnect(res: GatewayResponse): CancelSource {
  const gone = new CancelSource();
  res.clientGone = gone;
  res.on('close', cancelUnfinished);
  return gone;
}

function cancelUnfinished(this: GatewayResponse): void {
  if (!this.writableFinished) this.clientGone?.cancel(new Error('client closed the connection'));
}
