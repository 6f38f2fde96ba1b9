/**
 * `failsoft/ai-sdk`: failsoft's features as Vercel AI SDK models (`ai` 7.x, `@ai-sdk/provider` 4.x,
 * language model specification v4). Only this entry loads the AI SDK; `failsoft` itself never does.
 * @example
 * const failsoft = createFailsoftProvider(createFailsoft(config));
 * const { text, providerMetadata } = await generateText({ model: failsoft('summary'), prompt: 'Summarize: …' });
 */
export { createFailsoftProvider, type FailsoftProvider, type FailsoftProviderOptions } from './failsoft-provider.js';
export { FailsoftLanguageModel } from './failsoft-language-model.js';
export { FailsoftUnavailableError, FailsoftRequestError, FailsoftStreamError } from './errors.js';
export type { FailsoftAnswerMetadata } from './convert-answer.js';
