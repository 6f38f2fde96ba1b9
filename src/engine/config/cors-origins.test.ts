import { describe, expect, it } from 'vitest';
import { resolveConfig } from './resolve-config.js';
import { issuesOf } from './config-issues.test-helper.js';
import { corsOriginProblem, normalizeCorsOrigin } from './cors-origins.js';

const KEY_HASH = `sha256:${'c'.repeat(64)}`;

describe('gateway.corsOrigins', () => {
  it('accepts origins as browsers send them, and keeps them in that form', () => {
    for (const origin of [
      'https://app.example.com',
      'http://localhost:3000',
      'http://127.0.0.1:5173',
      'https://[::1]:8443',
      '*',
    ])
      expect(corsOriginProblem(origin)).toBeUndefined();
    expect(normalizeCorsOrigin('HTTPS://App.Example.COM:443')).toBe('https://app.example.com');
    const config = resolveConfig(
      { gateway: { corsOrigins: ['https://App.example.com', 'https://app.example.com', 'http://localhost:3000'] } },
      { env: {} },
    );
    expect(config.gateway?.corsOrigins).toEqual(['https://app.example.com', 'http://localhost:3000']);
    expect(resolveConfig({}, { env: {} }).gateway?.corsOrigins).toBeUndefined();
  });

  it('refuses anything that is not scheme + host [+ port], naming the entry and the fix', () => {
    expect(
      issuesOf({
        gateway: {
          corsOrigins: [
            'https://app.example.com/',
            'app.example.com',
            'ftp://files.example.com',
            'https://u:p@app.example.com',
            'https://app.example.com/chat?x=1',
          ],
        },
      }),
    ).toEqual([
      'gateway.corsOrigins[0]: has a path: an origin is scheme, host and optional port only: write "https://app.example.com"',
      'gateway.corsOrigins[1]: must be an origin like "https://app.example.com" (scheme, host and optional port)',
      'gateway.corsOrigins[2]: must start with http:// or https://, got "ftp:"',
      'gateway.corsOrigins[3]: must not carry a user name or password',
      'gateway.corsOrigins[4]: has a path: an origin is scheme, host and optional port only: write "https://app.example.com"',
    ]);
  });

  it('"*" needs client keys, and says why', () => {
    expect(issuesOf({ gateway: { corsOrigins: ['*'] } })).toEqual([
      'gateway.corsOrigins: a "*" origin needs client keys (gateway.clients): without them every web page opened in a browser that can reach this gateway could spend your provider budget and read the answers; list the origins instead',
    ]);
    expect(issuesOf({ gateway: { corsOrigins: ['*'], clients: { app: { keyHash: KEY_HASH } } } })).toEqual([]);
  });
});
