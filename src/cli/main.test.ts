import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

function runMain(args: string[]): {
  child: ReturnType<typeof spawn>;
  exit: Promise<number | null>;
  stdout: () => string;
  stderr: () => string;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exit, stdout: () => out, stderr: () => err };
}

describe('failsoft CLI entry', () => {
  it('--version prints the package version and exits 0', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    const run = runMain(['--version']);
    expect(await run.exit).toBe(0);
    expect(run.stdout().trim()).toBe(`failsoft ${version}`);
  });

  it('a reader that goes away (`failsoft … | head`) ends the output quietly, not with an EPIPE crash', async () => {
    const run = runMain(['--help']);
    run.child.stdout?.destroy(); // the pipe's only reader is gone before the first line is written
    expect(await run.exit).toBe(0);
    expect(run.stderr()).not.toContain('EPIPE');
  });

  it('exits 2 on an unknown command', async () => {
    const run = runMain(['frobnicate']);
    expect(await run.exit).toBe(2);
    expect(run.stderr()).toContain('failsoft: unknown command "frobnicate"');
  });

  it('a built-in object name is an unknown command too (exit 2), and `help toString` says so', async () => {
    for (const args of [['constructor'], ['__proto__'], ['help', 'toString']]) {
      const run = runMain(args);
      expect(await run.exit).toBe(2);
      expect(run.stderr()).toContain(`failsoft: unknown command "${args.at(-1) ?? ''}"`);
    }
  });

  it('runs the simulator until SIGINT, then closes and exits 0', async () => {
    const run = runMain(['sim', '--port', '0', '--chunk-delay', '0']);
    const banner = await new Promise<string>((resolve, reject) => {
      run.child.stdout?.on('data', () => {
        if (run.stdout().includes('control API')) resolve(run.stdout());
      });
      run.exit.then(() => reject(new Error(`exited early: ${run.stderr()}`)), reject);
    });
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(banner)?.[1];
    expect(url).toBeDefined();
    expect(banner).toContain(`${url}/openai/v1`);
    const stats = await fetch(`${url}/_sim/stats`);
    expect(await stats.json()).toMatchObject({
      anthropic: { requests: 0 },
      openai: { requests: 0 },
      gemini: { requests: 0 },
    });
    run.child.kill('SIGINT');
    expect(await run.exit).toBe(0);
  });
});
