/**
 * `gateway.corsOrigins`: the browser origins (web pages) allowed to call the gateway's AI routes.
 * Each is written exactly as browsers send it in the `Origin` header: scheme, host and optional port,
 * nothing else (`https://app.example.com`, `http://localhost:3000`).
 */

/** Every origin (only with client keys: see `corsWildcardIssue`). */
export const ANY_ORIGIN = '*';

const ORIGIN_SHAPE = /^https?:\/\/[^/?#@\s]+$/i;

/**
 * Why `value` is not a usable origin, or undefined when it is (`*` included).
 * @example corsOriginProblem('https://app.example.com/') // 'has a path: an origin is scheme, host and optional port only: write "https://app.example.com"'
 */
export function corsOriginProblem(value: string): string | undefined {
  if (value === ANY_ORIGIN) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an origin like "https://app.example.com" (scheme, host and optional port)';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return `must start with http:// or https://, got "${url.protocol}"`;
  if (url.username !== '' || url.password !== '') return 'must not carry a user name or password';
  if (!ORIGIN_SHAPE.test(value))
    return `has a path: an origin is scheme, host and optional port only: write "${url.origin}"`;
  return undefined;
}

/**
 * An origin in the form browsers send it (lower-case scheme and host, no default port); `*` as is.
 * @example normalizeCorsOrigin('HTTPS://App.Example.com:443') // 'https://app.example.com'
 */
export function normalizeCorsOrigin(value: string): string {
  return value === ANY_ORIGIN ? value : new URL(value).origin;
}

/**
 * Why `*` cannot be used here, or undefined. Without client keys the gateway cannot tell callers apart:
 * `*` would let every web page a user opens spend the providers' budget through that user's browser, and
 * read the answers (a gateway on a laptop or an internal network is reachable from such a page).
 * @example corsWildcardIssue(['*'], false) // 'a "*" origin needs client keys …'
 */
export function corsWildcardIssue(origins: readonly string[], hasClientKeys: boolean): string | undefined {
  if (hasClientKeys || !origins.includes(ANY_ORIGIN)) return undefined;
  return 'a "*" origin needs client keys (gateway.clients): without them every web page opened in a browser that can reach this gateway could spend your provider budget and read the answers; list the origins instead';
}
