/**
 * failsoft: keeps products running when the AI APIs they depend on are overloaded, rate-limited
 * or down. The library face: `createFailsoft(config)` and everything it speaks.
 */
export * from './engine/index.js';
export * from './model/index.js';
export type { ProviderAdapter, ProviderEndpoint, ProviderType, AttemptOptions, ProviderStream, ProviderCallResult } from './providers/provider-adapter.js';
export { createAdapter } from './providers/create-adapter.js';
export { MemoryPolicyState, FallbackPolicyState, RedisPolicyState, type PolicyState } from './state/index.js';
