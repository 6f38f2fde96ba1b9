import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CliIo } from './cli-command.js';
import { UsageError } from './cli-command.js';
import { parseServeArgs, startServe } from './serve-command.js';

function recordingIo(): CliIo & { lines: string[] } {
  const lines: string[] = [];
  return { lines, out: (line) => lines.push(line), err: (line) => lines.push(line) };
}

describe('failsoft serve', () => {
  it('parses its flags and refuses bad ones', () => {
    expect(parseServeArgs([])).toEqual({ configFile: undefined, port: 8787, host: '127.0.0.1', help: false });
    expect(parseServeArgs(['--config', 'f.yaml', '--port', '0', '--host', '::1'])).toEqual({ configFile: 'f.yaml', port: 0, host: '::1', help: false });
    expect(() => parseServeArgs(['--port', 'x'])).toThrow(UsageError);
    expect(() => parseServeArgs(['--nope'])).toThrow(UsageError);
  });

  it('without a config serves the example against the in-process simulator, and says so first', async () => {
    const io = recordingIo();
    const serve = await startServe({ configFile: undefined, port: 0, host: '127.0.0.1', help: false }, io);
    try {
      expect(io.lines[0]).toMatch(/built-in example config.*simulator/);
      const res = await fetch(`${serve.gateway.url}/v1/chat/completions`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'summary', messages: [{ role: 'user', content: 'Summarize:\nA. B.' }] }),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-failsoft-provider')).toBe('claude');
    } finally {
      await serve.close();
    }
  });

  it('close() finishes a request already in flight', async () => {
    const serve = await startServe({ configFile: undefined, port: 0, host: '127.0.0.1', help: false }, recordingIo());
    serve.sim?.setFaults({ anthropic: [{ kind: 'slow', latencyMs: 200 }] });
    const inFlight = fetch(`${serve.gateway.url}/v1/messages`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'chat', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] }),
    });
    // Close once the gateway has the request (the simulator has seen it).
    while ((serve.sim?.stats().anthropic?.requests ?? 0) === 0) await new Promise((r) => setTimeout(r, 5));
    const closing = serve.close();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ type: 'message' });
    await closing;
  });

  it('the CLI process closes cleanly on SIGTERM', async () => {
    const main = fileURLToPath(new URL('./main.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', main, 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
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
    const [code] = await once(child, 'exit') as [number | null];
    expect(code).toBe(0);
    expect(output).toContain('SIGTERM');
  }, 20_000);
});
