import type { CancelSignal } from '../model/cancel-signal.js';
import { markInStream, ProviderError } from '../model/errors.js';
import { classifyTransportError } from './http-transport.js';

/** Whose stream failed, and the attempt's signal. */
export interface StreamFailureContext {
  provider: string;
  model: string;
  signal?: CancelSignal;
}

/**
 * What every stream reader throws when reading fails: the signal's reason when the attempt was cancelled (the
 * router knows why it stopped), else a classified `ProviderError` marked in-stream (a broken connection or an
 * undici body timeout is classified like any transport failure).
 * @example catch (error) { throw streamReadFailure(error, context); }
 */
export function streamReadFailure(error: unknown, context: StreamFailureContext): unknown {
  if (context.signal?.aborted) return context.signal.reason;
  return markInStream(
    ProviderError.isInstance(error) ? error : classifyTransportError(error, context.provider, context.model),
  );
}
