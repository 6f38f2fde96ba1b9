import type { Clock } from '../model/clock.js';

const BUCKETS = 12;
const LATENCY_SAMPLES = 256;

/**
 * Rolling health figures for one route entry (provider/model): success and failure counts over a
 * sliding window of 12 buckets, and the last 256 latencies for percentiles. O(1) per record; the
 * percentiles are computed only when health is read.
 */
export class RouteStats {
  private readonly ok = new Float64Array(BUCKETS);
  private readonly failed = new Float64Array(BUCKETS);
  private readonly stamps = new Float64Array(BUCKETS).fill(-1);
  private readonly latencies = new Float64Array(LATENCY_SAMPLES);
  private latencyCount = 0;
  private readonly bucketMs: number;
  lastError: { class: string; message: string; at: number } | undefined;
  lastSuccessAt: number | undefined;

  constructor(
    private readonly clock: Clock,
    windowMs = 60_000,
  ) {
    this.bucketMs = windowMs / BUCKETS;
  }

  private slot(now: number): number {
    const epoch = Math.floor(now / this.bucketMs);
    const index = epoch % BUCKETS;
    if (this.stamps[index] !== epoch) {
      this.stamps[index] = epoch;
      this.ok[index] = 0;
      this.failed[index] = 0;
    }
    return index;
  }

  /** Records a successful attempt and its latency. */
  recordSuccess(ms: number): void {
    const now = this.clock.now();
    this.ok[this.slot(now)]! += 1;
    this.latencies[this.latencyCount++ % LATENCY_SAMPLES] = ms;
    this.lastSuccessAt = now;
  }

  /** Records a failed attempt. Failures that say nothing about health (bad requests) are not recorded. */
  recordFailure(ms: number, errorClass: string, message: string): void {
    const now = this.clock.now();
    this.failed[this.slot(now)]! += 1;
    this.latencies[this.latencyCount++ % LATENCY_SAMPLES] = ms;
    this.lastError = { class: errorClass, message, at: now };
  }

  /** Totals over the window, error rate, and latency percentiles. */
  snapshot(): {
    requests: number;
    failures: number;
    errorRate: number;
    latencyMs: { p50: number; p95: number } | null;
  } {
    const now = this.clock.now();
    const oldest = Math.floor(now / this.bucketMs) - BUCKETS + 1;
    let ok = 0;
    let failed = 0;
    for (let i = 0; i < BUCKETS; i++) {
      if ((this.stamps[i] as number) < oldest) continue;
      ok += this.ok[i] as number;
      failed += this.failed[i] as number;
    }
    const n = Math.min(this.latencyCount, LATENCY_SAMPLES);
    const sorted = Array.from(this.latencies.subarray(0, n)).sort((a, b) => a - b);
    const pick = (q: number): number => Math.round((sorted[Math.min(n - 1, Math.floor(q * n))] as number) * 10) / 10;
    const requests = ok + failed;
    return {
      requests,
      failures: failed,
      errorRate: requests === 0 ? 0 : failed / requests,
      latencyMs: n === 0 ? null : { p50: pick(0.5), p95: pick(0.95) },
    };
  }
}
