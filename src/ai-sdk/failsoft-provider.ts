/**
 * `createFailsoftProvider(ai)`: an AI SDK provider whose models are failsoft's features. An app that calls
 * models through `generateText`, `streamText` or `generateObject` gets failsoft's routes, tiers, breakers,
 * budgets and fallbacks by changing only its `model:` argument.
 */
import { NoSuchModelError, type LanguageModelV4, type ProviderV4 } from '@ai-sdk/provider';
import type { Failsoft } from '../engine/failsoft.js';
import { UnknownFeatureError } from '../model/errors.js';
import { FailsoftLanguageModel } from './failsoft-language-model.js';

/** Options of `createFailsoftProvider`. */
export interface FailsoftProviderOptions {
  /** The provider name the AI SDK shows in telemetry and errors (default `failsoft`). */
  name?: string;
}

/**
 * The provider: call it with a feature name (or use `languageModel`) for that feature's model. Only
 * language models exist; the other model kinds throw `NoSuchModelError`.
 */
export interface FailsoftProvider extends ProviderV4 {
  (feature: string): LanguageModelV4;
  languageModel(feature: string): LanguageModelV4;
}

/**
 * Creates the AI SDK provider for an engine. Asking for a feature that is not configured, or for a
 * `critical` one (which never calls a provider), throws `NoSuchModelError` at once, naming the features
 * that exist.
 * @example const failsoft = createFailsoftProvider(ai); const { text } = await generateText({ model: failsoft('summary'), prompt: 'Summarize: …' });
 */
export function createFailsoftProvider(ai: Failsoft, options: FailsoftProviderOptions = {}): FailsoftProvider {
  const name = options.name ?? 'failsoft';
  const languageModel = (feature: string): LanguageModelV4 => {
    checkFeature(ai, feature);
    return new FailsoftLanguageModel(ai, feature, name);
  };
  const noSuch =
    (modelType: 'embeddingModel' | 'imageModel') =>
    (modelId: string): never => {
      throw new NoSuchModelError({
        modelId,
        modelType,
        message: `failsoft serves language models only (features); no ${modelType} "${modelId}"`,
      });
    };
  const provider = (feature: string): LanguageModelV4 => languageModel(feature);
  return Object.assign(provider, {
    specificationVersion: 'v4' as const,
    languageModel,
    embeddingModel: noSuch('embeddingModel'),
    imageModel: noSuch('imageModel'),
  });
}

/** The feature exists (as an own key) and may call providers; otherwise a clear `NoSuchModelError`. */
function checkFeature(ai: Failsoft, feature: string): void {
  const features = ai.config.features;
  // Own keys only: `constructor` or `__proto__` must not find what every object inherits.
  const found = typeof feature === 'string' && Object.hasOwn(features, feature) ? features[feature] : undefined;
  if (!found) {
    const message = new UnknownFeatureError(String(feature), Object.keys(features)).message;
    throw new NoSuchModelError({
      modelId: String(feature),
      modelType: 'languageModel',
      message: `failsoft: ${message}`,
    });
  }
  if (found.tier === 'critical') {
    throw new NoSuchModelError({
      modelId: feature,
      modelType: 'languageModel',
      message: `failsoft: feature "${feature}" is critical: critical features never call AI providers (remove the call, or change its tier)`,
    });
  }
}
