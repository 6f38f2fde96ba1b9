import { z } from 'zod';
import type { SimHttpFaultKind } from './sim-protocol.js';
import { SimDocumentError, documentErrorFromZod, formatDocumentPath } from './sim-document-error.js';

/**
 * Fault rules: what the simulator does to a provider's requests instead of (or before) answering.
 *
 * Semantics, per request that reaches a provider and parses:
 * - Rules are evaluated in document order.
 * - `count` limits a rule to the next n requests that REACH it: every request the rule sees uses one,
 *   whether or not its `rate` roll fires. An exhausted rule is skipped from then on.
 * - `rate` (default 1) is the probability the rule fires, rolled on the simulator's seeded PRNG
 *   (only rules with rate < 1 roll, so adding a certain rule never shifts the random sequence).
 * - `slow` adds `latencyMs` (default 2000) and evaluation continues with the next rule. The delay comes
 *   before anything is sent: a stream's headers and first byte arrive that much later. "Usually 100 ms,
 *   5× that on 10 % of requests" is `[{ kind: slow, latencyMs: 100 }, { kind: slow, latencyMs: 400, rate: 0.1 }]`.
 * - The first other rule that fires decides the outcome; its own `latencyMs` delays that outcome.
 * - `mid_stream_error`, `truncated_stream` and `stall_stream` apply only to streamed requests: a
 *   non-stream request passes over them without using their count. `afterChunks` (default 2) deltas are
 *   sent first; then an error frame, the end of the body, or (`stall_stream`) silence with the socket held
 *   open: a provider that hangs mid-answer.
 * - `timeout` accepts the request and never answers, streamed or not: no status, no headers (the socket is
 *   held until the client gives up or the simulator closes). `reset` destroys the socket without a response.
 * - `slow_stream` is a healthy but long generation, and decides the outcome (evaluation stops there, like
 *   any answer; `slow` rules before it still delay its first byte). A plain-text answer is lengthened to
 *   `chunks` deltas, or to `durationMs / chunkDelayMs + 1` deltas (its own text repeated, within the
 *   request's output cap), and streamed `chunkDelayMs` (default 500) apart, so `durationMs: 20000`
 *   streams for 20 s. Answers that cannot grow (tool calls, JSON mode) spread the same total over their
 *   own deltas. A non-stream request gets the same long answer after the same total delay.
 * - Every other kind is an HTTP error rendered by the provider's protocol (`renderFault`).
 * Faults are decided BEFORE limits: a faulted request does not consume rate budget (`slow_stream`, an
 * answer, does: it passes admission like any answer).
 */

export const FAULT_KINDS = [
  'overloaded',
  'rate_limited',
  'quota_exhausted',
  'server_error',
  'timeout',
  'reset',
  'auth',
  'bad_request',
  'context_length',
  'mid_stream_error',
  'truncated_stream',
  'slow',
  'slow_stream',
  'stall_stream',
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

/** Fault kinds the core handles itself instead of asking the protocol for an HTTP error. */
export type SimCoreFaultKind = Exclude<FaultKind, SimHttpFaultKind>;

/** Fields only a `slow_stream` rule reads. */
const SLOW_STREAM_FIELDS = ['chunkDelayMs', 'chunks', 'durationMs'] as const;

const faultRuleSchema = z
  .strictObject({
    kind: z.enum(FAULT_KINDS),
    rate: z.number().min(0).max(1).optional(),
    count: z.number().int().positive().optional(),
    retryAfterS: z.number().min(0).optional(),
    latencyMs: z.number().min(0).optional(),
    afterChunks: z.number().int().min(0).optional(),
    /** `slow_stream`: pause between deltas (default 500). */
    chunkDelayMs: z.number().positive().optional(),
    /** `slow_stream`: deltas the answer is lengthened to. */
    chunks: z.number().int().positive().optional(),
    /** `slow_stream`: how long the stream lasts (the answer gets `durationMs / chunkDelayMs + 1` deltas). */
    durationMs: z.number().min(0).optional(),
  })
  .superRefine((rule, context) => {
    if (rule.kind !== 'slow_stream') {
      for (const field of SLOW_STREAM_FIELDS) {
        if (rule[field] !== undefined)
          context.addIssue({
            code: 'custom',
            path: [field],
            message: `only applies to kind slow_stream (this rule is ${rule.kind})`,
          });
      }
    } else if (rule.chunks !== undefined && rule.durationMs !== undefined) {
      context.addIssue({ code: 'custom', path: ['durationMs'], message: 'give chunks or durationMs, not both' });
    }
  });

/** One fault rule, e.g. `{ kind: 'overloaded', rate: 0.3 }` or `{ kind: 'timeout', count: 1 }`. */
export type FaultRule = z.infer<typeof faultRuleSchema>;

/** Fault rules per provider name: `{ "openai": [{ "kind": "overloaded", "count": 2 }] }`. */
export type FaultDocument = Record<string, FaultRule[]>;

const faultDocumentSchema = z.record(z.string(), z.array(faultRuleSchema));

const STREAM_ONLY_KINDS: ReadonlySet<FaultKind> = new Set(['mid_stream_error', 'truncated_stream', 'stall_stream']);
const DEFAULT_SLOW_MS = 2000;
/** Pause between a `slow_stream` rule's deltas, when the rule does not say. */
export const DEFAULT_SLOW_STREAM_CHUNK_DELAY_MS = 500;
/** Deltas sent before a stream fault cuts in, when the rule does not say. */
export const DEFAULT_AFTER_CHUNKS = 2;

/**
 * Validates a fault document against the known provider names; throws `SimDocumentError` naming the path.
 * @example parseFaultDocument({ openai: [{ kind: 'overloaded' }] }, ['openai']) // { openai: [...] }
 */
export function parseFaultDocument(input: unknown, knownProviders: readonly string[], root = 'faults'): FaultDocument {
  const result = faultDocumentSchema.safeParse(input, { reportInput: true });
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

/** What the fault rules decided for one request. */
export interface FaultDecision {
  /** The rule that decides the outcome, if any fired (never a `slow` rule). */
  rule: FaultRule | undefined;
  /** Total delay before the outcome: fired `slow` rules plus the deciding rule's own `latencyMs`. */
  latencyMs: number;
}

interface ActiveRule {
  readonly rule: FaultRule;
  /** Requests left for a rule with `count`; undefined = unlimited. */
  remaining: number | undefined;
}

/** The live rules of one provider, with their remaining counts. */
export class FaultRuleSet {
  private readonly active: ActiveRule[];

  constructor(readonly rules: readonly FaultRule[]) {
    this.active = rules.map((rule) => ({ rule, remaining: rule.count }));
  }

  /** Evaluates the rules for one request (see the module comment); undefined = answer normally, now. */
  decide(stream: boolean, random: () => number): FaultDecision | undefined {
    let latencyMs = 0;
    for (const entry of this.active) {
      const { rule } = entry;
      if (!stream && STREAM_ONLY_KINDS.has(rule.kind)) continue;
      if (entry.remaining !== undefined) {
        if (entry.remaining <= 0) continue;
        entry.remaining -= 1;
      }
      const rate = rule.rate ?? 1;
      if (rate < 1 && !(random() < rate)) continue;
      if (rule.kind === 'slow') {
        latencyMs += rule.latencyMs ?? DEFAULT_SLOW_MS;
        continue;
      }
      return { rule, latencyMs: latencyMs + (rule.latencyMs ?? 0) };
    }
    return latencyMs > 0 ? { rule: undefined, latencyMs } : undefined;
  }

  /** Requests left per rule (undefined = unlimited), in document order. */
  remainingCounts(): (number | undefined)[] {
    return this.active.map((entry) => entry.remaining);
  }
}
