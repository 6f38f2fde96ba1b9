import type { AuditResult } from './audit.js';

/**
 * How an audit is shown: lines for a terminal (violations as `a.ts → b.ts → openai`), or one JSON document
 * for CI with the same facts.
 */

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The report for people: a summary line, one line per violation, then exemptions. Warnings are apart (`warningLines`). */
export function reportLines(result: AuditResult): string[] {
  const scope = `${plural(result.critical.length, 'critical file')} (${plural(result.files, 'file')} read, ${result.ms} ms)`;
  const lines = [
    result.violations.length === 0
      ? `failsoft audit: OK, no AI client reachable from ${scope}`
      : `failsoft audit: ${plural(result.violations.length, 'violation')}: tier-1 code reaches an AI client from ${scope}`,
  ];
  for (const violation of result.violations)
    lines.push(`  ${violation.chain.join(' → ')}${violation.kind === 'host' ? ' (API host written literally)' : ''}`);
  if (result.ignored.length > 0) {
    lines.push(`exempted by failsoft-audit-ignore (${result.ignored.length}):`);
    for (const site of result.ignored) lines.push(`  ${site.file}:${site.line} ${site.specifier}: ${site.reason}`);
  }
  return lines;
}

/** One line per warning: `file:line: message`. */
export function warningLines(result: AuditResult): string[] {
  return result.warnings.map(
    (warning) => `warning: ${warning.file}${warning.line > 0 ? `:${warning.line}` : ''}: ${warning.message}`,
  );
}

/** The JSON document `--json` prints. */
export function reportJson(result: AuditResult): object {
  return {
    critical: result.critical,
    violations: result.violations.map(({ chain, client, kind }) => ({ chain, client, kind })),
    ignored: result.ignored.map(({ file, line, specifier, reason }) => ({ file, line, specifier, reason })),
    warnings: result.warnings,
    files: result.files,
    ms: result.ms,
  };
}
