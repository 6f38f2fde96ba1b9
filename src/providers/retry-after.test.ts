import { describe, expect, it } from 'vitest';
import { parseDuration, retryAfterFromHeaders } from './retry-after.js';

describe('retryAfterFromHeaders', () => {
  it('prefers retry-after-ms over retry-after', () => {
    expect(retryAfterFromHeaders({ 'retry-after-ms': '84', 'retry-after': '1' })).toBe(84);
  });
  it('reads seconds and HTTP dates', () => {
    expect(retryAfterFromHeaders({ 'retry-after': '3' })).toBe(3000);
    const now = Date.parse('2026-11-25T10:00:00Z');
    expect(retryAfterFromHeaders({ 'retry-after': 'Wed, 25 Nov 2026 10:00:05 GMT' }, now)).toBe(5000);
  });
  it('ignores absent or malformed values', () => {
    expect(retryAfterFromHeaders({})).toBeUndefined();
    expect(retryAfterFromHeaders({ 'retry-after': 'soon' })).toBeUndefined();
  });
});

describe('parseDuration', () => {
  it('parses Go-style durations', () => {
    expect(parseDuration('84ms')).toBe(84);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('6m0s')).toBe(360_000);
    expect(parseDuration('1h2m3s')).toBe(3_723_000);
    expect(parseDuration('37s')).toBe(37_000);
  });
  it('rejects garbage', () => {
    expect(parseDuration('abc')).toBeUndefined();
    expect(parseDuration('5 s')).toBeUndefined();
    expect(parseDuration('')).toBeUndefined();
  });
});
