/**
 * `failsoft check` as a Nagios plugin, run as a child process: exit 0 healthy, 2 when PostgreSQL is away or an
 * http check answers 500, 1 when every provider fails its probe at the simulator, 3 for a malformed config;
 * the first line in plugin format with timings as perfdata. In-process: --json, --only, --url.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../sim/start-simulator.js';
import { freePort } from '../testing/free-port.js';
import { runCheck } from './check-command.js';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

let sim: RunningSimulator;
let web: Server;
let webUrl: string;
let closedPort: number;
let dir: string;
let aiHealth: unknown = {};

beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
  web = createServer((req, res) => {
    if (req.url === '/health/ai')
      return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(aiHealth));
    res.writeHead(req.url === '/broken' ? 500 : 200).end('ok');
  });
  await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
  webUrl = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
  closedPort = await freePort();
  dir = mkdtempSync(join(tmpdir(), 'failsoft-check-'));
});
afterAll(async () => {
  await sim.close();
  web.closeAllConnections();
  await new Promise((resolve) => web.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

function configFile(name: string, checks: unknown): string {
  const route = ['claude/claude-sonnet-4-5', 'gpt/gpt-4o-mini', 'gemini/gemini-2.5-flash'];
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    JSON.stringify({
      providers: {
        claude: { type: 'anthropic', baseUrl: sim.urlFor('anthropic'), apiKeyEnv: 'SIM_KEY' },
        gpt: { type: 'openai', baseUrl: sim.urlFor('openai'), apiKeyEnv: 'SIM_KEY' },
        gemini: { type: 'gemini', baseUrl: sim.urlFor('gemini'), apiKeyEnv: 'SIM_KEY' },
      },
      features: { summary: { tier: 'enhanced', route, fallback: { leadSentences: 1 } } },
      checks,
    }),
  );
  return file;
}

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'check', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SIM_KEY: 'sim' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

function capture(): { io: { out(line: string): void; err(line: string): void }; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (line) => out.push(line), err: (line) => err.push(line) }, out, err };
}

describe('failsoft check (child process, Nagios exit codes)', () => {
  it('healthy: exit 0, plugin line with perfdata, a line per check with its timing', async () => {
    sim.clearFaults();
    const file = configFile('healthy', {
      core: [
        { name: 'api', http: `${webUrl}/health` },
        { name: 'web', tcp: webUrl.slice('http://'.length) },
      ],
      ai: { probes: true },
    });
    const run = await cli(['--config', file]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const [first, ...rest] = run.stdout.trim().split('\n');
    expect(first).toMatch(
      /^FAILSOFT OK - core OK \(2 checks\); AI ok: 3 provider model\(s\) answered their probe \| api_ms=\d+;;;0 web_ms=\d+;;;0 ai_claude_claude_sonnet_4_5_ms=\d+;;;0 /,
    );
    expect(rest.join('\n')).toMatch(/core\s+api\s+OK\s+\d+ ms\s+ok/);
    expect(rest.join('\n')).toMatch(/ai\s+gpt\/gpt-4o-mini\s+OK\s+\d+ ms\s+probe answered/);
  }, 30_000);

  it('PostgreSQL pointed at a closed port: exit 2, CRITICAL naming the check and the address', async () => {
    const file = configFile('pg', {
      core: [
        { name: 'db', postgres: `postgres://app:secret@127.0.0.1:${closedPort}/app` },
        { name: 'api', http: `${webUrl}/health` },
      ],
    });
    const run = await cli(['--config', file]);
    expect(run.code).toBe(2);
    const first = run.stdout.split('\n')[0] ?? '';
    expect(first).toMatch(
      new RegExp(
        `^FAILSOFT CRITICAL - db: connection refused \\(127\\.0\\.0\\.1:${closedPort}\\); AI not checked \\| db_ms=\\d+;;;0 api_ms=\\d+;;;0$`,
      ),
    );
    expect(run.stdout).not.toContain('secret');
    expect(run.stdout).toContain('note: AI not checked: a one-shot run has no traffic history');
  }, 30_000);

  it('an http check against a server answering 500: exit 2', async () => {
    const run = await cli(['--config', configFile('http500', { core: [{ name: 'api', http: `${webUrl}/broken` }] })]);
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/^FAILSOFT CRITICAL - api: HTTP 500 \(expected 2xx\)/);
  }, 30_000);

  it('every provider failing at the simulator, probes on: exit 1, AI degraded, using fallbacks (core stays OK)', async () => {
    sim.setFaults({
      anthropic: [{ kind: 'overloaded' }],
      openai: [{ kind: 'server_error' }],
      gemini: [{ kind: 'overloaded' }],
    });
    try {
      const run = await cli([
        '--config',
        configFile('down', { core: [{ name: 'api', http: `${webUrl}/health` }], ai: { probes: true } }),
      ]);
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(
        /^FAILSOFT WARNING - core OK \(1 check\); AI services degraded, using fallbacks: every provider failed its probe \|/,
      );
      expect(run.stdout).toMatch(
        /ai\s+claude\/claude-sonnet-4-5\s+WARNING\s+\d+ ms\s+probe failed: overloaded \(529\)/,
      );
    } finally {
      sim.clearFaults();
    }
  }, 30_000);

  it('a malformed config: exit 3, UNKNOWN naming the bad key', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      'features:\n  summary: { tier: enhanced }\nchecks:\n  core:\n    - { name: db, postgres: "postgres://x/y", tcp: "h:1" }\n',
    );
    const run = await cli(['--config', file]);
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/^FAILSOFT UNKNOWN - .*checks\.core\[0\].*give one kind per check/);
    const missing = await cli(['--config', join(dir, 'missing.yaml')]);
    expect(missing.code).toBe(3);
    expect(missing.stdout).toMatch(/^FAILSOFT UNKNOWN - .*cannot read/);
  }, 30_000);
});

describe('failsoft check (in process)', () => {
  it('--json: the same facts with the exit code', async () => {
    const { io, out } = capture();
    const file = configFile('json', { core: [{ name: 'api', http: `${webUrl}/broken` }] });
    expect(await runCheck(['--config', file, '--json'], io, {})).toBe(2);
    const body = JSON.parse(out.join('\n')) as {
      status: string;
      exitCode: number;
      checks: { name: string; status: string; ms: number }[];
      ai: string;
    };
    expect(body).toMatchObject({ status: 'CRITICAL', exitCode: 2, ai: 'not-checked' });
    expect(body.checks[0]).toMatchObject({ name: 'api', status: 'CRITICAL' });
    expect(typeof body.checks[0]?.ms).toBe('number');
  });

  it('--only ai --url: AI state from a running serve (every provider down = WARNING); a bad flag is UNKNOWN', async () => {
    const closed = {
      state: 'open',
      errorRate: 1,
      budget: {},
      type: 'anthropic',
      models: {
        m: {
          state: 'open',
          requests: 9,
          errorRate: 1,
          latencyMs: null,
          lastError: { class: 'overloaded', message: '', at: 0 },
        },
      },
    };
    aiHealth = {
      status: 'down',
      aiEnabled: true,
      providers: { claude: closed },
      features: { summary: { tier: 'enhanced', mode: 'fallback', enabled: true, route: [] } },
      sharedState: { backend: 'memory', connected: true, operationsLost: 0 },
    };
    const { io, out } = capture();
    expect(await runCheck(['--only', 'ai', '--url', webUrl], io, {})).toBe(1);
    expect(out[0]).toMatch(
      /^FAILSOFT WARNING - AI services degraded, using fallbacks: every provider is down \| ai_claude_ms=\d+;;;0 ai_ms=\d+;;;0$/,
    );
    expect(out.join('\n')).toMatch(/claude\s+WARNING.*m breaker open \(overloaded\)/);
    const bad = capture();
    expect(await runCheck(['--only', 'everything'], bad.io, {})).toBe(3);
    expect(bad.out[0]).toBe('FAILSOFT UNKNOWN - failsoft: --only everything: expected core or ai | failsoft_ms=0;;;0');
  });
});

describe('failsoft check --url without a config', () => {
  it("reads core from a running serve's /health/ready and AI from its /health/ai", async () => {
    const serve = createServer((req, res) => {
      if (req.url === '/health/ready')
        return res.writeHead(503, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            status: 'not ready',
            checks: [
              { name: 'db', group: 'core', status: 'critical', detail: 'connection refused (127.0.0.1:5432)', ms: 2 },
            ],
          }),
        );
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          status: 'ok',
          aiEnabled: true,
          providers: {},
          features: {},
          sharedState: { backend: 'memory', connected: true, operationsLost: 0 },
        }),
      );
    });
    await new Promise<void>((resolve) => serve.listen(0, '127.0.0.1', resolve));
    try {
      const { io, out } = capture();
      const url = `http://127.0.0.1:${(serve.address() as AddressInfo).port}`;
      expect(await runCheck(['--url', url], io, {}, dir)).toBe(2); // no ./failsoft.yaml in dir
      expect(out[0]).toBe(
        `FAILSOFT CRITICAL - db: connection refused (127.0.0.1:5432); AI ok | db_ms=2;;;0 ai_ms=${out[0]?.split('ai_ms=')[1] ?? ''}`,
      );
    } finally {
      serve.closeAllConnections();
      await new Promise((resolve) => serve.close(resolve));
    }
  });
});
