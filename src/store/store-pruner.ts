import type { Clock } from '../model/clock.js';
import { systemClock } from '../model/clock.js';
import type { Store } from './store.js';

const DAY_MS = 86_400_000;

/** Days records are kept when the config does not say (config `store.retainDays`). */
export const DEFAULT_RETAIN_DAYS = 30;

/** When and how much the pruner deletes. */
export interface StorePrunerOptions {
  /** Records older than this many days go (config `store.retainDays`). */
  retainDays: number;
  clock?: Clock;
  /** Between runs (default one hour). */
  intervalMs?: number;
  /** Before the first run (default one minute, so a start is not slowed and a long-stopped instance prunes soon). */
  firstAfterMs?: number;
  log?: (level: 'info' | 'warn', message: string, fields: Record<string, unknown>) => void;
}

/** A running pruner. */
export interface StorePruner {
  /** Prunes now; resolves to the rows removed (0 when the store failed, which is logged). */
  runNow(): Promise<number>;
  stop(): void;
}

/**
 * Retention: calls `store.prune(now - retainDays)` hourly. A failed run (the database away) is logged and
 * tried again at the next hour; it never throws.
 * @example const pruner = startStorePruner(store, { retainDays: 30 }); ... pruner.stop();
 */
export function startStorePruner(store: Store, options: StorePrunerOptions): StorePruner {
  const clock = options.clock ?? systemClock;
  const intervalMs = options.intervalMs ?? 3_600_000;
  const log = options.log ?? (() => undefined);
  let cancel: (() => void) | undefined;
  let stopped = false;

  const runNow = async (): Promise<number> => {
    const before = clock.now() - options.retainDays * DAY_MS;
    try {
      const removed = await store.prune(before);
      if (removed > 0)
        log('info', `record store: pruned ${removed} records older than ${options.retainDays} days`, {
          removed,
          before,
        });
      return removed;
    } catch (error) {
      log(
        'warn',
        `record store: prune failed, tried again in ${Math.round(intervalMs / 60_000)} min: ${error instanceof Error ? error.message : String(error)}`,
        { before },
      );
      return 0;
    }
  };
  const schedule = (ms: number): void => {
    if (stopped) return;
    cancel = clock.timer(ms, () => {
      void runNow().then(() => schedule(intervalMs));
    });
  };
  schedule(options.firstAfterMs ?? 60_000);
  return {
    runNow,
    stop() {
      stopped = true;
      cancel?.();
    },
  };
}
