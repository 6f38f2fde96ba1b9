/**
 * `failsoft/gateway`: the OpenAI- and Anthropic-compatible HTTP gateway in front of an engine, as
 * `failsoft serve` runs it, for embedding in your own process: `startGateway({ ai })` and the types its
 * options and answer speak, plus the JSON-lines log `failsoft serve` writes (`LineLog`, `attachEventLog`).
 * `prom-client` loads with this entry (the gateway's `/metrics`), never with `import 'failsoft'`.
 * @example
 * import { createFailsoft } from 'failsoft';
 * import { startGateway, LineLog, attachEventLog } from 'failsoft/gateway';
 * const ai = createFailsoft(config);
 * attachEventLog(ai, new LineLog('info', (line) => process.stdout.write(`${line}\n`)));
 * const gateway = await startGateway({ ai, port: 8787 });
 */
export {
  startGateway,
  type GatewayOptions,
  type RunningGateway,
  type GatewayPages,
  type GatewayReadiness,
  type ServerTimeouts,
} from './gateway-server.js';
export type { GatewayMetrics, GatewayStoreStatus, GatewayAlertCount } from './metrics.js';
export type { AdminIncidentSource } from './admin-routes.js';
export { LineLog, attachEventLog, LOG_LEVELS, type LogLevel, type AccessLogEntry } from './event-log.js';
