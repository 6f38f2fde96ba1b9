import { z } from 'zod';
import type { GenerateRequest } from '../../model/message.js';
import { corsOriginProblem } from './cors-origins.js';
import { parseDurationText } from './duration.js';
import { jobNameSchema, jobSchema, planningSchema, schedulerSchema } from './jobs-schema.js';
import { checksSchema } from './checks-schema.js';
import { alertsSchema } from './alerts-schema.js';
import { auditSchema } from './audit-schema.js';

/**
 * The configuration document: the same shape whether it comes from `failsoft.yaml` or an object
 * passed to `createFailsoft`. Structure is checked here; cross-references (routes naming providers,
 * tier rules) in `resolve-config.ts`, so every error names the path of the bad key.
 */

const positive = z.number().positive();
const positiveInt = z.number().int().positive();

export const limitsSchema = z.strictObject({
  /** Requests per minute. */
  rpm: positive.optional(),
  /** Input tokens per minute (Anthropic-style). */
  itpm: positive.optional(),
  /** Output tokens per minute (Anthropic-style). */
  otpm: positive.optional(),
  /** Combined tokens per minute (OpenAI-style). */
  tpm: positive.optional(),
});

export const providerSchema = z.strictObject({
  type: z.enum(['anthropic', 'openai', 'gemini', 'openai-compatible']),
  baseUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  /** Name of the environment variable holding the API key. */
  apiKeyEnv: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name')
    .optional(),
  /** The key itself: only accepted in code, never in a config file (see loadConfigFile). */
  apiKey: z.string().min(1).optional(),
  headers: z.record(z.string(), z.string()).optional(),
  limits: limitsSchema.optional(),
  /** Share of each rate budget that batch traffic cannot take (default 0.2). */
  batchReserve: z.number().min(0).max(0.9).optional(),
  /** Per attempt: a non-streamed answer must arrive, or a stream reach its first content, within this many ms (else a timeout: the route moves on). */
  attemptTimeoutMs: positiveInt.optional(),
  /** Concurrent requests allowed to this provider (bulkhead); unlimited when absent. */
  maxConcurrent: positiveInt.optional(),
  /**
   * Fixed liveness timeouts instead of learned ones (ms): `headersMs` (stream accepted), `firstTokenMs` (first content,
   * from the attempt's start), `idleMs` (longest silence once content flows). For models that think before answering.
   */
  liveness: z
    .strictObject({
      headersMs: positiveInt.optional(),
      firstTokenMs: positiveInt.optional(),
      idleMs: positiveInt.optional(),
    })
    .optional(),
  /** Stream from this provider even when the caller wants one answer, so a hang shows in seconds (default true). */
  streamUpstream: z.boolean().optional(),
});

const routeEntryObject = z.strictObject({
  provider: z.string().min(1),
  model: z.string().min(1),
  /** Context window in tokens: a context_length failure moves only to entries with a larger one. */
  contextWindow: positiveInt.optional(),
});

export const routeEntrySchema = z.union([
  z.string().regex(/^[^/\s]+\/\S+$/, 'must be "provider/model"'),
  routeEntryObject,
]);

/** A function fallback: computes the degraded answer from the request (code only). */
export type FallbackFunction = (request: GenerateRequest) => string | Promise<string>;

const jsonFallback = z.record(z.string(), z.unknown());
const fallbackSchema = z.union([
  // `json`: the answer to JSON-mode requests (and to every request when it is the only fallback).
  z.strictObject({ text: z.string(), json: jsonFallback.optional() }),
  z.strictObject({ leadSentences: positiveInt, json: jsonFallback.optional() }),
  z.strictObject({ json: jsonFallback }),
  z.custom<FallbackFunction>(
    (value) => typeof value === 'function',
    'must be { text }, { leadSentences }, { json } or a function',
  ),
]);

export const featureSchema = z.strictObject({
  tier: z.enum(['critical', 'enhanced', 'ai-only']),
  route: z.array(routeEntrySchema).optional(),
  /** One deadline shared by every attempt of a request (default 30 s). */
  deadlineMs: positiveInt.optional(),
  fallback: fallbackSchema.optional(),
  /** Rate-budget priority: interactive traffic keeps a reserve that batch traffic cannot take. */
  priority: z.enum(['interactive', 'batch']).optional(),
  /** Output cap used when a request gives none (and for budget reservations). */
  maxOutputTokens: positiveInt.optional(),
  /** Same-provider retries allowed per route entry (default 2), within the retry budget. */
  maxRetries: z.number().int().min(0).max(5).optional(),
  /** Move on to the next provider when one refuses on content grounds (default false). */
  contentFilterFallover: z.boolean().optional(),
  /** Start with the feature switched off. */
  enabled: z.boolean().optional(),
  /** Interactive calls start the next route entry beside a primary slower than usual (default true). */
  hedge: z.boolean().optional(),
  /**
   * Longest an interactive call waits for rate budget, a cool-down or a same-provider retry before it degrades
   * (fallback or 503) instead (default 1000 ms; batch calls wait up to their deadline).
   */
  maxWaitMs: z.number().int().min(0).optional(),
});

const breakerSchema = z.strictObject({
  consecutiveFailures: positiveInt.optional(),
  failureRatio: z.number().gt(0).max(1).optional(),
  minimumVolume: positiveInt.optional(),
  windowMs: positiveInt.optional(),
  openMs: positiveInt.optional(),
  maxOpenMs: positiveInt.optional(),
  halfOpenMaxProbes: positiveInt.optional(),
  probesToClose: positiveInt.optional(),
  longOpenMs: positiveInt.optional(),
});

const retrySchema = z.strictObject({
  baseMs: positiveInt.optional(),
  capMs: positiveInt.optional(),
  /** Retries may be at most this share of requests over the window (default 0.1). */
  budgetRatio: z.number().min(0).max(1).optional(),
  budgetWindowMs: positiveInt.optional(),
  /** Retries always allowed per window, so low-traffic jobs can still retry (default 3). */
  budgetMinRetries: z.number().int().min(0).optional(),
});

const livenessSchema = z.strictObject({
  headersFloorMs: positiveInt.optional(),
  firstTokenFloorMs: positiveInt.optional(),
  factor: z.number().min(1).optional(),
  capMs: positiveInt.optional(),
  perThousandInputTokensMs: z.number().min(0).optional(),
  idleMs: positiveInt.optional(),
  batchFactor: z.number().min(1).optional(),
});

const hedgeSchema = z.strictObject({
  /** Hedges per interactive request over the window, at most (default 0.05). */
  budgetRatio: z.number().min(0).max(1).optional(),
  minPerWindow: z.number().int().min(0).optional(),
  windowMs: positiveInt.optional(),
  delayFactor: z.number().min(1).optional(),
  medianFactor: z.number().min(1).optional(),
  minDelayMs: z.number().int().min(0).optional(),
  coldDelayMs: positiveInt.optional(),
});

const clientSchema = z.strictObject({
  /** SHA-256 of the client's key: `sha256:<64 hex digits>` (the key itself is never stored). */
  keyHash: z
    .string()
    .regex(/^sha256:[0-9a-fA-F]{64}$/, 'must be "sha256:<64 hex digits>" (e.g. from `printf %s "$KEY" | sha256sum`)'),
  /** Features this client may call (default: every feature). */
  features: z.array(z.string().min(1)).optional(),
  /** Rate-budget priority of this client's calls (default: each feature's own). */
  priority: z.enum(['interactive', 'batch']).optional(),
});

export const gatewaySchema = z.strictObject({
  /** Client keys: when any is configured, every AI route needs one. */
  clients: z
    .record(z.string().regex(/^[A-Za-z0-9_.-]+$/, 'client names use letters, digits, _ . -'), clientSchema)
    .optional(),
  /** Extra names a request's `model` may use for a feature: `{ alias: feature }`. */
  aliases: z.record(z.string().regex(/^\S+$/, 'aliases contain no spaces'), z.string().min(1)).optional(),
  /** Browser origins (`https://app.example.com`) whose pages may call the AI routes; `*` only with client keys. */
  corsOrigins: z
    .array(
      z.string().superRefine((value, ctx) => {
        const problem = corsOriginProblem(value);
        if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
      }),
    )
    .optional(),
});

export const incidentsSchema = z.strictObject({
  /** How long every component involved must stay healthy before an incident closes (`30s`, `5m`, `1h`; default 5m). */
  quietPeriod: z
    .string()
    .refine((text) => parseDurationText(text) !== undefined, 'must be a duration like "30s", "5m" or "1h"')
    .optional(),
});

export const storeSchema = z.strictObject({
  /** Where the embedded database keeps its data (default `./.failsoft`); unused when DATABASE_URL is set. */
  dir: z.string().min(1).optional(),
  /** Records older than this many days are pruned, hourly (default 30). */
  retainDays: z.number().int().min(1).max(3650).optional(),
  /** Records kept in memory while the database is away; beyond it the oldest are dropped and counted (default 10000). */
  bufferRecords: z.number().int().min(100).max(10_000_000).optional(),
  /** Keep records in memory only: nothing written to disk or a database; incidents are lost on restart (default false). */
  memory: z.boolean().optional(),
});

export const configSchema = z.strictObject({
  /** Master switch; the AI_ENABLED environment variable overrides it. */
  aiEnabled: z.boolean().optional(),
  providers: z
    .record(z.string().regex(/^[A-Za-z0-9_.-]+$/, 'provider names use letters, digits, _ . -'), providerSchema)
    .optional(),
  features: z
    .record(z.string().regex(/^[A-Za-z0-9_.:-]+$/, 'feature names use letters, digits, _ . : -'), featureSchema)
    .optional(),
  policies: z
    .strictObject({
      breaker: breakerSchema.optional(),
      retry: retrySchema.optional(),
      liveness: livenessSchema.optional(),
      hedge: hedgeSchema.optional(),
      /** `settleMs`: how long a feature's better mode must hold before it is reported back (default 5000; 0 = at once). */
      modes: z.strictObject({ settleMs: z.number().int().min(0).optional() }).optional(),
    })
    .optional(),
  /** `failsoft serve` only: client keys and model aliases. */
  gateway: gatewaySchema.optional(),
  /** How state changes group into incidents. */
  incidents: incidentsSchema.optional(),
  /** AI cron jobs: schedule, command and expected load (`failsoft plan`, the job runner). */
  jobs: z.record(jobNameSchema, jobSchema).optional(),
  /** How the planner places jobs: the budget share kept for interactive traffic, windows to avoid. */
  planning: planningSchema.optional(),
  /** The job runner (`serve`, `run-jobs`): the gateway jobs call when run outside `serve`, the claim lease. */
  scheduler: schedulerSchema.optional(),
  /** The durable record (events, incidents, job runs, switches, aggregates): embedded, or PostgreSQL with DATABASE_URL. */
  store: storeSchema.optional(),
  /** Core dependencies checked apart from AI (`/health/ready`, `failsoft check`), and how AI is judged. */
  checks: checksSchema.optional(),
  /** Where incident alerts go: slack, webhook or log channels. */
  alerts: alertsSchema.optional(),
  /** `failsoft audit`: the tier-1 files that must not reach an AI client. */
  audit: auditSchema.optional(),
});

/** The configuration as written (YAML file or object). */
export type FailsoftConfig = z.input<typeof configSchema>;
export type ProviderConfig = z.infer<typeof providerSchema>;
export type FeatureConfig = z.infer<typeof featureSchema>;
export type LimitsConfig = z.infer<typeof limitsSchema>;
export type BreakerConfig = z.infer<typeof breakerSchema>;
export type RetryConfig = z.infer<typeof retrySchema>;
export type LivenessConfig = z.infer<typeof livenessSchema>;
export type HedgeConfig = z.infer<typeof hedgeSchema>;
export type GatewayConfig = z.infer<typeof gatewaySchema>;
export type StoreConfig = z.infer<typeof storeSchema>;
