import { networkErrorText } from './network-error-text.js';
import { whereOf } from './postgres-check.js';

/**
 * Connects to Redis at `url` and sends PING; resolves to undefined on PONG, else the reason (never the URL's password).
 * No reconnection, no offline queue: one try within `timeoutMs`.
 * @example await redisProbe('redis://127.0.0.1:6379', 2000) // undefined | 'connection refused (127.0.0.1:6379)'
 */
export async function redisProbe(url: string, timeoutMs: number): Promise<string | undefined> {
  let lastError: unknown;
  // Loaded on first use: a process with no Redis check (most `failsoft check` runs) never loads the client.
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  redis.on('error', (error: unknown) => {
    lastError = error;
  });
  try {
    await redis.connect();
    const answer = await redis.ping();
    return answer === 'PONG' ? undefined : `unexpected answer to PING: ${answer}`;
  } catch (error) {
    return networkErrorText(lastError ?? error, whereOf(url));
  } finally {
    redis.disconnect();
  }
}
