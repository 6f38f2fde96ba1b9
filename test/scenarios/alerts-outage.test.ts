/**
 * Alerts through `failsoft serve` against the simulator: an outage during which thousands of requests fail gives
 * exactly one `firing` and one `resolved` message on a webhook and on a Slack-shaped sink (payloads validated);
 * a core check failing during an AI incident makes /health/ready 503 and gives one critical alert, no extra AI
 * warning; a webhook that is down (503) is retried, then recorded as failed on the incident and in /metrics, while
 * requests go on unaffected.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe, type RunningServe } from '../../src/cli/serve-command.js';
import type { CliIo } from '../../src/cli/cli-command.js';
import type { AlertMessage } from '../../src/monitor/alerts/alert-message.js';
import { startAlertSink, type AlertSink } from '../../src/monitor/alerts/alert-sink.test-helper.js';
import { startSimulator, type RunningSimulator } from '../../src/sim/start-simulator.js';
import type { IncidentDetailJson, IncidentSummaryJson } from '../../src/store/timeline-json.js';

const TOKEN = 'alerts-scenario-token';
const QUIET_MS = 1_500;
const ROUTE = ['claude/claude-sonnet-4-5', 'gpt/gpt-4o-mini', 'gemini/gemini-2.5-flash'];
const ALL_DOWN = {
  anthropic: [{ kind: 'overloaded' as const }],
  openai: [{ kind: 'overloaded' as const }],
  gemini: [{ kind: 'server_error' as const }],
};

let sim: RunningSimulator;
let dir: string;
let hook: AlertSink;
let slack: AlertSink;
let coreApi: Server;
let coreUrl: string;
let coreStatus = 200;
let down: AlertSink;
const quietIo: CliIo = { out: () => undefined, err: () => undefined };

beforeAll(async () => {
  [sim, hook, slack, down] = await Promise.all([
    startSimulator({ port: 0 }),
    startAlertSink(),
    startAlertSink({ slack: true }),
    startAlertSink({ failWith: 503 }),
  ]);
  coreApi = createServer((_req, res) => res.writeHead(coreStatus).end(coreStatus === 200 ? 'ok' : 'down'));
  await new Promise<void>((resolve) => coreApi.listen(0, '127.0.0.1', resolve));
  coreUrl = `http://127.0.0.1:${(coreApi.address() as AddressInfo).port}/health`;
  dir = mkdtempSync(join(tmpdir(), 'failsoft-alerts-scenario-'));
});
afterAll(async () => {
  coreApi.closeAllConnections();
  await Promise.all([
    sim.close(),
    hook.close(),
    slack.close(),
    down.close(),
    new Promise((resolve) => coreApi.close(resolve)),
  ]);
  rmSync(dir, { recursive: true, force: true });
});

function config(name: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    JSON.stringify({
      providers: {
        claude: { type: 'anthropic', baseUrl: sim.urlFor('anthropic'), apiKeyEnv: 'SIM_KEY' },
        gpt: { type: 'openai', baseUrl: sim.urlFor('openai'), apiKeyEnv: 'SIM_KEY' },
        gemini: { type: 'gemini', baseUrl: sim.urlFor('gemini'), apiKeyEnv: 'SIM_KEY' },
      },
      features: {
        summary: { tier: 'enhanced', route: ROUTE, fallback: { leadSentences: 1 }, maxRetries: 0, hedge: false },
        // Recovery traffic that reaches the second and third providers first, so their breakers close too.
        second: {
          tier: 'enhanced',
          route: [ROUTE[1], ROUTE[2], ROUTE[0]],
          fallback: { leadSentences: 1 },
          maxRetries: 0,
          hedge: false,
        },
        third: {
          tier: 'enhanced',
          route: [ROUTE[2], ROUTE[0], ROUTE[1]],
          fallback: { leadSentences: 1 },
          maxRetries: 0,
          hedge: false,
        },
      },
      policies: { breaker: { consecutiveFailures: 3, openMs: 300, maxOpenMs: 600 } },
      incidents: { quietPeriod: `${QUIET_MS}ms` },
      store: { dir: join(dir, `${name}-data`) },
      checks: { interval: '200ms', core: [{ name: 'api', http: coreUrl, timeout: '1s' }] },
      alerts: {
        channels: [
          { kind: 'webhook', urlEnv: 'HOOK_URL' },
          { kind: 'slack', urlEnv: 'SLACK_URL' },
        ],
        delivery: { attempts: 3, backoff: '100ms', timeout: '1s' },
      },
    }),
  );
  return file;
}

async function serve(name: string, hookUrl = hook.url): Promise<RunningServe> {
  return startServe(
    { configFile: config(name), port: 0, host: '127.0.0.1', help: false, logLevel: 'silent' },
    quietIo,
    {
      SIM_KEY: 'sim',
      FAILSOFT_ADMIN_TOKEN: TOKEN,
      FAILSOFT_INSTANCE: name,
      HOOK_URL: hookUrl,
      SLACK_URL: slack.url,
    },
  );
}

/** `count` requests to `feature`, `concurrency` at a time: their statuses. */
async function load(running: RunningServe, count: number, concurrency = 25, feature = 'summary'): Promise<number[]> {
  const statuses: number[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      next++;
      const res = await fetch(`${running.gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: feature,
          messages: [{ role: 'user', content: 'Summarize: The plant closed at noon. Workers waited outside.' }],
        }),
      });
      await res.arrayBuffer();
      statuses.push(res.status);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return statuses;
}

async function admin<T>(running: RunningServe, path: string): Promise<T> {
  const res = await fetch(`${running.gateway.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` every 100 ms; fails the test (instead of going on as if it held) after `maxMs`. */
async function waitFor(condition: () => boolean | Promise<boolean>, maxMs: number): Promise<void> {
  await expect.poll(condition, { timeout: maxMs, interval: 100 }).toBe(true);
}

/** Clears the faults and keeps a trickle of traffic (as a live product would) until the incident has resolved. */
async function recover(running: RunningServe): Promise<void> {
  sim.clearFaults();
  await waitFor(async () => {
    for (const feature of ['summary', 'second', 'third']) await load(running, 1, 1, feature);
    return (await admin<{ incidents: IncidentSummaryJson[] }>(running, '/admin/incidents')).incidents.every(
      (i) => i.status === 'resolved',
    );
  }, QUIET_MS + 20_000);
}

function statusesOf(sink: AlertSink): string[] {
  return (sink.received as AlertMessage[]).map((m) => `${m.status} ${m.severity}`);
}

describe('alerts through failsoft serve', () => {
  it('an outage during which thousands of requests fail: one firing and one resolved on the webhook and on Slack', async () => {
    hook.received.length = 0;
    slack.received.length = 0;
    const running = await serve('outage');
    try {
      sim.setFaults(ALL_DOWN);
      const statuses = await load(running, 2_000);
      expect(statuses.filter((s) => s === 200)).toHaveLength(2_000); // enhanced: fallbacks, never an error
      await recover(running);
      await waitFor(() => hook.received.length >= 2 && slack.received.length >= 2, 5_000);
      await sleep(300); // deliberate: no third message may follow in 300 ms
      expect(statusesOf(hook)).toEqual(['firing warning', 'resolved warning']);
      const [firing, resolved] = hook.received as AlertMessage[];
      expect(firing?.summary).toMatch(/^AI degraded: .*summary on fallback.*; core OK$/);
      expect(resolved?.incident.id).toBe(firing?.incident.id);
      expect(resolved?.incident.resolvedAt).toEqual(expect.any(String));
      expect(slack.rejected).toEqual([]);
      expect(slack.received).toHaveLength(2);
      const detail = await admin<IncidentDetailJson>(running, `/admin/incidents/${firing?.incident.id ?? ''}`);
      expect(detail.events.filter((e) => e.type === 'alert-sent')).toHaveLength(4);
      const metrics = await (await fetch(`${running.gateway.url}/metrics`)).text();
      expect(metrics).toContain('failsoft_alerts_sent_total{channel="webhook",status="sent"} 2');
      expect(metrics).toContain('failsoft_alerts_sent_total{channel="slack",status="sent"} 2');
    } finally {
      await running.close();
    }
  }, 60_000);

  it('a core check failing during an AI incident: /health/ready 503 listing it, one critical alert and no extra AI warning', async () => {
    hook.received.length = 0;
    const running = await serve('core');
    try {
      const ready = await fetch(`${running.gateway.url}/health/ready`);
      expect(ready.status).toBe(200);
      sim.setFaults(ALL_DOWN);
      await load(running, 200);
      await waitFor(() => hook.received.length >= 1, 5_000);
      expect(statusesOf(hook)).toEqual(['firing warning']);
      // AI trouble never makes the gateway unready.
      expect((await fetch(`${running.gateway.url}/health/ready`)).status).toBe(200);
      coreStatus = 500;
      await waitFor(async () => (await fetch(`${running.gateway.url}/health/ready`)).status === 503, 5_000);
      const body = (await (await fetch(`${running.gateway.url}/health/ready`)).json()) as {
        status: string;
        checks: Array<{ name: string; status: string; detail: string; ms: number }>;
        store: unknown;
      };
      expect(body).toMatchObject({
        status: 'not ready',
        checks: [{ name: 'api', status: 'critical', detail: 'HTTP 500 (expected 2xx)' }],
      });
      expect(body.store).toBeDefined();
      await waitFor(() => hook.received.length >= 2, 5_000);
      await load(running, 200); // more AI failures while core is down: folded in
      await sleep(500); // deliberate: the folded-in failures may send nothing more in 500 ms
      expect(statusesOf(hook)).toEqual(['firing warning', 'firing critical']);
      expect((hook.received[1] as AlertMessage).summary).toMatch(
        /^CRITICAL: api down \(core dependency\); also AI degraded: /,
      );
      coreStatus = 200;
      await waitFor(async () => (await fetch(`${running.gateway.url}/health/ready`)).status === 200, 5_000);
      await recover(running);
      await waitFor(() => hook.received.length >= 3, 5_000);
      expect(statusesOf(hook)).toEqual(['firing warning', 'firing critical', 'resolved critical']);
    } finally {
      coreStatus = 200;
      await running.close();
    }
  }, 60_000);

  it('a webhook that is down: retried, then alert-failed on the incident and counted in /metrics; requests unaffected', async () => {
    slack.received.length = 0;
    const running = await serve('hook-down', down.url);
    try {
      sim.setFaults(ALL_DOWN);
      const started = performance.now();
      const statuses = await load(running, 1_000);
      const elapsed = performance.now() - started;
      expect(statuses.every((s) => s === 200)).toBe(true);
      expect(elapsed).toBeLessThan(20_000);
      let incident: IncidentSummaryJson | undefined;
      await waitFor(async () => {
        incident = (await admin<{ incidents: IncidentSummaryJson[] }>(running, '/admin/incidents')).incidents[0];
        if (!incident) return false;
        const detail = await admin<IncidentDetailJson>(running, `/admin/incidents/${incident.id}`);
        return detail.events.some((e) => e.type === 'alert-failed');
      }, 8_000);
      const detail = await admin<IncidentDetailJson>(running, `/admin/incidents/${incident?.id ?? ''}`);
      const failed = detail.events.filter((e) => e.type === 'alert-failed');
      expect(
        failed,
        JSON.stringify({
          incidents: await admin(running, '/admin/incidents'),
          events: detail.events.map((e) => `${e.type} ${e.message}`),
        }),
      ).toHaveLength(1);
      expect(failed[0]?.message).toMatch(
        /firing warning alert on webhook \(webhook\) not delivered after 3 tries: HTTP 503: down/,
      );
      expect(down.refused).toBe(3);
      // The other channel is not held up.
      expect((slack.received as Array<{ text: string }>).map((m) => m.text.split(':')[1])).toEqual(['warning']);
      const metrics = await (await fetch(`${running.gateway.url}/metrics`)).text();
      expect(metrics).toContain('failsoft_alerts_sent_total{channel="webhook",status="failed"} 1');
      expect(metrics).toContain('failsoft_alerts_sent_total{channel="slack",status="sent"} 1');
    } finally {
      sim.clearFaults();
      await running.close();
    }
  }, 60_000);
});
