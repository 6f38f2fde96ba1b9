/** Units a written duration may use, in ms. */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Reads a written duration (`500ms`, `30s`, `5m`, `24h`, `7d`, or a combination like `1h30m`) as milliseconds;
 * undefined when the text is not one.
 * @example parseDurationText('5m') // 300000
 */
export function parseDurationText(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d))+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const match of trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g))
    total += Number(match[1]) * (UNIT_MS[match[2] ?? ''] ?? 0);
  return Math.round(total);
}

/**
 * A duration in words for people: `350 ms`, `45 s`, `12 min`, `11 h`, `2 h 5 min`, `3 d`.
 * @example formatDuration(39_600_000) // '11 h'
 */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours < 48) return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
  return `${Math.round(hours / 24)} d`;
}
