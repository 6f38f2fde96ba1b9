/**
 * What every check returns, core or AI: a status in the Nagios sense, one line saying why, and how long it took.
 */

/** ok < warning < critical; `unknown`: the check itself could not run. */
export type CheckStatus = 'ok' | 'warning' | 'critical' | 'unknown';

/** The outcome of one check. */
export interface CheckResult {
  /** The check's name (`db`, `api`) or, for AI, the provider model (`claude/claude-sonnet-4-5`) or `ai`. */
  name: string;
  group: 'core' | 'ai';
  status: CheckStatus;
  /** One line: `connection refused (127.0.0.1:5432)`, `HTTP 500 (expected 2xx)`, `ok`. */
  detail: string;
  /** Wall time of the check, ms. */
  ms: number;
}

/** Nagios exit codes. */
export const EXIT_CODE: Record<CheckStatus, number> = { ok: 0, warning: 1, critical: 2, unknown: 3 };

const RANK: Record<CheckStatus, number> = { ok: 0, warning: 1, unknown: 2, critical: 3 };

/**
 * The worst status of a list (critical beats unknown beats warning beats ok); ok for none.
 * @example worstStatus(['ok', 'warning']) // 'warning'
 */
export function worstStatus(statuses: Iterable<CheckStatus>): CheckStatus {
  let worst: CheckStatus = 'ok';
  for (const status of statuses) if (RANK[status] > RANK[worst]) worst = status;
  return worst;
}
