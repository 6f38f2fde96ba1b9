/**
 * "Did you mean …?" for names a person typed: a provider in a route, a key in the config.
 */

/**
 * The Levenshtein distance between two strings (insertions, deletions, substitutions).
 * @example editDistance('gtp', 'gpt') // 2
 */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] as number;
      row[j] = Math.min((row[j] as number) + 1, (row[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length] as number;
}

/**
 * The known name closest to `name` within `maxDistance` edits (ties: the first in `known`), or undefined.
 * @example closestName('fallbak', ['tier', 'route', 'fallback']) // 'fallback'
 */
export function closestName(name: string, known: readonly string[], maxDistance = 2): string | undefined {
  let best: string | undefined;
  let bestDistance = maxDistance + 1;
  for (const candidate of known) {
    const distance = editDistance(candidate, name);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
