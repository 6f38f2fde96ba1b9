import { describe, it } from 'vitest';

/**
 * Which integration services this run has. Without FAILSOFT_TEST_REDIS_URL the Redis suites skip, unless
 * FAILSOFT_REQUIRE_SERVICES=1 (CI), where a missing variable is a failing test that says what to set.
 */
export const required = process.env.FAILSOFT_REQUIRE_SERVICES === '1';
export const redisUrl = process.env.FAILSOFT_TEST_REDIS_URL?.trim() || undefined;

/** A suite that runs when Redis is configured, skips otherwise, and fails when Redis is required but missing. */
export function describeWithRedis(name: string, body: () => void): void {
  if (redisUrl === undefined && required) {
    describe(name, () => {
      it('needs a Redis (FAILSOFT_REQUIRE_SERVICES=1)', () => {
        throw new Error(
          'FAILSOFT_REQUIRE_SERVICES=1 but FAILSOFT_TEST_REDIS_URL is not set: set it, e.g. redis://127.0.0.1:6379',
        );
      });
    });
    return;
  }
  (redisUrl === undefined ? describe.skip : describe)(name, body);
}

export const postgresUrl = process.env.FAILSOFT_TEST_DATABASE_URL?.trim() || undefined;

/** A suite that runs when PostgreSQL is configured, skips otherwise, and fails when PostgreSQL is required but missing. */
export function describeWithPostgres(name: string, body: () => void): void {
  if (postgresUrl === undefined && required) {
    describe(name, () => {
      it('needs a PostgreSQL (FAILSOFT_REQUIRE_SERVICES=1)', () => {
        throw new Error(
          'FAILSOFT_REQUIRE_SERVICES=1 but FAILSOFT_TEST_DATABASE_URL is not set: set it, e.g. postgres://root@127.0.0.1:5432/test',
        );
      });
    });
    return;
  }
  (postgresUrl === undefined ? describe.skip : describe)(name, body);
}
