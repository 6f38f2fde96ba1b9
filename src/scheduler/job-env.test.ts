import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { canServe, gatewayAvailability } from './ai-availability.js';
import { jobEnv } from './job-env.js';
import { jobKeys, withJobClients } from './job-keys.js';

const RUN = { job: 'digest', runId: 'digest@2026-01-05T09:00:00.000Z', plannedAt: Date.UTC(2026, 0, 5, 9), attempt: 2 };

describe('jobEnv', () => {
  it("adds the run's identity, and with a gateway its base URLs and the job's key", () => {
    const keys = jobKeys(['digest'], (n) => Buffer.alloc(n, 7));
    const env = jobEnv({ PATH: '/usr/bin', OPENAI_API_KEY: 'sk-real' }, RUN, {
      url: 'http://127.0.0.1:8787/',
      keys: keys.keys,
    });
    expect(env).toEqual({
      PATH: '/usr/bin',
      FAILSOFT_JOB: 'digest',
      FAILSOFT_RUN_ID: RUN.runId,
      FAILSOFT_SCHEDULED_AT: '2026-01-05T09:00:00.000Z',
      FAILSOFT_ATTEMPT: '2',
      OPENAI_BASE_URL: 'http://127.0.0.1:8787/v1',
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:8787',
      OPENAI_API_KEY: keys.keys.digest,
      ANTHROPIC_API_KEY: keys.keys.digest,
    });
    expect(keys.keys.digest).toMatch(/^fsjob-/);
  });

  it("without a key keeps the job's own API keys (a placeholder only when unset); without a gateway changes no URL", () => {
    const env = jobEnv({ OPENAI_API_KEY: 'sk-real' }, RUN, { url: 'http://127.0.0.1:8787' });
    expect([env.OPENAI_API_KEY, env.ANTHROPIC_API_KEY]).toEqual(['sk-real', 'failsoft-job']);
    expect(jobEnv({}, RUN, undefined).OPENAI_BASE_URL).toBeUndefined();
  });

  it("job clients join the gateway's as optional batch clients; a configured client of the same name wins", () => {
    const keys = jobKeys(['a', 'b']);
    const config = withJobClients(
      { gateway: { clients: { 'job.b': { name: 'job.b', keyHash: 'f'.repeat(64) } }, aliases: {} } } as never,
      keys,
    );
    expect(config.gateway?.clients['job.a']).toMatchObject({ priority: 'batch', optional: true });
    expect(config.gateway?.clients['job.b']?.keyHash).toBe('f'.repeat(64));
  });
});

describe('AI availability', () => {
  const model = (state: 'closed' | 'open' | 'half-open', coolingDownMs?: number) => ({
    state,
    requests: 0,
    errorRate: 0,
    latencyMs: null,
    ...(coolingDownMs ? { coolingDownMs } : {}),
  });
  const report = (aiEnabled: boolean, ...models: Array<ReturnType<typeof model>>) => ({
    aiEnabled,
    providers: {
      p: {
        type: 'openai',
        state: 'closed' as const,
        errorRate: 0,
        budget: {},
        models: Object.fromEntries(models.map((m, i) => [`m${i}`, m])),
      },
    },
  });

  it('some model neither open nor cooling down can serve; AI off or all open or cooling cannot', () => {
    expect(canServe(report(true, model('open'), model('half-open')))).toBe(true);
    expect(canServe(report(true, model('open'), model('closed', 5_000)))).toBe(false);
    expect(canServe(report(false, model('closed')))).toBe(false);
  });

  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  it("reads a gateway's /health/ai; a gateway that does not answer counts as available (the job finds out itself)", async () => {
    let body = report(true, model('open'));
    server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(req.url === '/health/ai' ? JSON.stringify(body) : '{}');
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', () => resolve()));
    const available = gatewayAvailability(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    expect(await available()).toBe(false);
    body = report(true, model('closed'));
    expect(await available()).toBe(true);
    expect(await gatewayAvailability('http://127.0.0.1:9', 500)()).toBe(true);
  });
});
