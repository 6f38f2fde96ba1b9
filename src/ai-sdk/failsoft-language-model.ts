/**
 * One failsoft feature as an AI SDK language model (specification v4, what `ai` 7 calls). `doGenerate` runs
 * `ai.generate(feature, …)`, `doStream` runs `ai.stream(feature, …)`: the feature's route, tier, breakers,
 * budgets and fallback decide who answers, exactly as for a direct call.
 */
import type {
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4GenerateResult,
  LanguageModelV4StreamResult,
} from '@ai-sdk/provider';
import type { Failsoft } from '../engine/failsoft.js';
import type { FailsoftStreamEvent, GenerateResult } from '../engine/results.js';
import { answerMetadata, content, finishReason, usage } from './convert-answer.js';
import { convertCall } from './convert-call.js';
import { toAISDKError } from './errors.js';
import { streamParts } from './stream-parts.js';

/**
 * Every URL "supported": the AI SDK then passes URL parts through instead of downloading them first. An
 * http(s) image URL goes on to the provider, which fetches it; any other file URL is refused at once by the
 * prompt conversion (failsoft's messages carry no other files), so nothing is fetched only to be thrown away.
 */
const EVERY_URL: Record<string, RegExp[]> = { 'image/*': [/^https?:\/\//i], '*/*': [/^/] };

/** A failsoft feature as a `LanguageModelV4`; `modelId` is the feature's name. */
export class FailsoftLanguageModel implements LanguageModelV4 {
  readonly specificationVersion = 'v4';
  readonly supportedUrls = EVERY_URL;

  constructor(
    private readonly ai: Failsoft,
    /** The feature this model calls. */
    readonly modelId: string,
    /** The provider name the AI SDK shows in telemetry and errors (default `failsoft`). */
    readonly provider: string,
  ) {}

  async doGenerate(call: LanguageModelV4CallOptions): Promise<LanguageModelV4GenerateResult> {
    const { request, options, warnings } = convertCall(call);
    let result: GenerateResult;
    try {
      result = await this.ai.generate(this.modelId, request, options);
    } catch (error) {
      throw toAISDKError(error, request);
    }
    return {
      content: content(result.content),
      finishReason: finishReason(result.finishReason),
      usage: usage(result.usage),
      providerMetadata: answerMetadata(result, this.modelId),
      request: { body: request },
      response: {
        ...(result.id === undefined ? {} : { id: result.id }),
        ...(result.model === undefined ? {} : { modelId: result.model }),
      },
      warnings,
    };
  }

  /**
   * Resolves once failsoft has decided who answers (its `start` event: a provider's first content, or the
   * fallback), so a failure before any content (an ai-only feature nobody can serve, a refused request)
   * rejects this call, as an HTTP provider's would, instead of surfacing later inside the stream.
   */
  async doStream(call: LanguageModelV4CallOptions): Promise<LanguageModelV4StreamResult> {
    const { request, options, warnings } = convertCall(call);
    const events: AsyncGenerator<FailsoftStreamEvent> = this.ai.stream(this.modelId, request, options);
    let first: IteratorResult<FailsoftStreamEvent>;
    try {
      first = await events.next();
    } catch (error) {
      throw toAISDKError(error, request);
    }
    if (first.done || first.value.type !== 'start') {
      await events.return(undefined);
      throw new Error(
        `failsoft/ai-sdk: the stream of feature "${this.modelId}" did not begin with its start event (a failsoft bug)`,
      );
    }
    return {
      stream: streamParts(events, first.value, { feature: this.modelId, request, warnings }),
      request: { body: request },
    };
  }
}
