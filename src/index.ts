/**
 * failsoft: keeps products running when the AI APIs they depend on are overloaded, rate-limited
 * or down. The library face: `createFailsoft(config)` and everything it speaks.
 *
 * Every export is named here on purpose: this list is the package's promise, so nothing internal leaks in
 * through a `export *` and adding a name is a decision (`src/entry-points.test.ts` holds the expected list).
 * Other faces have their own entry points, loaded only by those who import them: `failsoft/testing`,
 * `failsoft/gateway`, `failsoft/policy` and `failsoft/redis` (the only one that loads `ioredis`).
 */

// The engine.
export { createFailsoft, Failsoft, type FailsoftOptions } from './engine/failsoft.js';
export type { Switches } from './engine/switches.js';
export type { GenerateResult, CallOptions, FailsoftStreamEvent, StreamStartEvent } from './engine/results.js';
export type {
  HealthReport,
  ProviderHealth,
  FeatureHealth,
  RouteHealth,
  SharedStateHealth,
  BreakerStateName,
} from './engine/health.js';

// Configuration.
export {
  resolveConfig,
  loadConfigFile,
  type ResolveOptions,
  type ResolvedConfig,
  type ResolvedFeature,
  type ResolvedProvider,
  type ResolvedRouteEntry,
  type Tier,
  type Priority,
} from './engine/config/resolve-config.js';
export type {
  FailsoftConfig,
  ProviderConfig,
  FeatureConfig,
  LimitsConfig,
  FallbackFunction,
} from './engine/config/config-schema.js';
export { leadSentences, textFallback } from './engine/fallbacks.js';

// Events.
export type {
  FailsoftEvent,
  FailsoftEventMap,
  FailsoftEventType,
  FeatureMode,
  SharedStateEvent,
  JobEvent,
} from './engine/events.js';
export { describeEvent, type EventLevel } from './engine/event-messages.js';

// Errors and the failure taxonomy.
export {
  FailsoftError,
  ProviderError,
  RateLimitedError,
  QuotaExhaustedError,
  OverloadedError,
  ServerError,
  TimeoutError,
  NetworkError,
  AuthError,
  NotFoundError,
  BadRequestError,
  ContextLengthError,
  ContentFilterError,
  AIUnavailableError,
  RequestError,
  UnknownFeatureError,
  TierError,
  ConfigError,
  providerError,
  ERROR_CLASSES,
  ERROR_POLICY,
  type ErrorClass,
  type ErrorPolicy,
  type FailsoftErrorData,
  type ProviderErrorInit,
  type RateLimitSnapshot,
  type RateLimitDimension,
  type AttemptRecord,
  type ConfigIssue,
} from './model/errors.js';

// Requests, answers, streams, time and cancellation.
export type {
  GenerateRequest,
  Message,
  Role,
  ContentPart,
  AnswerPart,
  TextPart,
  ToolCallPart,
  ToolResultPart,
  ImagePart,
  InlineImagePart,
  UrlImagePart,
  ImageMediaType,
  ToolDefinition,
  ToolChoice,
  ResponseFormat,
} from './model/message.js';
export type { ProviderResponse, Usage, FinishReason } from './model/response.js';
export type { StreamEvent } from './model/stream-event.js';
export type { Clock } from './model/clock.js';
export { CancelSource, type CancelSignal } from './model/cancel-signal.js';

// Where policy state lives (Redis: `failsoft/redis`).
export {
  MemoryPolicyState,
  FallbackPolicyState,
  type FallbackPolicyStateOptions,
  type FallbackPolicyStateStatus,
  type SharedStateChange,
  type PolicyState,
  type BucketSpec,
  type BucketTake,
  type BucketAdjustment,
  type BucketLowering,
  type TakeBucketsResult,
  type BreakerRecord,
  type VersionedBreakerRecord,
  type WriteBreakerResult,
} from './state/index.js';

// Providers: the adapters the engine builds from config, for use on their own or passed in `adapters`.
export { createAdapter } from './providers/create-adapter.js';
export type {
  ProviderAdapter,
  ProviderEndpoint,
  ProviderType,
  AttemptOptions,
  ProviderStream,
  ProviderCallResult,
} from './providers/provider-adapter.js';
export type { HttpTransportOptions } from './providers/http-transport.js';
