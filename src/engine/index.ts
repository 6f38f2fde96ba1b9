/** The engine: features, tiers, routes, the router, fallbacks, switches, events, health. */
export { createFailsoft, Failsoft, type FailsoftOptions, DEFAULT_MAX_OUTPUT_TOKENS } from './failsoft.js';
export { resolveConfig, loadConfigFile, type ResolvedConfig, type ResolvedFeature, type ResolvedProvider, type Tier, type Priority } from './config/resolve-config.js';
export type { FailsoftConfig, FallbackFunction } from './config/config-schema.js';
export { leadSentences, textFallback } from './fallbacks.js';
export type { FailsoftEvent, FailsoftEventMap, FailsoftEventType, FeatureMode, SharedStateEvent } from './events.js';
export { describeEvent, type EventLevel } from './event-messages.js';
export type { GenerateResult, CallOptions, FailsoftStreamEvent, StreamStartEvent } from './results.js';
export type { HealthReport, ProviderHealth, FeatureHealth, RouteHealth } from './health.js';
export type { SharedStateHealth } from './health.js';
export { Switches } from './switches.js';
export { probeTarget, PROBE_DEADLINE_MS as ENGINE_PROBE_DEADLINE_MS, type ProbeResult } from './probe-target.js';
