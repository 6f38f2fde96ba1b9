/**
 * The request-latency histogram of `/metrics`, kept by hand: prom-client's Histogram validates and
 * hashes the label set on every `observe`, about a microsecond per request on the gateway's hot path.
 * Here an observation is a bucket search and three additions on an object found once per feature; the
 * Prometheus text (cumulative buckets, `_sum`, `_count`) is produced at scrape only.
 */

interface Series {
  /** Non-cumulative counts per bucket; the last slot is +Inf. */
  counts: number[];
  sum: number;
  count: number;
}

/**
 * Prometheus label-value escaping: backslash, double quote and newline.
 * @example escapeLabel('a"b') // 'a\\"b'
 */
function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** A histogram with one label (`feature`), in seconds. */
export class LatencyHistogram {
  private readonly series = new Map<string, Series>();

  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly buckets: readonly number[],
  ) {}

  /** Records one latency, in seconds, for a feature. */
  observe(feature: string, seconds: number): void {
    let series = this.series.get(feature);
    if (series === undefined) {
      series = { counts: new Array<number>(this.buckets.length + 1).fill(0), sum: 0, count: 0 };
      this.series.set(feature, series);
    }
    let index = 0;
    while (index < this.buckets.length && seconds > (this.buckets[index] as number)) index++;
    series.counts[index] = (series.counts[index] ?? 0) + 1;
    series.sum += seconds;
    series.count++;
  }

  /** The exposition text: HELP, TYPE, then per feature cumulative buckets, `_sum` and `_count`. */
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const [feature, series] of this.series) {
      const label = `feature="${escapeLabel(feature)}"`;
      let cumulative = 0;
      this.buckets.forEach((bound, i) => {
        cumulative += series.counts[i] ?? 0;
        lines.push(`${this.name}_bucket{le="${bound}",${label}} ${cumulative}`);
      });
      lines.push(`${this.name}_bucket{le="+Inf",${label}} ${series.count}`);
      lines.push(`${this.name}_sum{${label}} ${series.sum}`);
      lines.push(`${this.name}_count{${label}} ${series.count}`);
    }
    return `${lines.join('\n')}\n`;
  }
}
