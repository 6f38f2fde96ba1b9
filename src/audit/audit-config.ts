import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { auditSchema, type AuditConfig } from '../engine/config/audit-schema.js';
import { loadConfigFile } from '../engine/config/resolve-config.js';

/**
 * The `audit:` section of a failsoft config file. The whole file is validated as `failsoft serve` would
 * (a `ConfigError` names every bad key, with "did you mean" for misspelt ones), so the audit never runs on a
 * config that would not load.
 * @example const { critical } = await loadAuditConfig('failsoft.yaml');
 */
export async function loadAuditConfig(
  path: string,
  env: Record<string, string | undefined> = process.env,
): Promise<AuditConfig> {
  await loadConfigFile(path, env);
  const doc = parseYaml(await readFile(path, 'utf8')) as { audit?: unknown };
  return auditSchema.parse(doc.audit ?? {});
}
