/**
 * Socket and DNS errors in one short line an operator reads in a page: `connection refused (127.0.0.1:5432)`.
 */

interface SystemErrorLike {
  code?: unknown;
  address?: unknown;
  port?: unknown;
  hostname?: unknown;
  message?: unknown;
  errors?: unknown;
}

const WORDS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EPIPE: 'connection closed',
  ECONNABORTED: 'connection aborted',
};

function asRecord(value: unknown): SystemErrorLike | undefined {
  return typeof value === 'object' && value !== null ? (value as SystemErrorLike) : undefined;
}

/**
 * One line for a connection error, with the address it was about when known; `fallbackWhere` (`host:port`)
 * when the error does not say. Several addresses tried (IPv6 then IPv4): the last one's.
 * @example networkErrorText(Object.assign(new Error('x'), { code: 'ECONNREFUSED', address: '127.0.0.1', port: 5432 })) // 'connection refused (127.0.0.1:5432)'
 */
export function networkErrorText(error: unknown, fallbackWhere?: string): string {
  const e = asRecord(error);
  const nested = Array.isArray(e?.errors) ? asRecord(e.errors.at(-1)) : undefined;
  const source = e?.code === undefined && nested ? nested : e;
  const code =
    typeof source?.code === 'string' ? source.code : typeof nested?.code === 'string' ? nested.code : undefined;
  const words = code === undefined ? undefined : WORDS[code];
  const address =
    typeof source?.address === 'string'
      ? source.address
      : typeof nested?.address === 'string'
        ? nested.address
        : undefined;
  const port =
    typeof source?.port === 'number' ? source.port : typeof nested?.port === 'number' ? nested.port : undefined;
  const where =
    address !== undefined
      ? port === undefined
        ? address
        : `${address.includes(':') ? `[${address}]` : address}:${port}`
      : typeof source?.hostname === 'string'
        ? source.hostname
        : fallbackWhere;
  if (words !== undefined) return where === undefined ? words : `${words} (${where})`;
  const message = error instanceof Error ? error.message : typeof e?.message === 'string' ? e.message : String(error);
  const line = message.split('\n')[0] ?? message;
  return where === undefined || line.includes(where) ? line : `${line} (${where})`;
}
