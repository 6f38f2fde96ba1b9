import { describe, expect, it } from 'vitest';
import { Histogram, Registry } from 'prom-client';
import { LatencyHistogram } from './latency-histogram.js';

describe('LatencyHistogram', () => {
  it('renders what prom-client would for the same observations', async () => {
    const buckets = [0.01, 0.1, 1];
    const ours = new LatencyHistogram('x_seconds', 'Latency.', buckets);
    const registry = new Registry();
    const theirs = new Histogram({
      name: 'x_seconds',
      help: 'Latency.',
      labelNames: ['feature'],
      buckets,
      registers: [registry],
    });
    const samples: Array<[string, number]> = [
      ['chat', 0.005],
      ['chat', 0.01],
      ['chat', 0.5],
      ['chat', 3],
      ['sum"mary', 0.05],
    ];
    for (const [feature, seconds] of samples) {
      ours.observe(feature, seconds);
      theirs.observe({ feature }, seconds);
    }
    const sorted = (text: string): string[] => text.trim().split('\n').sort();
    expect(sorted(ours.render())).toEqual(sorted(await registry.metrics()));
  });

  it('renders only HELP and TYPE before any observation', () => {
    expect(new LatencyHistogram('x_seconds', 'Latency.', [1]).render()).toBe(
      '# HELP x_seconds Latency.\n# TYPE x_seconds histogram\n',
    );
  });
});
