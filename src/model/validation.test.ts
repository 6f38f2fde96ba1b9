import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { formatPath, zodIssues } from './validation.js';

describe('zodIssues', () => {
  const schema = z.strictObject({
    route: z.array(z.union([z.string(), z.strictObject({ provider: z.string() })])),
    deadlineMs: z.number().positive(),
  });

  it('names the path of each bad key, unknown keys included', () => {
    const result = schema.safeParse({ route: ['a', { provider: 3 }], deadlineMs: -1, extra: true });
    const issues = zodIssues(result.error!, 'features.summary');
    expect(issues.map((i) => i.path)).toEqual([
      'features.summary.route[1].provider',
      'features.summary.deadlineMs',
      'features.summary.extra',
    ]);
    expect(issues[2]!.message).toBe('unknown key');
  });

  it('formats paths with indexes', () => {
    expect(formatPath(['a', 0, 'b'])).toBe('a[0].b');
    expect(formatPath([], '')).toBe('(root)');
  });
});
