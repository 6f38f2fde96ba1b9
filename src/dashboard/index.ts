/**
 * The dashboard: an operator's page served by the gateway at `/` (`failsoft serve`, `failsoft demo --keep`).
 * Providers, features, kill switches, jobs and incidents, refreshed every second, red only when a core dependency
 * fails, amber when AI is degraded, and a line saying what it means for users ("summary is serving fallbacks; core
 * OK"). Plain HTML, CSS and ES modules held as strings in this package (no build step, no CDN), the chart by uPlot
 * read from node_modules at start.
 *
 * @example
 * const gateway = await startGateway({ ai, host, pages: createDashboard({ ai, host, adminToken: env.FAILSOFT_ADMIN_TOKEN, incidents, readiness }) });
 */
import type { GatewayPages } from '../gateway/gateway-server.js';
import { DashboardAccess } from './dashboard-access.js';
import { DashboardRoutes } from './dashboard-routes.js';
import type { DashboardSource } from './dashboard-source.js';

export type { DashboardSource } from './dashboard-source.js';
export type { DashboardState, CoreReading } from './dashboard-state.js';
export type { JobRunReader } from './jobs-view.js';
export { statusWords, featureWords, providerWords, type StatusLevel, type StatusWords } from './status-words.js';

/**
 * The dashboard as gateway pages: `GET /` (the page), `/dashboard/*` (its scripts, styles, `state`, `plan`,
 * `incidents/:id`). Pass it as `startGateway({ pages })`. Throws `ConfigError` for a blank admin token.
 * @example startGateway({ ai, pages: createDashboard({ ai, host: '127.0.0.1' }) })
 */
export function createDashboard(source: DashboardSource): GatewayPages {
  const token = source.adminToken ?? (source.env ?? process.env).FAILSOFT_ADMIN_TOKEN;
  const access = new DashboardAccess(token, source.host, source.clock);
  return new DashboardRoutes(source, access);
}
