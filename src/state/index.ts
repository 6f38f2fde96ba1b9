/** Shared policy state: the interface, the in-memory default, a fallback wrapper, and the conformance suite's home. */
export * from './policy-state.js';
export { MemoryPolicyState, refilledLevel, msUntilLevel } from './memory-policy-state.js';
export * from './fallback-policy-state.js';
export { RedisPolicyState, type RedisPolicyStateOptions } from './redis-policy-state.js';
