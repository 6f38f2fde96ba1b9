import { ConfigError } from '../../model/errors.js';
import { resolveConfig } from './resolve-config.js';

/**
 * What `resolveConfig` says is wrong with a document, as `path: message` lines ([] when it resolves), for tests.
 * @example expect(issuesOf({ features: { x: { tier: 'nope' } } })).toContain('features.x.tier: …');
 */
export function issuesOf(doc: unknown, env: Record<string, string> = {}): string[] {
  try {
    resolveConfig(doc, { env });
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((i) => `${i.path}: ${i.message}`);
    throw error;
  }
  return [];
}
