import { createHash, randomBytes } from 'node:crypto';
import type { ResolvedConfig, ResolvedGatewayClient } from '../engine/config/resolve-config.js';

/** Per-job gateway keys: what each job presents, and the clients the gateway knows them as. */
export interface JobKeys {
  /** Job name → key (given to the job as OPENAI_API_KEY / ANTHROPIC_API_KEY). */
  keys: Record<string, string>;
  /** `job.<name>` → an optional client with priority batch (the key's SHA-256 only). */
  clients: Record<string, ResolvedGatewayClient>;
}

/**
 * A fresh random key per job, made at start and never written anywhere but the job's environment: its calls through
 * the gateway are then known as client `job.<name>` with priority `batch`, so they queue behind interactive traffic
 * for the rate budget. Why keys rather than a header: the job's SDK already sends its API key from the environment,
 * so the job's code is unchanged; a header would need code in every job. The clients are optional (see
 * `ResolvedGatewayClient.optional`): they never make keys required on a gateway that is open.
 * @example jobKeys(['digest']).clients['job.digest']?.priority // 'batch'
 */
export function jobKeys(jobs: readonly string[], random: (bytes: number) => Buffer = randomBytes): JobKeys {
  const keys: Record<string, string> = {};
  const clients: Record<string, ResolvedGatewayClient> = {};
  for (const job of jobs) {
    const key = `fsjob-${random(24).toString('base64url')}`;
    keys[job] = key;
    clients[`job.${job}`] = {
      name: `job.${job}`,
      keyHash: createHash('sha256').update(key).digest('hex'),
      priority: 'batch',
      optional: true,
    };
  }
  return { keys, clients };
}

/**
 * The config with the jobs' clients added to the gateway's (a configured client of the same name wins).
 * @example createFailsoft(withJobClients(config, jobKeys(Object.keys(config.jobs ?? {}))))
 */
export function withJobClients(config: ResolvedConfig, keys: JobKeys): ResolvedConfig {
  if (Object.keys(keys.clients).length === 0) return config;
  const gateway = config.gateway ?? { clients: {}, aliases: {} };
  return { ...config, gateway: { ...gateway, clients: { ...keys.clients, ...gateway.clients } } };
}
