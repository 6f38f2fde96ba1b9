/**
 * Shared policy state: the contract (defined in the policy layer, named here too), the in-memory default and
 * the fallback wrapper. Redis is not here: `ioredis` loads only through `failsoft/redis` (`src/redis.ts`) or,
 * when `REDIS_URL` is set, through `LazyRedisPolicyState`'s first call.
 */
export type * from '../policy/policy-state.js';
export { MemoryPolicyState } from './memory-policy-state.js';
export {
  FallbackPolicyState,
  type FallbackPolicyStateOptions,
  type FallbackPolicyStateStatus,
  type SharedStateChange,
} from './fallback-policy-state.js';
export { LazyRedisPolicyState } from './lazy-redis-state.js';
