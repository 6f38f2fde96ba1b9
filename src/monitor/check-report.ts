/**
 * A run of the checks as one report, printed as a Nagios/Icinga plugin does: a first line
 * `FAILSOFT CRITICAL - db: connection refused (127.0.0.1:5432) | db_ms=3;;;0 api_ms=12;;;0`, then one line per
 * check with its timing; or the same as JSON.
 */
import { EXIT_CODE, worstStatus, type CheckResult, type CheckStatus } from './check-result.js';

/** Where the AI part of a report came from. */
export type AiSource = 'probes' | 'serve' | 'engine' | 'not-checked' | 'skipped';

/** The checks of one run, with notes (what was not checked, and why). */
export interface CheckReport {
  status: CheckStatus;
  results: CheckResult[];
  ai: AiSource;
  notes: string[];
}

/** Builds a report: its status is the worst of its results. */
export function checkReport(results: CheckResult[], ai: AiSource, notes: string[] = []): CheckReport {
  return { status: worstStatus(results.map((r) => r.status)), results, ai, notes };
}

function upper(status: CheckStatus): string {
  return status.toUpperCase();
}

function perfLabel(result: CheckResult): string {
  const base = result.name.replace(/[^A-Za-z0-9_]+/g, '_');
  return result.group === 'ai' && result.name !== 'ai' ? `ai_${base}_ms` : `${base}_ms`;
}

/** The text after `FAILSOFT STATUS - `: what is wrong, core first; or what is fine. */
export function summaryText(report: CheckReport): string {
  const bad = report.results.filter((r) => r.status !== 'ok');
  const core = report.results.filter((r) => r.group === 'core');
  const coreBad = bad.filter((r) => r.group === 'core');
  const aiSummary = report.results.find((r) => r.group === 'ai' && r.name === 'ai');
  const aiBad = bad.filter((r) => r.group === 'ai' && r.name !== 'ai');
  const parts: string[] = coreBad.map((r) => `${r.name}: ${r.detail}`);
  if (coreBad.length === 0 && core.length > 0)
    parts.push(`core OK (${core.length} check${core.length === 1 ? '' : 's'})`);
  if (aiSummary) parts.push(aiSummary.detail);
  else if (aiBad.length > 0) parts.push(...aiBad.map((r) => `${r.name}: ${r.detail}`));
  if (report.ai === 'not-checked') parts.push('AI not checked');
  if (parts.length === 0) parts.push('nothing to check');
  return parts.join('; ');
}

/**
 * The plugin output: the status line with perfdata, then a line per check and the notes.
 * @example pluginLines(report)[0] // 'FAILSOFT CRITICAL - db: connection refused (127.0.0.1:5432); AI ok | db_ms=3;;;0'
 */
export function pluginLines(report: CheckReport): string[] {
  const perf = report.results.map((r) => `${perfLabel(r)}=${r.ms};;;0`).join(' ');
  const first = `FAILSOFT ${upper(report.status)} - ${summaryText(report)}${perf === '' ? '' : ` | ${perf}`}`;
  const width = Math.max(4, ...report.results.map((r) => r.name.length));
  const lines = report.results.map(
    (r) =>
      `${r.group.padEnd(4)}  ${r.name.padEnd(width)}  ${upper(r.status).padEnd(8)}  ${String(r.ms).padStart(5)} ms  ${r.detail}`,
  );
  return [first, ...lines, ...report.notes.map((note) => `note: ${note}`)];
}

/** The report as JSON: the same facts as the plugin output, with the exit code. */
export function reportJson(report: CheckReport): Record<string, unknown> {
  return {
    status: upper(report.status),
    exitCode: EXIT_CODE[report.status],
    summary: summaryText(report),
    ai: report.ai,
    checks: report.results.map((r) => ({
      name: r.name,
      group: r.group,
      status: upper(r.status),
      detail: r.detail,
      ms: r.ms,
    })),
    notes: report.notes,
  };
}
