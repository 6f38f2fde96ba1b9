import type { ConfigIssue } from '../../model/errors.js';
import { parseDurationText } from './duration.js';
import type { AlertsConfig } from './alerts-schema.js';

/** An alert channel with its name (the `channel` label of metrics) and the least severity it receives. */
export type ResolvedAlertChannel =
  | { kind: 'slack' | 'webhook'; name: string; urlEnv: string; minSeverity: 'warning' | 'critical' }
  | { kind: 'log'; name: string; minSeverity: 'warning' | 'critical' };

/** How a message is delivered: `attempts` tries, waiting `backoffMs`, then twice that, … between them. */
export interface ResolvedAlertDelivery {
  attempts: number;
  backoffMs: number;
  timeoutMs: number;
}

/** The `alerts:` section resolved. */
export interface ResolvedAlerts {
  channels: ResolvedAlertChannel[];
  delivery: ResolvedAlertDelivery;
}

/** 5 tries, 2 s then doubling: the last try about 30 s after the first, all within about a minute with timeouts. */
export const DEFAULT_ALERT_DELIVERY: ResolvedAlertDelivery = { attempts: 5, backoffMs: 2_000, timeoutMs: 10_000 };

/**
 * Resolves `alerts:` (a list of channels, or `{ channels, delivery }`), pushing problems onto `issues`.
 * @example resolveAlerts([{ kind: 'log' }], []).channels[0]?.name // 'log'
 */
export function resolveAlerts(cfg: AlertsConfig, issues: ConfigIssue[]): ResolvedAlerts {
  const list = Array.isArray(cfg) ? cfg : cfg.channels;
  const base = Array.isArray(cfg) ? 'alerts' : 'alerts.channels';
  const delivery = Array.isArray(cfg) ? undefined : cfg.delivery;
  const names = new Set<string>();
  const channels = list.map((channel, index): ResolvedAlertChannel => {
    const sameKind = list.filter((c) => c.kind === channel.kind).length;
    const name = channel.name ?? (sameKind > 1 ? `${channel.kind}-${index}` : channel.kind);
    if (names.has(name))
      issues.push({
        path: `${base}[${index}].name`,
        message: `"${name}" names an earlier channel too: names must be unique`,
      });
    names.add(name);
    const minSeverity = channel.minSeverity ?? 'warning';
    return channel.kind === 'log'
      ? { kind: 'log', name, minSeverity }
      : { kind: channel.kind, name, urlEnv: channel.urlEnv, minSeverity };
  });
  return {
    channels,
    delivery: {
      attempts: delivery?.attempts ?? DEFAULT_ALERT_DELIVERY.attempts,
      backoffMs:
        delivery?.backoff === undefined
          ? DEFAULT_ALERT_DELIVERY.backoffMs
          : (parseDurationText(delivery.backoff) ?? DEFAULT_ALERT_DELIVERY.backoffMs),
      timeoutMs:
        delivery?.timeout === undefined
          ? DEFAULT_ALERT_DELIVERY.timeoutMs
          : (parseDurationText(delivery.timeout) ?? DEFAULT_ALERT_DELIVERY.timeoutMs),
    },
  };
}
