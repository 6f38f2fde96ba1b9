/**
 * What the benchmarks share: autocannon (typed here, it ships no types), servers started as child
 * processes, and per-process readings from /proc (CPU time, resident memory) plus the machine's CPU model.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';

export interface Histogram {
  average: number;
  p50: number;
  p99: number;
}
export interface AutocannonResult {
  requests: Histogram & { total: number };
  latency: Histogram;
  non2xx: number;
  errors: number;
  timeouts: number;
}
export interface AutocannonOptions {
  url: string;
  connections: number;
  duration: number;
  pipelining: number;
  overallRate?: number;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

/** autocannon, loaded through require and described by the part the benchmarks use. */
export const autocannon = createRequire(import.meta.url)('autocannon') as (
  options: AutocannonOptions,
) => Promise<AutocannonResult>;

/** The package root: children run from here. */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Starts `node ARGS` and resolves with the first URL its output matches (default: "listening on URL"). */
export function startChild(
  args: string[],
  pattern = /listening on (http:\/\/[^\s]+)/,
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      const url = pattern.exec(out)?.[1];
      if (url) {
        child.stdout?.off('data', onData);
        child.stdout?.resume(); // keep draining whatever it prints later
        resolve({ child, url });
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`${args.join(' ')} exited with ${String(code)} before listening:\n${out}`)),
    );
  });
}

/** SIGTERM, then SIGKILL after 15 s; resolves once the child has exited. */
export function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

const CLOCK_TICKS_PER_S = ((): number => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * CPU milliseconds a process has used (user + system), from /proc (Linux); undefined elsewhere.
 * Throughput on a shared 2-core box moves with the load generator and neighbours; the server's CPU per
 * request is the steadier figure.
 */
export function cpuMs(pid: number | undefined): number | undefined {
  try {
    const fields =
      readFileSync(`/proc/${String(pid)}/stat`, 'utf8')
        .split(') ')[1]
        ?.split(' ') ?? [];
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
  } catch {
    return undefined;
  }
}

/** Resident set size in MB, from /proc/PID/status VmRSS; undefined elsewhere. */
export function rssMb(pid: number | undefined): number | undefined {
  try {
    const kb = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${String(pid)}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

/** The CPU's model name. */
export function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    return line?.split(':')[1]?.trim() ?? cpus()[0]?.model ?? 'unknown';
  } catch {
    return cpus()[0]?.model ?? 'unknown';
  }
}

/** Waits until `url` answers at all (any status), polling every 100 ms for up to 10 s. */
export async function waitReady(url: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      await (await request(url)).body.dump();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`${url} never answered`);
}
