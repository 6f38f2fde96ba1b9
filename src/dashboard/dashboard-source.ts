/** What `createDashboard` reads: the engine and the gateway's host, and optionally the record, core checks and job runs. */
import type { Failsoft } from '../engine/failsoft.js';
import type { AdminIncidentSource } from '../gateway/admin-routes.js';
import type { Clock } from '../model/clock.js';
import type { CoreReading } from './dashboard-state.js';
import type { JobRunReader } from './jobs-view.js';

/** What the dashboard reads. Only `ai` and `host` are needed; each other part adds a panel. */
export interface DashboardSource {
  /** The serving engine: providers, features and their modes, kill switches, the jobs in its config. */
  ai: Failsoft;
  /** The interface the gateway listens on (decides who may read the state: see dashboard-access.ts). */
  host: string;
  /**
   * The gateway's admin token; undefined: `FAILSOFT_ADMIN_TOKEN` from `env`, as `startGateway` reads it. With a
   * token, the state needs it too and the page's kill switches work (they call `/admin/switches/*` with it);
   * without, the state is open on a loopback host only and the switches are shown read-only.
   */
  adminToken?: string | undefined;
  /** Where `FAILSOFT_ADMIN_TOKEN` is read when `adminToken` is undefined (default process.env, as `startGateway`). */
  env?: Record<string, string | undefined>;
  /** Incidents (`records.incidents` in `failsoft serve`); absent: the panel says no record is kept. */
  incidents?: AdminIncidentSource | undefined;
  /** The core checks as last run (the monitor's readiness); absent: none configured, never red. */
  readiness?: (() => CoreReading) | undefined;
  /** Where each job's last run is read (`records.store`); absent: no last results. */
  jobRuns?: JobRunReader | undefined;
  /** Time zone of job schedules without `tz` (default the machine's, as the runner). */
  defaultTz?: string;
  /** Wall time (tests pass a FakeClock). */
  clock?: Clock;
}
