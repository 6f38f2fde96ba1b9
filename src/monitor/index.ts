/**
 * The monitor: core dependencies checked apart from AI, and one calm alert per incident.
 * - checks: `runCoreCheck(s)` (postgres, redis, http, tcp, command), `aiHealthChecks` (passive, from `ai.health()` or
 *   `/health/ai`), `probeProviders` (one cheap request per provider+model), `runChecksOnce` (what `failsoft check` runs),
 *   and the Nagios plugin output (`pluginLines`, `reportJson`, exit codes);
 * - serve: `CoreMonitor` (checks on an interval: `/health/ready`, `core-check-failed` / `core-check-recovered`),
 *   `startServeMonitor`;
 * - alerts: `AlertManager` (on the incident tracker's changes), slack / webhook / log channels, delivery with retries.
 */
export { EXIT_CODE, worstStatus, type CheckResult, type CheckStatus } from './check-result.js';
export { checkReport, pluginLines, reportJson, summaryText, type AiSource, type CheckReport } from './check-report.js';
export { runCoreCheck, runCoreChecks } from './core/run-core-check.js';
export { aiHealthChecks, aiSummaryText } from './ai/ai-health-checks.js';
export { probeProviders, probeSummary, probeTargets } from './ai/ai-probes.js';
export { runChecksOnce, type CheckOnceOptions } from './run-checks-once.js';
export { CoreMonitor, type CoreMonitorOptions, type Readiness } from './core-monitor.js';
export {
  startServeMonitor,
  type MonitorRecords,
  type ServeMonitor,
  type ServeMonitorOptions,
} from './serve-monitor.js';
export {
  AlertManager,
  DEFAULT_GROUP_WAIT_MS,
  type AlertManagerOptions,
  type AlertRecord,
} from './alerts/alert-manager.js';
export {
  alertMessage,
  slackPayload,
  testAlertMessage,
  webhookBody,
  type AlertMessage,
  type SlackBlock,
} from './alerts/alert-message.js';
export { deliver, sendOnce, type DeliveryOutcome } from './alerts/alert-delivery.js';
export { AiProber, type ProbeRound, type ProbingEngine } from './ai/ai-prober.js';
