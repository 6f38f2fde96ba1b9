import { FallbackPolicyState } from '../state/fallback-policy-state.js';
import { MemoryPolicyState } from '../state/memory-policy-state.js';
import type { PolicyState } from '../state/policy-state.js';
import type { EventBus } from './events.js';
import type { SharedStateHealth } from './health.js';

/** What the engine knows about its shared policy state, for `ai.health()` (and so `/health/ai` and `/metrics`). */
export interface SharedStateWatch {
  health(): SharedStateHealth;
  /** Stops turning status changes into events. */
  close(): void;
}

/**
 * Watches the engine's policy state: a `FallbackPolicyState` (what `REDIS_URL` builds) reports its loss and
 * return as `shared-state-lost` / `shared-state-restored` events and its status in the health report.
 * A `MemoryPolicyState` is `memory`, always connected. Any other store is taken for a server one
 * (`redis`) that says nothing about its health: wrap it in `FallbackPolicyState` to see it.
 * @example const shared = watchSharedState(store, bus); shared.health().connected
 */
export function watchSharedState(store: PolicyState, bus: EventBus): SharedStateWatch {
  if (!(store instanceof FallbackPolicyState)) {
    const backend = store instanceof MemoryPolicyState ? 'memory' : 'redis';
    return { health: () => ({ backend, connected: true, operationsLost: 0 }), close: () => undefined };
  }
  const off = store.onStatusChange((change) => {
    if (change.connected)
      bus.emit('shared-state-restored', change.at, {
        backend: 'redis',
        ...(change.lostMs === undefined ? {} : { lostMs: change.lostMs }),
      });
    else
      bus.emit('shared-state-lost', change.at, {
        backend: 'redis',
        ...(change.error === undefined ? {} : { error: change.error }),
      });
  });
  return {
    health: () => {
      const status = store.status();
      return {
        backend: 'redis',
        connected: status.connected,
        operationsLost: status.operationsLost,
        ...(status.degradedSince === undefined ? {} : { degradedSince: status.degradedSince }),
        ...(status.lastError === undefined ? {} : { lastError: status.lastError }),
      };
    },
    close: off,
  };
}
