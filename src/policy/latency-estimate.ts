/**
 * A rolling estimate of one latency (e.g. a provider+model's time to first token) from its last
 * samples, cheap enough to read on every request: the percentile is recomputed only after every
 * `recomputeEvery` new samples, so a read is a field access. Written here rather than taken from a
 * metrics library because the router reads it per attempt and needs no histogram buckets, only a
 * recent p95 with a floor of evidence (`minSamples`) before it is trusted.
 * @example
 * const ttft = new LatencyEstimate();
 * ttft.record(420);
 * const p95 = ttft.quantile(); // undefined until minSamples samples were seen
 */
export class LatencyEstimate {
  private readonly samples: Float64Array;
  private count = 0;
  private sinceRecompute = 0;
  private cached: number | undefined;
  private cachedMedian: number | undefined;

  constructor(
    private readonly options: { size?: number; minSamples?: number; recomputeEvery?: number; q?: number } = {},
  ) {
    this.samples = new Float64Array(options.size ?? 64);
  }

  /** Adds one observation, in ms (negative or non-finite values are ignored). */
  record(ms: number): void {
    if (!(ms >= 0) || !Number.isFinite(ms)) return;
    this.samples[this.count % this.samples.length] = ms;
    this.count++;
    this.sinceRecompute++;
    const minSamples = this.options.minSamples ?? 8;
    if (
      this.count >= minSamples &&
      (this.cached === undefined || this.sinceRecompute >= (this.options.recomputeEvery ?? 8))
    )
      this.recompute();
  }

  /** The estimate (default the 95th percentile of the kept samples), or undefined while there is too little evidence. */
  quantile(): number | undefined {
    return this.cached;
  }

  /** The median of the kept samples, recomputed with `quantile()`; undefined while there is too little evidence. */
  median(): number | undefined {
    return this.cachedMedian;
  }

  /** Observations seen since creation. */
  get seen(): number {
    return this.count;
  }

  private recompute(): void {
    this.sinceRecompute = 0;
    const n = Math.min(this.count, this.samples.length);
    const sorted = Array.from(this.samples.subarray(0, n)).sort((a, b) => a - b);
    const q = this.options.q ?? 0.95;
    this.cached = sorted[Math.min(n - 1, Math.floor(q * n))];
    this.cachedMedian = sorted[Math.floor(0.5 * (n - 1))];
  }
}
