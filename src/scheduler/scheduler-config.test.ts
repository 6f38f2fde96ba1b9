import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../engine/config/resolve-config.js';
import { issuesOf } from '../engine/config/config-issues.test-helper.js';

describe('the scheduler section of the config', () => {
  it('resolves the gateway URL (no trailing slash) and the lease in ms; absent = the defaults', () => {
    expect(
      resolveConfig({ scheduler: { gatewayUrl: 'http://127.0.0.1:8787/', lease: '1m' } }, { env: {} }).scheduler,
    ).toEqual({ gatewayUrl: 'http://127.0.0.1:8787', leaseMs: 60_000 });
    expect(resolveConfig({ scheduler: {} }, { env: {} }).scheduler).toEqual({ leaseMs: 30_000 });
    expect(resolveConfig({}, { env: {} }).scheduler).toBeUndefined();
  });

  it('names a bad key and why', () => {
    expect(issuesOf({ scheduler: { gatewayUrl: 'http://127.0.0.1:8787/v1', lease: '1s' } })).toEqual([
      'scheduler.gatewayUrl: must be a gateway base URL like "http://127.0.0.1:8787" (no path: /v1 is added for OpenAI SDKs)',
      'scheduler.lease: must be at least 3s',
    ]);
    expect(issuesOf({ scheduler: { gateway: 'x' } })[0]).toMatch(/^scheduler(\.gateway)?: /);
  });
});
