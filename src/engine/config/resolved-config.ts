/**
 * The resolved configuration's shapes: what `resolveConfig` returns after validation, defaults and secrets, and
 * what the engine, the gateway and the CLI read. The resolution itself is in `resolve-config.ts`.
 */
import type { ProviderType } from '../../providers/provider-adapter.js';
import type {
  BreakerConfig,
  FallbackFunction,
  HedgeConfig,
  LimitsConfig,
  LivenessConfig,
  RetryConfig,
} from './config-schema.js';
import type { LivenessOverride } from '../../policy/liveness.js';
import type { ResolvedJob, ResolvedPlanning, ResolvedScheduler } from './jobs-config.js';
import type { ResolvedChecks } from './checks-config.js';
import type { ResolvedAlerts } from './alerts-config.js';

export type Tier = 'critical' | 'enhanced' | 'ai-only';
export type Priority = 'interactive' | 'batch';

export interface ResolvedRouteEntry {
  provider: string;
  model: string;
  /** `provider/model`: the key of this entry's breaker and statistics. */
  key: string;
  contextWindow?: number;
}

export interface ResolvedFeature {
  name: string;
  tier: Tier;
  route: ResolvedRouteEntry[];
  deadlineMs: number;
  fallback?: FallbackFunction;
  priority: Priority;
  maxOutputTokens?: number;
  maxRetries: number;
  contentFilterFallover: boolean;
  enabled: boolean;
  /** Interactive calls may hedge (start the next entry beside a slow one). */
  hedge: boolean;
  /** Longest an interactive call waits for budget, a cool-down or a retry before it degrades. */
  maxWaitMs: number;
}

export interface ResolvedProvider {
  name: string;
  type: ProviderType;
  baseUrl: string;
  apiKey?: string;
  /** Set when `apiKeyEnv` names a variable that is not set: calls fail as `auth` without a request. */
  missingKeyEnv?: string;
  headers: Record<string, string>;
  limits?: LimitsConfig;
  batchReserve: number;
  attemptTimeoutMs?: number;
  maxConcurrent?: number;
  /** Fixed liveness timeouts (no learning). */
  liveness?: LivenessOverride;
  /** Non-streamed calls are streamed from the provider (liveness visible). */
  streamUpstream: boolean;
}

/** A gateway client: its key's SHA-256, what it may call, and its priority. */
export interface ResolvedGatewayClient {
  name: string;
  /** SHA-256 of the key, lower-case hex (64 digits). */
  keyHash: string;
  /** Allowed features; undefined = every feature. */
  features?: string[];
  priority?: Priority;
  /**
   * Known when its key is presented, but never makes keys required: the job runner's per-job keys (priority batch),
   * added by `serve`, so jobs' calls are batch traffic even on a gateway open to everyone.
   */
  optional?: boolean;
}

/** `failsoft serve` settings: client keys (none = open) and aliases (alias → feature). */
export interface ResolvedGateway {
  clients: Record<string, ResolvedGatewayClient>;
  aliases: Record<string, string>;
  /** Browser origins allowed on the AI routes, as browsers send them (`*`: every origin, only with clients); absent = none. */
  corsOrigins?: string[];
}

export interface ResolvedConfig {
  aiEnabled: boolean;
  providers: Record<string, ResolvedProvider>;
  features: Record<string, ResolvedFeature>;
  breaker: BreakerConfig;
  retry: RetryConfig;
  /** Liveness and hedging settings as configured (defaults applied by the engine); absent in older resolved configs. */
  liveness?: LivenessConfig;
  hedge?: HedgeConfig;
  /** How long a feature's better mode must hold before it is reported (ms); absent = the engine's default. */
  modeSettleMs?: number;
  /** Absent in configs resolved before the gateway had settings; read as no clients, no aliases. */
  gateway?: ResolvedGateway;
  /** How events group into incidents; absent = the defaults (quiet period 5 min). */
  incidents?: { quietPeriodMs: number };
  /** AI cron jobs by name; absent = none. */
  jobs?: Record<string, ResolvedJob>;
  /** Planner settings; absent = the defaults (reserve 0.2, no avoid windows). */
  planning?: ResolvedPlanning;
  /** The job runner's settings; absent = the defaults (lease 30 s, no gateway outside `serve`). */
  scheduler?: ResolvedScheduler;
  /** The durable record's settings with defaults applied; absent when the config has no `store` section (the defaults). */
  store?: ResolvedStore;
  /** Core checks and how AI is judged; absent = no core checks, passive AI (`DEFAULT_CHECKS`). */
  checks?: ResolvedChecks;
  /** Alert channels; absent = none. */
  alerts?: ResolvedAlerts;
}

/** `store` settings: the embedded database's directory, retention and the writer's buffer bound. */
export interface ResolvedStore {
  dir: string;
  retainDays: number;
  bufferRecords: number;
  /** Records in memory only (nothing on disk, lost on restart). */
  memory?: boolean;
}

export interface ResolveOptions {
  /** Where secrets and AI_ENABLED come from (default process.env). */
  env?: Record<string, string | undefined>;
  /** Name of the document for error messages (a file path). */
  source?: string;
  /** Files may not carry secrets; objects in code may. */
  allowInlineSecrets?: boolean;
}
