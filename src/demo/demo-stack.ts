/**
 * Everything the demo runs, in one process, started as `failsoft serve` starts it: the simulator, the engine
 * with its record (incident tracker, memory store) and monitor (the core check, the webhook alert channel), the
 * gateway, the core API over its own embedded database (kept between runs: see `startKeptCoreApi`), and the
 * webhook's receiving end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServeRecords, type ServeRecords } from '../cli/serve-records.js';
import { createFailsoft, type Failsoft } from '../engine/failsoft.js';
import { LineLog } from '../gateway/event-log.js';
import { startGateway, type GatewayPages, type RunningGateway } from '../gateway/gateway-server.js';
import { systemClock } from '../model/clock.js';
import { startServeMonitor, type ServeMonitor } from '../monitor/serve-monitor.js';
import { startSimulator, type RunningSimulator } from '../sim/start-simulator.js';
import { startAlertSink, type AlertSink } from './alert-sink.js';
import { startKeptCoreApi, type CoreApi } from './core-api.js';
import { DEMO_SIM_LIMITS, DEMO_SIM_PROVIDERS, WEBHOOK_ENV, demoConfig } from './demo-config.js';
import type { DemoTime } from './demo-time.js';

/** The running pieces. */
export interface DemoStack {
  sim: RunningSimulator;
  ai: Failsoft;
  records: ServeRecords;
  monitor: ServeMonitor;
  gateway: RunningGateway;
  core: CoreApi;
  alerts: AlertSink;
  /** Stops everything, in the order `failsoft serve` does, and removes the temporary directory. */
  close(): Promise<void>;
}

/** How the stack starts. */
export interface DemoStackOptions {
  /** The day's speed: the config's durations are scaled by it. */
  time: DemoTime;
  /** The simulated clock the simulator's buckets read (frozen at the day's start until it starts: buckets refill only forward). */
  simNow: () => number;
  /** Port of the gateway (0: any free one). */
  port: number;
  /** Pages served beside the gateway's API (the dashboard), built once the engine and record exist. */
  pages?: (parts: { ai: Failsoft; records: ServeRecords; monitor: ServeMonitor }) => Promise<GatewayPages | undefined>;
}

/**
 * Starts the stack; the day starts once everything listens.
 * @example const stack = await startDemoStack({ time, simNow: () => time.simStart, port: 0 });
 */
export async function startDemoStack(options: DemoStackOptions): Promise<DemoStack> {
  const dir = mkdtempSync(join(tmpdir(), 'failsoft-demo-'));
  const closers: Array<() => Promise<void>> = [async () => rmSync(dir, { recursive: true, force: true })];
  const closeAll = async (): Promise<void> => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  };
  try {
    const core = await startKeptCoreApi(tmpdir(), join(dir, 'core'));
    closers.push(() => core.close());
    const alerts = await startAlertSink();
    closers.push(() => alerts.close());
    const sim = await startSimulator({
      port: 0,
      providers: DEMO_SIM_PROVIDERS,
      limits: DEMO_SIM_LIMITS,
      // Limits per simulated minute: the buckets read the simulated clock.
      clock: { now: options.simNow, sleep: systemClock.sleep, timer: systemClock.timer },
    });
    closers.push(() => sim.close());
    // The webhook's URL, and nothing else: no DATABASE_URL, REDIS_URL or keys of the user's shell leak in.
    const env: Record<string, string | undefined> = { [WEBHOOK_ENV]: alerts.url };
    const ai = createFailsoft(demoConfig(options.time, { simUrl: sim.url, coreHealthUrl: `${core.url}/health` }), {
      env,
    });
    closers.push(() => ai.close());
    const log = new LineLog('silent', () => undefined);
    const records = await startServeRecords(ai, { example: true, port: 0, strict: false }, env, log);
    closers.push(() => records.close());
    const monitor = await startServeMonitor(ai.config, records, { env, engine: ai, writeLog: () => undefined });
    closers.push(() => monitor.close());
    const pages = options.pages ? await options.pages({ ai, records, monitor }) : undefined;
    const gateway = await startGateway({
      ai,
      port: options.port,
      host: '127.0.0.1',
      env,
      log: () => undefined,
      graceMs: 2_000,
      incidents: records.incidents,
      storeStatus: records.storeStatus,
      ...(monitor.readiness ? { readiness: monitor.readiness } : {}),
      ...(monitor.alertCounts ? { alertCounts: monitor.alertCounts } : {}),
      ...(pages ? { pages } : {}),
    });
    closers.push(() => gateway.close());
    return { sim, ai, records, monitor, gateway, core, alerts, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
