import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Two cores on CI: threads keep start-up cheap; each file gets its own simulator port (0).
    pool: 'threads',
    reporters: ['default'],
  },
});
