/**
 * Moved to the state layer (`src/state/lazy-redis-state.ts`), which owns every backend. This name stays only
 * until `failsoft.ts` imports it from there; then delete this file.
 */
export { LazyRedisPolicyState } from '../state/lazy-redis-state.js';
