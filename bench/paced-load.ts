/**
 * An open-loop load at a fixed rate, requests evenly spaced (one every 1000/rate ms), for "p99 at a fixed
 * 1,000 requests/second". autocannon's `overallRate` paces each connection on its own timer, and those
 * timers fire together: 50 connections at 1,000 req/s send bursts of ~50 requests every 50 ms, so its p99
 * measures how long a burst queues (≈ 50 × the server's time per request), not a request's latency at
 * that rate. Here latency counts from each request's scheduled time (no coordinated omission: a request
 * delayed by a slow server is charged the delay) to the end of its answer.
 */
import { Pool } from 'undici';

export interface PacedResult {
  /** Requests that completed with a 2xx status. */
  ok: number;
  failed: number;
  /** Latencies in ms, sorted. */
  latencies: number[];
  /** Achieved rate (completions per second). */
  rps: number;
}

export interface PacedOptions {
  url: string;
  headers: Record<string, string>;
  body: string;
  rate: number;
  seconds: number;
  /** Keep-alive connections the client may open (default 64). */
  connections?: number;
}

/**
 * Sends `rate × seconds` POSTs evenly spaced over `seconds`, and collects each one's latency.
 * @example const r = await pacedLoad({ url, headers, body, rate: 1000, seconds: 5 }); percentile(r.latencies, 0.99)
 */
export async function pacedLoad(options: PacedOptions): Promise<PacedResult> {
  const target = new URL(options.url);
  const pool = new Pool(target.origin, {
    connections: options.connections ?? 64,
    pipelining: 1,
    keepAliveTimeout: 30_000,
  });
  const total = Math.round(options.rate * options.seconds);
  const spacingMs = 1000 / options.rate;
  const latencies: number[] = [];
  let failed = 0;
  let sent = 0;
  let settled = 0;
  const started = performance.now();
  await new Promise<void>((resolve) => {
    const fire = (scheduled: number): void => {
      pool
        .request({ path: target.pathname, method: 'POST', headers: options.headers, body: options.body })
        .then(
          async (res) => {
            await res.body.dump();
            if (res.statusCode >= 200 && res.statusCode < 300) latencies.push(performance.now() - scheduled);
            else failed++;
          },
          () => {
            failed++;
          },
        )
        .finally(() => {
          if (++settled === total) resolve();
        });
    };
    const tick = (): void => {
      const now = performance.now();
      while (sent < total && started + sent * spacingMs <= now) fire(started + spacingMs * sent++);
      if (sent < total) setTimeout(tick, Math.max(0, started + sent * spacingMs - performance.now()));
    };
    tick();
  });
  const wallS = (performance.now() - started) / 1000;
  await pool.close();
  latencies.sort((a, b) => a - b);
  return { ok: latencies.length, failed, latencies, rps: latencies.length / wallS };
}

/** The q-quantile of sorted values (NaN when empty). */
export function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}
