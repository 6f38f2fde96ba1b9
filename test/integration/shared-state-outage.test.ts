/**
 * Redis goes away under load (killed, then frozen) and comes back: two gateways sharing one Redis (each through
 * FallbackPolicyState(RedisPolicyState), provider limits set so every request's budget goes through Redis)
 * keep the tier contract (enhanced 200, ai-only 200 or 503 + Retry-After, never a 500), show the loss in
 * /health/ai, /metrics and the log while it lasts, and share state again once Redis is back.
 *
 * The test runs a Redis of its own (`redis-server` on a free port, no persistence) so it can SIGKILL it.
 * Without `redis-server` on the PATH it is skipped, unless FAILSOFT_REQUIRE_SERVICES=1, where it fails.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { freePort } from '../../src/testing/free-port.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFailsoft, type Failsoft } from '../../src/engine/failsoft.js';
import type { FailsoftConfig } from '../../src/engine/config/config-schema.js';
import type { HealthReport } from '../../src/engine/health.js';
import { attachEventLog, LineLog } from '../../src/gateway/event-log.js';
import { startGateway, type RunningGateway } from '../../src/gateway/gateway-server.js';
import { systemClock } from '../../src/model/clock.js';
import { ProviderCooldowns } from '../../src/policy/provider-cooldowns.js';
import { startSimulator, type RunningSimulator } from '../../src/sim/start-simulator.js';
import { FallbackPolicyState } from '../../src/state/fallback-policy-state.js';
import { RedisPolicyState } from '../../src/state/redis-policy-state.js';
import { required } from './services.js';

const hasRedisServer = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;

/** Skips without redis-server, fails when services are required, runs otherwise. */
function describeWithRedisServer(name: string, body: () => void): void {
  if (!hasRedisServer && required) {
    describe(name, () => {
      it('needs redis-server (FAILSOFT_REQUIRE_SERVICES=1)', () => {
        throw new Error(
          'FAILSOFT_REQUIRE_SERVICES=1 but redis-server is not on the PATH: install Redis (e.g. apt-get install redis-server)',
        );
      });
    });
    return;
  }
  (hasRedisServer ? describe : describe.skip)(name, body);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** True once something on `port` answers PING with PONG. */
function pings(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(200, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  process.once('exit', () => child.kill('SIGKILL')); // never outlive the test run, even when it fails
  for (let i = 0; i < 100; i++) {
    if (await pings(port)) return child;
    if (child.exitCode !== null) break;
    await sleep(20);
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server did not start on port ${port}`);
}

function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** Polls `probe` every 25 ms until it holds; returns the ms it took (fails after `maxMs`). */
async function within(maxMs: number, what: string, probe: () => boolean | Promise<boolean>): Promise<number> {
  const started = performance.now();
  while (!(await probe())) {
    if (performance.now() - started > maxMs) throw new Error(`${what}: not within ${maxMs} ms`);
    await sleep(25);
  }
  return Math.round(performance.now() - started);
}

interface Outcome {
  feature: 'summary' | 'chat';
  status: number;
  retryAfter: string | null;
  ms: number;
  phase: 'up' | 'down' | 'back' | 'frozen' | 'thawed';
}

const PHASES = ['up', 'down', 'back', 'frozen', 'thawed'] as const;

interface Instance {
  store: FallbackPolicyState;
  ai: Failsoft;
  gateway: RunningGateway;
  cooldowns: ProviderCooldowns;
  log: Array<Record<string, unknown>>;
}

function config(sim: RunningSimulator): FailsoftConfig {
  const limits = { rpm: 1_000_000, tpm: 1_000_000_000 }; // never reached: present so each request's budget goes through Redis
  return {
    providers: {
      claude: { type: 'anthropic', baseUrl: sim.urlFor('anthropic'), apiKey: 'sim-key', limits },
      gpt: { type: 'openai', baseUrl: sim.urlFor('openai'), apiKey: 'sim-key', limits },
      gemini: { type: 'gemini', baseUrl: sim.urlFor('gemini'), apiKey: 'sim-key', limits },
    },
    features: {
      summary: {
        tier: 'enhanced',
        route: ['claude/claude-sonnet-4-5', 'gpt/gpt-4o-mini', 'gemini/gemini-2.5-flash'],
        fallback: { leadSentences: 2 },
      },
      chat: { tier: 'ai-only', route: ['claude/claude-sonnet-4-5', 'gpt/gpt-4o', 'gemini/gemini-2.5-flash'] },
    },
  };
}

async function aiHealth(instance: Instance): Promise<HealthReport> {
  const res = await fetch(`${instance.gateway.url}/health/ai`);
  expect(res.status).toBe(200);
  return (await res.json()) as HealthReport;
}

async function metric(instance: Instance, series: string): Promise<number | undefined> {
  const text = await (await fetch(`${instance.gateway.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describeWithRedisServer('shared state (Redis) outage under load', () => {
  const prefix = `failsoft-outage:${randomUUID()}:`;
  let port: number;
  let redis: ChildProcess;
  let sim: RunningSimulator;
  const instances: Instance[] = [];

  beforeAll(async () => {
    port = await freePort();
    redis = await startRedis(port);
    sim = await startSimulator({ port: 0 });
    for (let i = 0; i < 2; i++) {
      const store = new FallbackPolicyState(new RedisPolicyState(`redis://127.0.0.1:${port}`, { prefix }), {
        retryPrimaryAfterMs: 500,
      });
      const ai = createFailsoft(config(sim), { env: {}, store });
      const gateway = await startGateway({ ai, port: 0, host: '127.0.0.1', env: {} });
      const log: Array<Record<string, unknown>> = [];
      attachEventLog(ai, new LineLog('info', (line) => log.push(JSON.parse(line) as Record<string, unknown>)));
      instances.push({
        store,
        ai,
        gateway,
        cooldowns: new ProviderCooldowns({ clock: systemClock, state: store }),
        log,
      });
    }
  });

  afterAll(async () => {
    for (const instance of instances) {
      instance.cooldowns.close();
      await instance.gateway.close();
      await instance.ai.close();
      await instance.store.close();
    }
    await sim?.close();
    if (redis) await kill(redis);
  });

  it("one instance's cool-down reaches the other's ProviderCooldowns within 100 ms (pub/sub)", async () => {
    const [a, b] = instances as [Instance, Instance];
    // The watch subscribes asynchronously: wait until a first message gets through.
    await within(2_000, 'the watch subscribes', () => {
      a.cooldowns.coolDown('warm-up', 1_000);
      return b.cooldowns.remainingMs('warm-up') > 0;
    });
    const started = performance.now();
    a.cooldowns.coolDown('claude/claude-sonnet-4-5', 30_000);
    while (b.cooldowns.remainingMs('claude/claude-sonnet-4-5') === 0 && performance.now() - started < 100)
      await sleep(1);
    const tookMs = performance.now() - started;
    expect(b.cooldowns.remainingMs('claude/claude-sonnet-4-5')).toBeGreaterThan(29_000);
    expect(tookMs).toBeLessThan(100);
    console.info(`[shared-state-outage] cool-down seen by the other instance after ${tookMs.toFixed(1)} ms`);
  });

  it('keeps every answer within the tier contract while Redis is killed, restarted, frozen and thawed; shows the loss; shares state again', async () => {
    const outcomes: Outcome[] = [];
    let phase: Outcome['phase'] = 'up';
    let stop = false;
    const MAX_REQUESTS = 20_000; // a safety net: the phases bound the run in time
    const worker = async (instance: Instance, n: number): Promise<void> => {
      for (let i = n; !stop && outcomes.length < MAX_REQUESTS; i += 2) {
        const feature = i % 2 === 0 ? 'summary' : 'chat';
        const at = phase;
        const started = performance.now();
        const res = await fetch(`${instance.gateway.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            model: feature,
            max_tokens: 32,
            messages: [{ role: 'user', content: 'Summarize: The plant closed at noon. Workers waited. Nobody came.' }],
          }),
        });
        await res.arrayBuffer();
        outcomes.push({
          feature,
          status: res.status,
          retryAfter: res.headers.get('retry-after'),
          ms: performance.now() - started,
          phase: at,
        });
      }
    };
    const load = instances.flatMap((instance) => [worker(instance, 0), worker(instance, 1)]);

    await sleep(1_500);
    const killedAt = performance.now();
    phase = 'down';
    await kill(redis);

    // The loss shows on both instances while it lasts: /health/ai, /metrics, the log.
    for (const instance of instances) {
      await within(2_000, '/health/ai shows the loss', async () => !(await aiHealth(instance)).sharedState.connected);
    }
    const detectedMs = Math.round(performance.now() - killedAt);
    for (const instance of instances) {
      const health = await aiHealth(instance);
      expect(health.status).not.toBe('ok');
      expect(health.sharedState).toMatchObject({ backend: 'redis', connected: false });
      expect(health.sharedState.degradedSince).toEqual(expect.any(Number));
      expect(await metric(instance, 'failsoft_shared_state_connected{backend="redis"}')).toBe(0);
      expect(instance.log.some((line) => line.event === 'shared-state-lost' && line.level === 'warn')).toBe(true);
    }
    await sleep(Math.max(0, 3_000 - (performance.now() - killedAt)));
    const lostDuringOutage = await Promise.all(
      instances.map((i) => metric(i, 'failsoft_shared_state_operations_lost_total{backend="redis"}')),
    );
    for (const [i, lost] of lostDuringOutage.entries()) {
      expect(lost).toBeGreaterThan(0);
      expect(lost).toBeLessThanOrEqual((instances[i] as Instance).store.status().operationsLost);
    }

    const restartedAt = performance.now();
    redis = await startRedis(port);
    phase = 'back';
    for (const instance of instances) {
      await within(5_000, '/health/ai shows the return', async () => (await aiHealth(instance)).sharedState.connected);
    }
    const restoredMs = Math.round(performance.now() - restartedAt);
    await sleep(1_000);

    // A frozen Redis (SIGSTOP: connections stay open, nothing answers) must cost no more than the call bound.
    phase = 'frozen';
    const frozenAt = performance.now();
    redis.kill('SIGSTOP');
    for (const instance of instances) {
      await within(
        2_000,
        '/health/ai shows the frozen Redis',
        async () => !(await aiHealth(instance)).sharedState.connected,
      );
    }
    const frozenDetectedMs = Math.round(performance.now() - frozenAt);
    for (const instance of instances)
      expect((await aiHealth(instance)).sharedState.lastError).toMatch(/no answer within 250 ms|timed out/);
    await sleep(Math.max(0, 2_000 - (performance.now() - frozenAt)));
    redis.kill('SIGCONT');
    phase = 'thawed';
    const thawedAt = performance.now();
    for (const instance of instances) {
      await within(
        5_000,
        '/health/ai shows the thawed Redis',
        async () => (await aiHealth(instance)).sharedState.connected,
      );
    }
    const thawRestoredMs = Math.round(performance.now() - thawedAt);
    await sleep(1_000);
    stop = true;
    await Promise.all(load);

    for (const instance of instances) {
      const health = await aiHealth(instance);
      expect(health.sharedState.connected).toBe(true);
      expect(health.sharedState.degradedSince).toBeUndefined();
      expect(await metric(instance, 'failsoft_shared_state_connected{backend="redis"}')).toBe(1);
      expect(instance.log.some((line) => line.event === 'shared-state-restored' && line.level === 'info')).toBe(true);
    }

    // The tier contract, for every request of every phase.
    const bad = outcomes.filter(
      (o) => o.status >= 500 && !(o.feature === 'chat' && o.status === 503 && o.retryAfter !== null),
    );
    expect(bad).toEqual([]);
    expect(outcomes.filter((o) => o.feature === 'summary' && o.status !== 200)).toEqual([]);
    expect(outcomes.filter((o) => o.feature === 'chat' && o.status !== 200 && o.status !== 503)).toEqual([]);
    for (const p of PHASES) expect(outcomes.some((o) => o.phase === p)).toBe(true);
    // Nothing waits on a frozen Redis longer than the call bound (250 ms) plus the answer itself.
    const frozenSlowest = Math.max(...outcomes.filter((o) => o.phase === 'frozen').map((o) => o.ms));
    expect(frozenSlowest).toBeLessThan(1_000);

    // Shared again: a cool-down set on one instance reaches the other, and one budget is spent by both.
    const [a, b] = instances as [Instance, Instance];
    const sharedAgainMs = await within(2_000, 'a cool-down crosses instances after the restart', () => {
      a.cooldowns.coolDown('gpt/gpt-4o', 30_000);
      return b.cooldowns.remainingMs('gpt/gpt-4o') > 0;
    });
    const bucket = { key: `after-restart-${randomUUID()}`, capacity: 10, refillPerMs: 0 };
    await a.store.takeBuckets([{ bucket, amount: 7 }], Date.now());
    expect(await b.store.readBuckets([bucket], Date.now())).toEqual([3]);

    const byPhase = (p: Outcome['phase']): string => {
      const of = outcomes.filter((o) => o.phase === p);
      const sorted = of.map((o) => o.ms).sort((x, y) => x - y);
      const p99 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? 0;
      const counts = new Map<string, number>();
      for (const o of of) counts.set(`${o.feature} ${o.status}`, (counts.get(`${o.feature} ${o.status}`) ?? 0) + 1);
      return `${p}: ${of.length} requests (${[...counts].map(([k, v]) => `${k}: ${v}`).join(', ')}), p99 ${p99.toFixed(0)} ms, max ${(sorted.at(-1) ?? 0).toFixed(0)} ms`;
    };
    console.info(
      [
        `[shared-state-outage] ${outcomes.length} requests; loss seen in /health/ai ${detectedMs} ms after SIGKILL;`,
        `restored ${restoredMs} ms after restart; a cool-down crossed instances ${sharedAgainMs} ms after that;`,
        `operations answered locally: ${lostDuringOutage.join(' and ')} (at 3 s into the outage);`,
        `frozen Redis seen ${frozenDetectedMs} ms after SIGSTOP, restored ${thawRestoredMs} ms after SIGCONT`,
        ...PHASES.map(byPhase),
      ].join('\n  '),
    );
  }, 30_000);

  it('the store an engine builds from REDIS_URL reports the loss the same way (runs last: it kills the Redis)', async () => {
    const ai = createFailsoft(config(sim), {
      env: { REDIS_URL: `redis://127.0.0.1:${port}`, FAILSOFT_REDIS_PREFIX: prefix },
    });
    const ask = {
      messages: [{ role: 'user' as const, content: 'Summarize: The plant closed at noon. Workers waited.' }],
    };
    try {
      expect((await ai.generate('summary', ask)).source).toBe('provider');
      expect((await ai.health()).sharedState).toEqual({ backend: 'redis', connected: true, operationsLost: 0 });
      await kill(redis);
      const started = performance.now();
      expect((await ai.generate('summary', ask)).source).toBe('provider');
      expect(performance.now() - started).toBeLessThan(1_000);
      const health = await ai.health();
      expect(health.status).toBe('degraded');
      expect(health.sharedState).toMatchObject({
        backend: 'redis',
        connected: false,
        degradedSince: expect.any(Number),
      });
    } finally {
      await ai.close();
    }
  });
});
