import { networkErrorText } from './network-error-text.js';

/**
 * Connects to PostgreSQL at `url` and runs `select 1`; resolves to undefined when it answers, else the reason.
 * The URL (it may carry a password) never appears in the reason: only host and port.
 * @example await postgresProbe('postgres://app@127.0.0.1:5432/app', 5000) // undefined | 'connection refused (127.0.0.1:5432)'
 */
export async function postgresProbe(url: string, timeoutMs: number): Promise<string | undefined> {
  // Loaded on first use, as the Redis client is: only a process with a PostgreSQL check pays for the driver.
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
  // A connection that dies later must not crash the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (error) {
    return networkErrorText(error, whereOf(url));
  } finally {
    void client.end().catch(() => undefined);
  }
}

/** `host:port` of a database URL, without credentials (for messages). */
export function whereOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.port === '' ? parsed.hostname : `${parsed.hostname}:${parsed.port}`;
  } catch {
    return undefined;
  }
}
