/**
 * `failsoft/redis`: policy state in Redis, so many failsoft instances spend one rate budget, see each other's
 * open breakers and honour a Retry-After any of them received. Its own entry point because it loads `ioredis`;
 * `import 'failsoft'` never does (with `REDIS_URL` set, the engine loads it lazily on first use).
 * @example
 * import { createFailsoft, FallbackPolicyState } from 'failsoft';
 * import { RedisPolicyState } from 'failsoft/redis';
 * const store = new FallbackPolicyState(new RedisPolicyState('redis://127.0.0.1:6379', { prefix: 'myapp:' }));
 * const ai = createFailsoft(config, { store });
 */
export { RedisPolicyState, URL_CLIENT_DEFAULTS, type RedisPolicyStateOptions } from './state/redis-policy-state.js';
