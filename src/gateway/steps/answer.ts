/**
 * Step 5 of an AI request: the engine's answer in the caller's dialect. A finished answer is one JSON body; a
 * stream sends its headers at the `start` event (who answers is known by then) and then frames chunk by chunk
 * as the engine yields them, never buffered.
 */
import type { CancelSignal } from '../../model/cancel-signal.js';
import type { CallOptions, FailsoftStreamEvent, GenerateResult, StreamStartEvent } from '../../engine/results.js';
import type { Dialect, ParsedCall } from '../dialect.js';
import { answerHeaders, classifyFailure, coalesced, drained, sendJson, type GatewayResponse } from '../respond.js';
import type { GatewayContext } from './gateway-context.js';

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
};

/**
 * A finished answer: 200 with the dialect's body and the headers naming who answered.
 * @example sendAnswer(dialect, res, await ai.generate(call.feature, call.request, options));
 */
export function sendAnswer(dialect: Dialect, res: GatewayResponse, result: GenerateResult): void {
  sendJson(res, 200, dialect.renderResult(result), answerHeaders(res, result));
}

/**
 * Streams the call's answer: headers at the `start` event, then frames as they come, coalesced per turn and
 * paced by the client's reading. An error before the start event is thrown (the failure step answers it);
 * after it, the stream ends with an error frame.
 * @example await streamAnswer(gw, dialect, call, res, { signal: cancelOnDisconnect(res) });
 */
export async function streamAnswer(
  gw: GatewayContext,
  dialect: Dialect,
  call: ParsedCall,
  res: GatewayResponse,
  options: CallOptions & { signal: CancelSignal },
): Promise<void> {
  const signal = options.signal;
  const events = gw.ai.stream(call.feature, call.request, options);
  const renderer = dialect.streamRenderer(call);
  let start: StreamStartEvent | undefined;
  try {
    for await (const event of events) {
      if (event.type === 'start') {
        start = event;
        res.writeHead(200, Object.assign(answerHeaders(res, event), SSE_HEADERS));
      }
      const text = renderer.frames(event);
      if (text !== '' && !coalesced(res, text)) await drained(res);
      if (event.type === 'error' || signal.aborted) break;
    }
  } catch (error) {
    if (start === undefined || signal.aborted) throw error;
    const failure = classifyFailure(error);
    const event: FailsoftStreamEvent = {
      type: 'error',
      error: { name: 'GatewayError', message: failure.message, retryable: false },
    };
    res.write(renderer.frames(event));
  }
  res.end();
}
