/**
 * The dashboard's routes inside the gateway: the page and its assets (no data, served to anyone), and the reads
 * behind the access rule (`state`, `plan`, `incidents/:id`). Nothing here changes state: the page flips kill
 * switches through `/admin/switches/*` with the admin token.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayPages } from '../gateway/gateway-server.js';
import { systemClock, type Clock } from '../model/clock.js';
import { dashboardAssets, type Asset } from './assets.js';
import type { DashboardAccess } from './dashboard-access.js';
import { buildState, type CoreReading, type DashboardState, type IncidentsView } from './dashboard-state.js';
import { JobsPlanView } from './jobs-view.js';
import type { DashboardSource } from './dashboard-source.js';

const DAY_MS = 86_400_000;
/** Incidents shown: open ones and the most recent of the last day. */
const INCIDENT_LIMIT = 20;

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isOpen(incident: unknown): boolean {
  return typeof incident === 'object' && incident !== null && (incident as { status?: unknown }).status === 'open';
}

/** The dashboard's `GatewayPages`. */
export class DashboardRoutes implements GatewayPages {
  private readonly assets: ReadonlyMap<string, Asset>;
  private readonly jobs: JobsPlanView;
  private readonly clock: Clock;

  constructor(
    private readonly source: DashboardSource,
    private readonly access: DashboardAccess,
  ) {
    this.assets = dashboardAssets();
    this.clock = source.clock ?? systemClock;
    this.jobs = new JobsPlanView(
      source.ai.config,
      source.jobRuns,
      source.defaultTz ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
    );
  }

  owns(path: string): boolean {
    return path === '/' || path === '/dashboard' || path.startsWith('/dashboard/');
  }

  async handle(req: IncomingMessage, res: ServerResponse, path: string, method: string): Promise<void> {
    req.resume();
    if (method !== 'GET' && method !== 'HEAD')
      return sendJson(
        res,
        405,
        { error: { message: 'the dashboard only reads: use GET (kill switches are POST /admin/switches/*)' } },
        { allow: 'GET, HEAD' },
      );
    const asset = this.assets.get(path === '/dashboard' || path === '/dashboard/' ? '/' : path);
    if (asset !== undefined) return this.sendAsset(res, asset, method);
    const verdict = this.access.check(req);
    if (!verdict.ok) return sendJson(res, verdict.status, { error: { message: verdict.message } }, verdict.headers);
    if (path === '/dashboard/state') return sendJson(res, 200, await this.state());
    if (path === '/dashboard/plan') return sendJson(res, 200, this.jobs.plan(this.clock.now()));
    if (path.startsWith('/dashboard/incidents/')) return this.incident(res, path.slice('/dashboard/incidents/'.length));
    return sendJson(res, 404, { error: { message: `no dashboard route for ${method} ${path}` } });
  }

  private sendAsset(res: ServerResponse, asset: Asset, method: string): void {
    res.writeHead(200, {
      'content-type': asset.type,
      'content-length': asset.body.byteLength,
      'cache-control': 'no-cache',
      // The page runs only its own scripts and styles, and is never framed.
      'content-security-policy':
        "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
      'x-content-type-options': 'nosniff',
    });
    res.end(method === 'HEAD' ? undefined : asset.body);
  }

  /** Everything the page shows, read now. */
  async state(): Promise<DashboardState> {
    const { ai, readiness } = this.source;
    const now = this.clock.now();
    let core: CoreReading | undefined;
    try {
      core = readiness?.();
    } catch (error) {
      core = {
        ready: false,
        checks: [{ name: 'readiness', status: 'critical', detail: `cannot read the core checks: ${messageOf(error)}` }],
      };
    }
    const [health, jobs, incidents] = await Promise.all([
      ai.health(),
      this.jobs.jobs(now).catch((error: unknown) => ({
        jobs: [],
        notes: [`cannot read the jobs: ${messageOf(error)}`],
        feasible: true,
      })),
      this.incidents(now),
    ]);
    return buildState({
      health,
      switches: ai.switches.toJSON(),
      core,
      jobs,
      incidents,
      writes: this.access.reads === 'token' ? 'token' : 'none',
      now,
    });
  }

  private async incidents(now: number): Promise<IncidentsView> {
    const source = this.source.incidents;
    if (source === undefined) return { available: false, error: 'this gateway keeps no incident record', list: [] };
    try {
      const list = await source.list({ since: now - DAY_MS, limit: INCIDENT_LIMIT });
      return { available: true, list: [...list.filter(isOpen), ...list.filter((i) => !isOpen(i))] };
    } catch (error) {
      return { available: false, error: `the record store cannot answer: ${messageOf(error)}`, list: [] };
    }
  }

  private async incident(res: ServerResponse, encoded: string): Promise<void> {
    const source = this.source.incidents;
    if (source === undefined)
      return sendJson(res, 404, { error: { message: 'this gateway keeps no incident record' } });
    let id: string;
    try {
      id = decodeURIComponent(encoded);
    } catch {
      return sendJson(res, 400, { error: { message: `incident id "${encoded}" is not valid URL encoding` } });
    }
    try {
      const detail = await source.get(id);
      if (detail === undefined) return sendJson(res, 404, { error: { message: `no incident "${id}"` } });
      return sendJson(res, 200, detail);
    } catch (error) {
      return sendJson(
        res,
        503,
        { error: { message: `the record store cannot answer: ${messageOf(error)}` } },
        { 'retry-after': '5' },
      );
    }
  }
}
