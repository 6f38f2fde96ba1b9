/** OpenAI-compatible vendors: the OpenAI adapter, configured. */
export { createOpenAICompatibleAdapter } from './openai-compatible-adapter.js';
