import { providerError, type ErrorClass, type ProviderError } from '../model/errors.js';
import type { GenerateRequest } from '../model/message.js';
import type { ProviderResponse } from '../model/response.js';
import type { StreamEvent } from '../model/stream-event.js';
import type {
  AttemptOptions,
  ProviderAdapter,
  ProviderCallResult,
  ProviderStream,
  ProviderType,
} from '../providers/provider-adapter.js';
import type { CancelSignal } from '../model/cancel-signal.js';
import type { Clock } from '../model/clock.js';

/** What a scripted provider does for one call. */
export type ScriptStep =
  | { text: string; delayMs?: number }
  | { fail: ErrorClass; status?: number; retryAfterMs?: number; delayMs?: number }
  /** Streams: these text pieces, then fails with `failAfter` (if given) instead of finishing. */
  | { chunks: string[]; failAfter?: ErrorClass }
  /** Never answers until aborted. */
  | { hang: true }
  /** Streams: accepted (headers), these pieces, then silence until aborted (a provider that hangs mid-answer). */
  | { stall: true; chunks?: string[]; delayMs?: number };

export interface ScriptedCall {
  model: string;
  request: GenerateRequest;
  stream: boolean;
}

/**
 * A provider adapter that follows a script instead of the network: for tests of code that uses
 * failsoft, and of failsoft's own router. `script` gives the step for each call (by call number).
 * Delays use real timers, or `options.clock` (e.g. a FakeClock) when given.
 * @example const primary = scriptedAdapter('claude', () => ({ fail: 'overloaded', status: 529 }));
 */
export function scriptedAdapter(
  name: string,
  script: (call: number, model: string) => ScriptStep,
  type: ProviderType = 'openai',
  options: { clock?: Clock } = {},
): ProviderAdapter & { calls: ScriptedCall[] } {
  const calls: ScriptedCall[] = [];
  const error = (
    step: { fail: ErrorClass; status?: number; retryAfterMs?: number },
    model: string,
    inStream = false,
  ): ProviderError =>
    providerError({
      class: step.fail,
      provider: name,
      model,
      inStream,
      message: `${name}: scripted ${step.fail}`,
      ...(step.status === undefined ? {} : { status: step.status }),
      ...(step.retryAfterMs === undefined ? {} : { retryAfterMs: step.retryAfterMs }),
    });
  const clock = options.clock;
  const wait = (ms: number | undefined, signal: CancelSignal | undefined): Promise<void> =>
    clock !== undefined && ms !== undefined && ms !== Number.POSITIVE_INFINITY
      ? clock.sleep(ms, signal)
      : new Promise((resolve, reject) => {
          if (signal?.aborted) return reject(signal.reason);
          if (ms === undefined) return resolve();
          const timer = ms === Number.POSITIVE_INFINITY ? undefined : setTimeout(resolve, ms);
          signal?.addEventListener(
            'abort',
            () => {
              if (timer) clearTimeout(timer);
              reject(signal.reason);
            },
            { once: true },
          );
        });
  const response = (model: string, request: GenerateRequest, text: string): ProviderResponse => {
    const inputTokens = Math.ceil(JSON.stringify(request.messages).length / 4);
    const outputTokens = Math.ceil(text.length / 4);
    return {
      model,
      text,
      content: [{ type: 'text', text }],
      finishReason: 'stop',
      rawFinishReason: 'stop',
      usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens },
      id: `${name}-${calls.length}`,
    };
  };
  return {
    name,
    type,
    calls,
    async generate(model: string, request: GenerateRequest, options?: AttemptOptions): Promise<ProviderCallResult> {
      calls.push({ model, request, stream: false });
      const step = script(calls.length, model);
      if ('hang' in step || 'stall' in step) await wait(Number.POSITIVE_INFINITY, options?.signal);
      if ('delayMs' in step) await wait(step.delayMs, options?.signal);
      if ('fail' in step) throw error(step, model);
      const text = 'text' in step ? step.text : 'chunks' in step ? (step.chunks ?? []).join('') : '';
      return { status: 200, response: response(model, request, text) };
    },
    async stream(model: string, request: GenerateRequest, options?: AttemptOptions): Promise<ProviderStream> {
      calls.push({ model, request, stream: true });
      const step = script(calls.length, model);
      if ('hang' in step) await wait(Number.POSITIVE_INFINITY, options?.signal);
      if ('delayMs' in step) await wait(step.delayMs, options?.signal);
      if ('fail' in step) throw error(step, model);
      const chunks = 'chunks' in step ? (step.chunks ?? []) : 'text' in step ? [step.text] : [];
      const failAfter = 'chunks' in step && 'failAfter' in step ? step.failAfter : undefined;
      const stall = 'stall' in step;
      const signal = options?.signal;
      const final = response(model, request, chunks.join(''));
      async function* events(): AsyncGenerator<StreamEvent> {
        for (const text of chunks) yield { type: 'text-delta', text };
        if (stall) await wait(Number.POSITIVE_INFINITY, signal);
        if (failAfter) throw error({ fail: failAfter }, model, true);
        yield { type: 'finish', finishReason: 'stop', usage: final.usage, model };
      }
      return { status: 200, events: events() };
    },
    close: async () => undefined,
  };
}
