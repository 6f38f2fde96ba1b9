import type { AttemptRecord } from '../model/errors.js';
import { Deadline } from '../policy/deadline.js';
import type { ResolvedFeature } from './config/resolve-config.js';
import { generateAttempt } from './open-stream.js';
import type { RouteTarget } from './route-target.js';
import { route, type RouterDeps } from './router.js';

/** What one active probe found. */
export interface ProbeResult {
  /** `provider/model`. */
  key: string;
  /** answered: the provider answered; failed: it did not (the attempt's class in `detail`); skipped: its breaker is open or it is cooling down. */
  outcome: 'answered' | 'failed' | 'skipped';
  detail: string;
  ms: number;
  attempts: AttemptRecord[];
}

/** Longest a probe waits for its one-token answer. */
export const PROBE_DEADLINE_MS = 15_000;
const PING = { messages: [{ role: 'user' as const, content: 'ping' }], maxOutputTokens: 1 };

/**
 * One cheap request (one output token, batch priority, no retry, no hedge) to one route entry through the
 * engine's own breaker, cool-down and rate budget, as traffic would go: an open breaker or a cool-down is
 * skipped, never forced; a half-open breaker takes the probe as its trial call, so a provider that came back
 * while nobody called it is closed again before the next user needs it.
 * @example const result = await probeTarget(deps, target, clock); // { key: 'claude/claude-sonnet-4-5', outcome: 'answered', … }
 */
export async function probeTarget(deps: RouterDeps, target: RouteTarget): Promise<ProbeResult> {
  const feature: ResolvedFeature = {
    name: `(probe ${target.entry.key})`,
    tier: 'ai-only',
    route: [target.entry],
    deadlineMs: PROBE_DEADLINE_MS,
    priority: 'batch',
    maxOutputTokens: 1,
    maxRetries: 0,
    contentFilterFallover: false,
    enabled: true,
    hedge: false,
    maxWaitMs: 0,
  };
  const started = deps.clock.now();
  const deadline = new Deadline({ timeoutMs: PROBE_DEADLINE_MS, clock: deps.clock });
  try {
    const outcome = await route(
      deps,
      {
        feature,
        targets: [target],
        deadline,
        streams: (t) => t.provider.streamUpstream,
        inputTokens: 4,
        maxOutputTokens: 1,
        priority: 'batch',
      },
      generateAttempt(PING),
    );
    const ms = deps.clock.now() - started;
    if (outcome.ok) {
      outcome.settle(outcome.value.usage);
      return { key: target.entry.key, outcome: 'answered', detail: 'probe answered', ms, attempts: outcome.attempts };
    }
    const last = outcome.attempts.at(-1);
    const skipped = last?.outcome.startsWith('skipped-');
    const detail =
      last === undefined ? 'not tried' : `${last.outcome}${last.status === undefined ? '' : ` (${last.status})`}`;
    return { key: target.entry.key, outcome: skipped ? 'skipped' : 'failed', detail, ms, attempts: outcome.attempts };
  } finally {
    deadline.dispose();
  }
}
