/**
 * The monitor side of `failsoft serve`: the core checks every `checks.interval` (they drive `/health/ready` and
 * report `core-check-failed` / `core-check-recovered` into the incident record), and the alert channels on the
 * tracker's incident changes. What the gateway is handed are functions: it never imports the monitor.
 */
import { describeEvent } from '../engine/event-messages.js';
import type { FailsoftEvent } from '../engine/events.js';
import type { ResolvedConfig } from '../engine/config/resolve-config.js';
import type { Clock } from '../model/clock.js';
import type { IncidentRecord } from '../store/records.js';
import type { EventSource } from '../store/incident-tracker.js';
import { AlertManager, type AlertRecord, type IncidentChanges } from './alerts/alert-manager.js';
import { CoreMonitor, type Readiness } from './core-monitor.js';
import { AiProber, type ProbeRound, type ProbingEngine } from './ai/ai-prober.js';

/** What the monitor needs from the record side (`ServeRecords`). */
export interface MonitorRecords {
  /** The incident tracker's changes and its open incident. */
  tracker: IncidentChanges & { readonly current: IncidentRecord | undefined };
  /** Feeds another event source (the core checks) into the incident record. */
  observe(source: EventSource): () => void;
  /** Writes an alert delivery's outcome on its incident. */
  appendAlert(record: AlertRecord): void;
}

/** Options of `startServeMonitor`. */
export interface ServeMonitorOptions {
  env: Record<string, string | undefined>;
  /** The log channel's lines (stderr). */
  writeLog: (line: string) => void;
  /** The JSON log of state changes (core checks failing and recovering). */
  log?: (level: 'warn' | 'info', message: string, fields: Record<string, unknown>) => void;
  clock?: Clock;
  /** The serving engine, for `checks.ai.probes` (probes go through its own breakers and budget). */
  engine?: ProbingEngine;
}

/** A running monitor. */
export interface ServeMonitor {
  /** `/health/ready`: undefined when no core check is configured. */
  readiness: (() => Readiness) | undefined;
  /** `failsoft_alerts_sent_total`: undefined when no alert channel is configured. */
  alertCounts: (() => Array<{ channel: string; status: 'sent' | 'failed'; count: number }>) | undefined;
  /** Start-up lines: what is checked, where alerts go. */
  lines: string[];
  /** Stops the checks and first messages still waiting; lets deliveries under way end (bounded by `waitMs`). */
  close(waitMs?: number): Promise<void>;
}

/**
 * Starts the core checks (their first round runs before this resolves, so readiness is known before traffic)
 * and the alert channels.
 * @example const monitor = await startServeMonitor(ai.config, records, { env: process.env, writeLog: (l) => io.err(l) });
 */
export async function startServeMonitor(
  config: ResolvedConfig,
  records: MonitorRecords,
  options: ServeMonitorOptions,
): Promise<ServeMonitor> {
  const clock = options.clock === undefined ? {} : { clock: options.clock };
  const lines: string[] = [];
  const checks = config.checks;
  let core: CoreMonitor | undefined;
  const offs: Array<() => void> = [];
  if (checks && checks.core.length > 0) {
    core = new CoreMonitor({ checks: checks.core, intervalMs: checks.intervalMs, env: options.env, ...clock });
    offs.push(records.observe(core));
    const log = options.log;
    if (log) {
      offs.push(
        core.on('*', (event: FailsoftEvent) => {
          const [level, message] = describeEvent(event);
          const { at, type, ...fields } = event;
          log(level === 'warn' ? 'warn' : 'info', message, { event: type, at: new Date(at).toISOString(), ...fields });
        }),
      );
    }
    await core.start();
    const failing = core.readiness().checks.filter((c) => c.status === 'critical');
    lines.push(
      `failsoft serve: core checks: ${checks.core.map((c) => c.name).join(', ')} every ${Math.round(checks.intervalMs / 100) / 10} s (/health/ready)${failing.length > 0 ? `; failing now: ${failing.map((c) => `${c.name} (${c.detail})`).join(', ')}` : ''}`,
    );
  }
  let prober: AiProber | undefined;
  if (checks?.ai.probes && options.engine) {
    const log = options.log;
    prober = new AiProber(options.engine, {
      intervalMs: checks.ai.probeIntervalMs,
      ...clock,
      ...(log
        ? {
            onRound: (round: ProbeRound) => {
              const failed = round.filter((p) => p.outcome === 'failed');
              if (failed.length > 0)
                log('warn', `AI probes: ${failed.map((p) => `${p.key} ${p.detail}`).join(', ')}`, {
                  event: 'ai-probes',
                  failed: failed.length,
                  of: round.length,
                });
            },
          }
        : {}),
    });
    prober.start();
    lines.push(
      `failsoft serve: AI probes: one request (1 token, batch) per provider model every ${Math.round(checks.ai.probeIntervalMs / 1000)} s, through this gateway's breakers and budget`,
    );
  }
  let alerts: AlertManager | undefined;
  if (config.alerts && config.alerts.channels.length > 0) {
    alerts = new AlertManager({
      alerts: config.alerts,
      env: options.env,
      writeLog: options.writeLog,
      ...clock,
      current: () => records.tracker.current,
      record: (entry) => records.appendAlert(entry),
    });
    offs.push(alerts.attach(records.tracker));
    lines.push(
      `failsoft serve: alerts: ${config.alerts.channels.map((c) => `${c.name} (${c.kind}${c.minSeverity === 'critical' ? ', critical only' : ''})`).join(', ')}: one message per incident opened, escalated, resolved`,
    );
  }
  return {
    readiness: core ? () => (core as CoreMonitor).readiness() : undefined,
    alertCounts: alerts ? () => (alerts as AlertManager).deliveries() : undefined,
    lines,
    async close(waitMs = 2_000) {
      core?.stop();
      prober?.stop();
      for (const off of offs) off();
      if (!alerts) return;
      alerts.close();
      await Promise.race([alerts.idle(), new Promise((resolve) => setTimeout(resolve, waitMs).unref())]);
    },
  };
}
