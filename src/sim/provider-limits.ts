import { z } from 'zod';
import type { Clock } from '../model/clock.js';
import type { RateLimitDimension, RateLimitSnapshot } from '../model/errors.js';
import type { SimLimitDimension } from './sim-protocol.js';
import { SimDocumentError, documentErrorFromZod, formatDocumentPath } from './sim-document-error.js';
import { TokenBucket } from './token-bucket.js';

const providerLimitsSchema = z
  .strictObject({
    rpm: z.number().positive().optional(),
    itpm: z.number().positive().optional(),
    otpm: z.number().positive().optional(),
    tpm: z.number().positive().optional(),
  })
  .refine((limits) => Object.values(limits).some((value) => value !== undefined), {
    message: 'must set at least one of rpm, itpm, otpm, tpm',
  });

/**
 * One provider's per-minute limits: requests (`rpm`), input tokens (`itpm`), output tokens (`otpm`)
 * and combined tokens (`tpm`, OpenAI-style).
 */
export type ProviderLimitsConfig = z.infer<typeof providerLimitsSchema>;

/** Limits per provider name; `null` (in an update) removes that provider's limits. */
export type LimitsDocument = Record<string, ProviderLimitsConfig | null>;

const limitsDocumentSchema = z.record(z.string(), providerLimitsSchema.nullable());

/**
 * Validates a limits document against the known provider names; throws `SimDocumentError` naming the path.
 * @example parseLimitsDocument({ anthropic: { rpm: 50, itpm: 40000 } }, ['anthropic'])
 */
export function parseLimitsDocument(
  input: unknown,
  knownProviders: readonly string[],
  root = 'limits',
): LimitsDocument {
  const result = limitsDocumentSchema.safeParse(input, { reportInput: true });
  if (!result.success) throw documentErrorFromZod(root, result.error);
  for (const name of Object.keys(result.data)) {
    if (!knownProviders.includes(name)) {
      throw new SimDocumentError(
        formatDocumentPath(root, [name]),
        `unknown provider (known: ${knownProviders.join(', ')})`,
      );
    }
  }
  return result.data;
}

/** Why a request was refused: the first bucket that could not serve it. */
export interface LimitRefusal {
  dimension: SimLimitDimension;
  limit: number;
  requested: number;
  retryAfterMs: number;
}

/** What admission needs to know about a request. */
export interface LimitDemand {
  inputTokens: number;
  maxOutputTokens: number;
}

/**
 * A provider's live token buckets. Admission is all-or-nothing: when any bucket refuses, nothing is
 * taken. `requests` needs 1; `tokens` (tpm) needs input + max output, refunded down to the actual
 * output after the answer; `input_tokens` needs the input; `output_tokens` only refuses when empty
 * (below 1) and is charged the actual output after the answer (it may go negative).
 */
export class ProviderLimits {
  private readonly requests: TokenBucket | undefined;
  private readonly tokens: TokenBucket | undefined;
  private readonly inputTokens: TokenBucket | undefined;
  private readonly outputTokens: TokenBucket | undefined;

  constructor(
    readonly config: ProviderLimitsConfig,
    clock: Clock,
  ) {
    this.requests = config.rpm === undefined ? undefined : new TokenBucket(config.rpm, clock);
    this.tokens = config.tpm === undefined ? undefined : new TokenBucket(config.tpm, clock);
    this.inputTokens = config.itpm === undefined ? undefined : new TokenBucket(config.itpm, clock);
    this.outputTokens = config.otpm === undefined ? undefined : new TokenBucket(config.otpm, clock);
  }

  /** Admits a request (taking from every bucket) or returns the refusal (taking nothing). */
  admit(demand: LimitDemand): LimitRefusal | undefined {
    const refusal =
      refuse(this.requests, 'requests', 1) ??
      refuse(this.tokens, 'tokens', demand.inputTokens + demand.maxOutputTokens) ??
      refuse(this.inputTokens, 'input_tokens', demand.inputTokens) ??
      refuse(this.outputTokens, 'output_tokens', 1);
    if (refusal) return refusal;
    this.requests?.take(1);
    this.tokens?.take(demand.inputTokens + demand.maxOutputTokens);
    this.inputTokens?.take(demand.inputTokens);
    return undefined;
  }

  /** Settles an admitted request once its output is known: tpm refund, otpm charge. */
  settle(demand: LimitDemand, outputTokens: number): void {
    this.tokens?.give(Math.max(0, demand.maxOutputTokens - outputTokens));
    this.outputTokens?.take(outputTokens);
  }

  /** The buckets' state for rate-limit headers and 429 bodies. */
  snapshot(): RateLimitSnapshot {
    const snapshot: RateLimitSnapshot = {};
    if (this.requests) snapshot.requests = dimension(this.requests);
    if (this.tokens) snapshot.tokens = dimension(this.tokens);
    if (this.inputTokens) snapshot.inputTokens = dimension(this.inputTokens);
    if (this.outputTokens) snapshot.outputTokens = dimension(this.outputTokens);
    return snapshot;
  }
}

function refuse(bucket: TokenBucket | undefined, name: SimLimitDimension, amount: number): LimitRefusal | undefined {
  if (!bucket || bucket.has(amount)) return undefined;
  return {
    dimension: name,
    limit: bucket.capacity,
    requested: amount,
    retryAfterMs: bucket.msUntil(Math.min(amount, bucket.capacity)),
  };
}

function dimension(bucket: TokenBucket): RateLimitDimension {
  return {
    limit: bucket.capacity,
    remaining: Math.max(0, Math.floor(bucket.available())),
    resetMs: bucket.msUntilFull(),
  };
}
