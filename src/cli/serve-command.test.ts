import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer, type Server } from 'node:net';
import { hashClientKey } from '../gateway/client-keys.js';
import { freePort } from '../testing/free-port.js';
import { startSimulator } from '../sim/start-simulator.js';
import { describe, expect, it } from 'vitest';
import type { CliIo } from './cli-command.js';
import { UsageError } from './cli-command.js';
import { ConfigError } from '../model/errors.js';
import { parseServeArgs, serveCommand, startServe } from './serve-command.js';

function recordingIo(): CliIo & { lines: string[] } {
  const lines: string[] = [];
  return { lines, out: (line) => lines.push(line), err: (line) => lines.push(line) };
}

describe('failsoft serve', () => {
  it('parses its flags and refuses bad ones', () => {
    expect(parseServeArgs([])).toEqual({ configFile: undefined, port: 8787, host: '127.0.0.1', help: false });
    expect(parseServeArgs(['--config', 'f.yaml', '--port', '0', '--host', '::1'])).toEqual({
      configFile: 'f.yaml',
      port: 0,
      host: '::1',
      help: false,
    });
    expect(() => parseServeArgs(['--port', 'x'])).toThrow(UsageError);
    expect(() => parseServeArgs(['--nope'])).toThrow(UsageError);
    expect(parseServeArgs(['--log-level', 'debug']).logLevel).toBe('debug');
    expect(() => parseServeArgs(['--log-level', 'loud'])).toThrow(
      /--log-level loud: expected one of silent, warn, info, debug/,
    );
    expect(parseServeArgs(['--strict']).strict).toBe(true);
    expect(serveCommand.usage).toMatch(/--strict +refuse to start on a config warning/);
    expect(parseServeArgs(['--sim-port', '0']).simPort).toBe(0);
    expect(parseServeArgs(['--sim-port', '9100']).simPort).toBe(9100);
    expect(serveCommand.usage).toMatch(/--sim-port N +without --config: the simulator's port \(default 8700/);
    expect(() => parseServeArgs(['--sim-port', 'x'])).toThrow('--sim-port x: expected an integer from 0 to 65535');
    expect(() => parseServeArgs(['--sim-port', '9100', '--config', 'f.yaml'])).toThrow(
      /--sim-port 9100: only without --config/,
    );
    expect(() => parseServeArgs(['--sim-port', '9100', '--port', '9100'])).toThrow(
      '--sim-port 9100: the gateway listens there (--port): the two need different ports',
    );
    expect(() => parseServeArgs(['--port', '8700'])).toThrow(
      "--port 8700 is the simulator's default port too: pick another --sim-port, or another --port",
    );
    expect(parseServeArgs(['--port', '8700', '--config', 'f.yaml']).port).toBe(8700);
  });

  it('logs every state change as a JSON line (info), and every request too at debug', async () => {
    const io = recordingIo();
    const serve = await startServe(
      { configFile: undefined, port: 0, simPort: 0, host: '127.0.0.1', help: false, logLevel: 'debug' },
      io,
    );
    const ask = (): Promise<Response> =>
      fetch(`${serve.gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': 'req-log-1' },
        body: JSON.stringify({ model: 'summary', messages: [{ role: 'user', content: 'Summarize:\nA. B.' }] }),
      });
    try {
      serve.sim?.setFaults({ anthropic: [{ kind: 'overloaded' }] });
      for (let i = 0; i < 8; i++) expect((await ask()).headers.get('x-failsoft-provider')).toBe('gpt');
      const logged = (): Record<string, unknown>[] =>
        io.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
      // The last access-log line is written when its response closes, which may be after fetch resolves.
      await expect.poll(() => logged().filter((l) => l['event'] === 'request').length).toBe(8);
      const json = logged();
      const opened = json.find((l) => l['event'] === 'provider-opened');
      expect(opened).toMatchObject({ level: 'warn', provider: 'claude', model: 'claude-sonnet-4-5' });
      expect(String(opened?.['msg'])).toMatch(/^claude\/claude-sonnet-4-5 opened: /);
      expect(json.find((l) => l['event'] === 'feature-mode-changed')).toMatchObject({
        level: 'info',
        feature: 'summary',
        from: 'normal',
        to: 'failover',
      });
      expect(json.filter((l) => l['event'] === 'attempt-failed').length).toBeGreaterThan(0);
      const requests = json.filter((l) => l['event'] === 'request');
      expect(requests).toHaveLength(8);
      expect(requests[0]).toMatchObject({
        level: 'debug',
        id: 'req-log-1',
        method: 'POST',
        path: '/v1/chat/completions',
        status: 200,
        feature: 'summary',
        provider: 'gpt',
        source: 'provider',
      });
      for (const line of json) expect(Number.isNaN(Date.parse(String(line['time'])))).toBe(false);
    } finally {
      await serve.close();
    }
  });

  it('at info logs no request lines; silent logs nothing but the start-up lines; a bad FAILSOFT_LOG_LEVEL is refused', async () => {
    for (const level of ['info', 'silent'] as const) {
      const io = recordingIo();
      const serve = await startServe(
        { configFile: undefined, port: 0, simPort: 0, host: '127.0.0.1', help: false },
        io,
        { FAILSOFT_LOG_LEVEL: level },
      );
      try {
        serve.sim?.setFaults({ anthropic: [{ kind: 'overloaded' }] });
        for (let i = 0; i < 8; i++) {
          await fetch(`${serve.gateway.url}/v1/chat/completions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ model: 'summary', messages: [{ role: 'user', content: 'Summarize:\nA. B.' }] }),
          });
        }
        const events = io.lines.filter((l) => l.startsWith('{')).map((l) => (JSON.parse(l) as { event: string }).event);
        if (level === 'silent') expect(events).toEqual([]);
        else {
          expect(events).toContain('provider-opened');
          expect(events).not.toContain('request');
          expect(events).not.toContain('attempt-failed');
        }
      } finally {
        await serve.close();
      }
    }
    await expect(
      startServe({ configFile: undefined, port: 0, simPort: 0, host: '127.0.0.1', help: false }, recordingIo(), {
        FAILSOFT_LOG_LEVEL: 'verbose',
      }),
    ).rejects.toThrow(/FAILSOFT_LOG_LEVEL=verbose: expected one of/);
  });

  it('without a config serves the example against the in-process simulator, and says so first', async () => {
    const io = recordingIo();
    const simPort = await freePort();
    const serve = await startServe({ configFile: undefined, port: 0, simPort, host: '127.0.0.1', help: false }, io);
    try {
      expect(serve.sim?.port).toBe(simPort);
      // Where the simulator's fault controls are (README's curl examples), said in the first line.
      expect(io.lines[0]).toBe(
        `failsoft serve: no --config given: serving the built-in example config (features summary, chat) against the simulator at http://127.0.0.1:${simPort} (faults, limits, stats: http://127.0.0.1:${simPort}/_sim)`,
      );
      const res = await fetch(`${serve.gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'summary', messages: [{ role: 'user', content: 'Summarize:\nA. B.' }] }),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-failsoft-provider')).toBe('claude');
    } finally {
      await serve.close();
    }
  });

  it('guards /admin/* with FAILSOFT_ADMIN_TOKEN from the environment', async () => {
    const serve = await startServe(
      { configFile: undefined, port: 0, simPort: 0, host: '127.0.0.1', help: false },
      recordingIo(),
      { FAILSOFT_ADMIN_TOKEN: 'serve-admin' },
    );
    try {
      expect((await fetch(`${serve.gateway.url}/admin/state`)).status).toBe(401);
      const off = await fetch(`${serve.gateway.url}/admin/switches/features/chat`, {
        method: 'POST',
        headers: { authorization: 'Bearer serve-admin', 'content-type': 'application/json' },
        body: '{"enabled":false}',
      });
      expect(off.status).toBe(200);
      expect(serve.ai.switches.isEnabled('chat')).toBe(false);
      expect((await fetch(`${serve.gateway.url}/metrics`)).status).toBe(200);
    } finally {
      await serve.close();
    }
  });

  it('serves the dashboard at / and its state beside the API', async () => {
    const serve = await startServe(
      { configFile: undefined, port: 0, simPort: 0, host: '127.0.0.1', help: false, logLevel: 'silent' },
      recordingIo(),
      {},
    );
    try {
      expect((await fetch(`${serve.gateway.url}/`)).headers.get('content-type')).toContain('text/html');
      const state = (await (await fetch(`${serve.gateway.url}/dashboard/state`)).json()) as { status: unknown };
      expect(state.status).toEqual({ level: 'ok', headline: 'AI OK; no core checks configured' });
    } finally {
      await serve.close();
    }
  });

  it("serves a config file's client keys and aliases, and says keys are required", async () => {
    const sim = await startSimulator({ port: 0 });
    const dir = await mkdtemp(join(tmpdir(), 'failsoft-serve-'));
    const file = join(dir, 'failsoft.yaml');
    await writeFile(
      file,
      [
        'providers:',
        `  claude: { type: anthropic, baseUrl: "${sim.urlFor('anthropic')}", apiKeyEnv: SIM_KEY }`,
        'features:',
        '  chat: { tier: ai-only, route: [claude/claude-sonnet-4-5] }',
        'gateway:',
        `  clients: { app: { keyHash: "${hashClientKey('app-key')}" } }`,
        '  aliases: { fast: chat }',
        // Records in memory: this test is about keys, and PGlite's start-up takes seconds on a busy machine.
        'store: { memory: true }',
      ].join('\n'),
    );
    const io = recordingIo();
    const serve = await startServe({ configFile: file, port: 0, host: '127.0.0.1', help: false }, io, {
      SIM_KEY: 'sim',
    });
    try {
      expect(io.lines.some((l) => /1 client key\(s\) configured/.test(l))).toBe(true);
      const ask = (key: string): Promise<Response> =>
        fetch(`${serve.gateway.url}/v1/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': key },
          body: JSON.stringify({ model: 'fast', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] }),
        });
      expect((await ask('nope')).status).toBe(401);
      const ok = await ask('app-key');
      expect(ok.status).toBe(200);
      expect(ok.headers.get('x-failsoft-feature')).toBe('chat');
    } finally {
      await serve.close();
      await sim.close();
    }
  });

  it('close() finishes a request already in flight', async () => {
    const serve = await startServe(
      { configFile: undefined, port: 0, simPort: 0, host: '127.0.0.1', help: false },
      recordingIo(),
    );
    serve.sim?.setFaults({ anthropic: [{ kind: 'slow', latencyMs: 200 }] });
    const inFlight = fetch(`${serve.gateway.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'chat', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] }),
    });
    // Close once the gateway has the request (the simulator has seen it).
    await expect.poll(() => serve.sim?.stats().anthropic?.requests ?? 0, { interval: 5 }).toBe(1);
    const closing = serve.close();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ type: 'message' });
    await closing;
  });

  it('the CLI process closes cleanly on SIGTERM', async () => {
    const main = fileURLToPath(new URL('./main.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', main, 'serve', '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        const match = /gateway listening on (http:\/\/\S+)/.exec(output);
        if (match?.[1]) resolve(match[1]);
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', () => reject(new Error(`exited early: ${output}`)));
    });
    expect((await fetch(`${url}/health`)).status).toBe(200);
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
    expect(output).toContain('SIGTERM');
  }, 20_000);

  describe('a port that is taken', () => {
    const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
    /** Runs `failsoft serve ARGS` to its exit; a port that is taken must end it at once. */
    async function serveExit(args: string[]): Promise<{ code: number | null; stderr: string }> {
      const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', ...args], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const [code] = (await once(child, 'exit')) as [number | null];
      return { code, stderr };
    }
    async function holdPort(): Promise<{ server: Server; port: number }> {
      const server = createServer();
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const address = server.address();
      if (typeof address !== 'object' || address === null) throw new Error('no port');
      return { server, port: address.port };
    }

    it("the gateway's: exit 1, naming the port and --port", async () => {
      const held = await holdPort();
      try {
        const { code, stderr } = await serveExit(['--port', String(held.port), '--sim-port', '0']);
        expect(code).toBe(1);
        expect(stderr).toBe(`failsoft serve: cannot start: port ${held.port} is in use: pick another with --port\n`);
      } finally {
        held.server.close();
      }
    }, 20_000);

    it("the simulator's, given with --sim-port: exit 1, naming the port and --sim-port", async () => {
      const held = await holdPort();
      try {
        const { code, stderr } = await serveExit(['--port', '0', '--sim-port', String(held.port)]);
        expect(code).toBe(1);
        expect(stderr).toBe(
          `failsoft serve: cannot start: port ${held.port} is in use: pick another with --sim-port\n`,
        );
      } finally {
        held.server.close();
      }
    }, 20_000);
  });

  describe('start-up checks', () => {
    async function configFile(lines: string[]): Promise<string> {
      const dir = await mkdtemp(join(tmpdir(), 'failsoft-checks-'));
      const file = join(dir, 'failsoft.yaml');
      // Its own store directory: never the working tree's ./.failsoft (which a running serve may hold).
      const withStore = lines.some((line) => line.startsWith('features:'))
        ? [...lines, `store: { dir: "${join(dir, 'store')}" }`]
        : lines;
      await writeFile(file, withStore.join('\n'));
      return file;
    }
    const routed = (baseUrl: string): string[] => [
      'providers:',
      `  claude: { type: anthropic, baseUrl: "${baseUrl}", apiKeyEnv: ANTHROPIC_API_KEY }`,
      `  spare: { type: openai, baseUrl: "${baseUrl}", apiKeyEnv: SPARE_KEY }`,
      'features:',
      '  chat: { tier: ai-only, route: [claude/claude-sonnet-4-5] }',
    ];
    const run = async (args: string[], env: Record<string, string>): Promise<{ code: number; lines: string[] }> => {
      const io = recordingIo();
      const saved = { ...process.env };
      Object.assign(process.env, env);
      try {
        return { code: await serveCommand.run(args, io), lines: io.lines };
      } finally {
        for (const key of Object.keys(env))
          if (saved[key] === undefined) Reflect.deleteProperty(process.env, key);
          else process.env[key] = saved[key];
      }
    };

    it('an apiKeyEnv that is not set is named in a warning at start; the gateway still starts', async () => {
      const file = await configFile(routed('http://127.0.0.1:9'));
      const io = recordingIo();
      const serve = await startServe({ configFile: file, port: 0, host: '127.0.0.1', help: false }, io, {});
      try {
        expect(io.lines.filter((l) => l.includes('warning'))).toEqual([
          'failsoft serve: warning: providers.claude.apiKeyEnv: ANTHROPIC_API_KEY is not set: calls to claude will fail (auth) until it is',
          'failsoft serve: warning: providers.spare.apiKeyEnv: SPARE_KEY is not set: no feature routes to spare yet, so nothing fails until one does',
        ]);
        expect((await fetch(`${serve.gateway.url}/health`)).status).toBe(200);
      } finally {
        await serve.close();
      }
      const quiet = recordingIo();
      const withKeys = await startServe({ configFile: file, port: 0, host: '127.0.0.1', help: false }, quiet, {
        ANTHROPIC_API_KEY: 'k',
        SPARE_KEY: 'k',
      });
      await withKeys.close();
      expect(quiet.lines.filter((l) => l.includes('warning'))).toEqual([]);
    });

    it('with --strict the missing key stops start-up: exit 2, the message names the key', async () => {
      const file = await configFile(routed('http://127.0.0.1:9'));
      await expect(
        startServe({ configFile: file, port: 0, host: '127.0.0.1', help: false, strict: true }, recordingIo(), {
          SPARE_KEY: 'k',
        }),
      ).rejects.toThrow(
        new ConfigError(
          [
            {
              path: 'providers.claude.apiKeyEnv',
              message:
                'ANTHROPIC_API_KEY is not set: calls to claude will fail (auth) until it is (an error under --strict)',
            },
          ],
          file,
        ),
      );
      const { code, lines } = await run(['--config', file, '--port', '0', '--strict'], { SPARE_KEY: 'k' });
      expect(code).toBe(2);
      expect(lines.join('\n')).toBe(
        `failsoft serve: ${file}: invalid configuration:\n  providers.claude.apiKeyEnv: ANTHROPIC_API_KEY is not set: calls to claude will fail (auth) until it is (an error under --strict)`,
      );
    });

    it('a config that serves nothing stops start-up and says why: empty file, no feature, routes without providers', async () => {
      const empty = await configFile(['# nothing here yet']);
      expect((await run(['--config', empty, '--port', '0'], {})).lines).toEqual([
        `failsoft serve: ${empty}: invalid configuration:\n  (file): is empty (or only comments): a config needs at least one feature`,
      ]);
      const noFeatures = await configFile(['providers:', '  gpt: { type: openai, apiKeyEnv: OPENAI_API_KEY }']);
      const none = await run(['--config', noFeatures, '--port', '0'], { OPENAI_API_KEY: 'k' });
      expect(none.code).toBe(2);
      expect(none.lines).toEqual([
        `failsoft serve: ${noFeatures}: invalid configuration:\n  features: no feature is configured: the gateway could serve nothing (every AI request would be 404); add at least one feature`,
      ]);
      const noProviders = await configFile([
        'features:',
        '  chat: { tier: ai-only, route: [claude/claude-sonnet-4-5] }',
      ]);
      expect((await run(['--config', noProviders, '--port', '0'], {})).lines).toEqual([
        `failsoft serve: ${noProviders}: invalid configuration:\n  features.chat.route[0]: unknown provider "claude" (no providers are configured)`,
      ]);
      const critical = await configFile(['features:', '  billing: { tier: critical }']);
      const io = recordingIo();
      const serve = await startServe({ configFile: critical, port: 0, host: '127.0.0.1', help: false }, io, {});
      await serve.close();
      expect(io.lines).toContain(
        'failsoft serve: warning: features: every feature is critical: the AI routes can serve none of them (critical features never call AI)',
      );
    });

    it('a blank FAILSOFT_ADMIN_TOKEN stops start-up (exit 2), naming the variable', async () => {
      const { code, lines } = await run(['--port', '0'], { FAILSOFT_ADMIN_TOKEN: '   ' });
      expect(code).toBe(2);
      expect(lines).toEqual([
        'failsoft serve: invalid configuration:\n  FAILSOFT_ADMIN_TOKEN (environment): is set but blank: set it to a secret (e.g. `openssl rand -hex 32`) or unset it',
      ]);
    });
  });
});
