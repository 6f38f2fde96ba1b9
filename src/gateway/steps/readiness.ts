/**
 * `GET /health/ready`: ready unless one of the core checks (the monitor's, as last run) fails; the record
 * store's state as one line beside them, never a reason to be unready. Never AI: AI state is `/health/ai`.
 */
import type { ServerResponse } from 'node:http';
import type { GatewayStoreStatus } from '../metrics.js';
import { sendJson } from '../respond.js';

/** Readiness from the core checks: `ready` false while a core check fails; `checks` shown as they are. */
export interface GatewayReadiness {
  ready: boolean;
  checks: readonly object[];
}

/**
 * Ready unless a core check fails (503, the checks listed), with the record store's line: a store that is away
 * is reported, never a reason to be unready.
 * @example serveReady(res, () => monitor.readiness(), () => writer.status());
 */
export function serveReady(
  res: ServerResponse,
  readiness: (() => GatewayReadiness) | undefined,
  storeStatus: (() => GatewayStoreStatus) | undefined,
): void {
  let core: GatewayReadiness | undefined;
  try {
    core = readiness?.();
  } catch (error) {
    core = {
      ready: false,
      checks: [
        { name: 'readiness', status: 'unknown', detail: error instanceof Error ? error.message : String(error) },
      ],
    };
  }
  const checks = core === undefined ? {} : { checks: core.checks };
  const status = core === undefined || core.ready ? 'ready' : 'not ready';
  if (!storeStatus) return sendJson(res, core === undefined || core.ready ? 200 : 503, { status, ...checks });
  let store: Record<string, unknown>;
  try {
    const s = storeStatus();
    store = {
      backend: s.backend,
      status: s.connected ? 'ok' : 'buffering',
      connected: s.connected,
      buffered: s.buffered,
      dropped: s.dropped,
      ...(s.failingSince === undefined ? {} : { failingSince: new Date(s.failingSince).toISOString() }),
      ...(s.lastError === undefined ? {} : { lastError: s.lastError }),
    };
  } catch (error) {
    store = { status: 'unknown', error: error instanceof Error ? error.message : String(error) };
  }
  sendJson(res, core === undefined || core.ready ? 200 : 503, { status, ...checks, store });
}
