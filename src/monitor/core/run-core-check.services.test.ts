/**
 * Core checks against real servers: a PostgreSQL (`select 1`) and a Redis (PING) that answer. Runs when
 * FAILSOFT_TEST_DATABASE_URL / FAILSOFT_TEST_REDIS_URL are set (as the integration suites do), skips otherwise.
 */
import { describe, expect, it } from 'vitest';
import { runCoreCheck } from './run-core-check.js';

const postgresUrl = process.env.FAILSOFT_TEST_DATABASE_URL?.trim() || undefined;
const redisUrl = process.env.FAILSOFT_TEST_REDIS_URL?.trim() || undefined;

describe('core checks against real services', () => {
  it.skipIf(postgresUrl === undefined)('postgres: connects and runs select 1 (URL from the environment)', async () => {
    const result = await runCoreCheck(
      { name: 'db', path: 'checks.core[0]', timeoutMs: 5_000, target: { kind: 'postgres', env: 'DB' } },
      { DB: postgresUrl },
    );
    expect(result).toMatchObject({ status: 'ok', detail: 'ok' });
    const wrongDb = new URL(postgresUrl ?? 'postgres://x');
    wrongDb.pathname = '/no_such_database_failsoft';
    const missing = await runCoreCheck(
      { name: 'db', path: 'checks.core[0]', timeoutMs: 5_000, target: { kind: 'postgres', value: wrongDb.toString() } },
      {},
    );
    expect(missing.status).toBe('critical');
    expect(missing.detail).toContain('no_such_database_failsoft');
    expect(missing.detail).not.toContain(wrongDb.password || '\u0000');
  });

  it.skipIf(redisUrl === undefined)('redis: PING answered', async () => {
    expect(
      await runCoreCheck(
        { name: 'cache', path: 'checks.core[0]', timeoutMs: 5_000, target: { kind: 'redis', value: redisUrl ?? '' } },
        {},
      ),
    ).toMatchObject({ status: 'ok', detail: 'ok' });
  });
});
