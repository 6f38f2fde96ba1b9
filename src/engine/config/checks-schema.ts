import { z } from 'zod';
import { parseDurationText } from './duration.js';

/**
 * The `checks:` section: core dependencies checked apart from AI (`core`), how often (`interval`), and how AI
 * is judged (`ai`: passive from real traffic, or active probes). Structure only; `checks-config.ts` resolves it.
 */

const durationText = z
  .string()
  .refine((text) => parseDurationText(text) !== undefined, 'must be a duration like "2s", "15s" or "1m"');
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');

/** The keys that name what a core check checks: exactly one of them per check. */
export const CORE_CHECK_KINDS = ['postgres', 'redis', 'http', 'tcp', 'command'] as const;
export type CoreCheckKind = (typeof CORE_CHECK_KINDS)[number];

export const coreCheckSchema = z.strictObject({
  /** Shown in output and alerts (`db`, `api`): letters, digits, _ . -. */
  name: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'check names use letters, digits, _ . -'),
  /** Longest one run of the check may take (default 5s). */
  timeout: durationText.optional(),
  /** PostgreSQL URL: connect and `select 1`. */
  postgres: z.string().min(1).optional(),
  postgresEnv: envName.optional(),
  /** Redis URL: PING. */
  redis: z.string().min(1).optional(),
  redisEnv: envName.optional(),
  /** HTTP(S) URL: GET, expecting `status` (default any 2xx) and, if given, `contains` in the body. */
  http: z.string().min(1).optional(),
  httpEnv: envName.optional(),
  status: z.union([z.number().int().min(100).max(599), z.array(z.number().int().min(100).max(599)).min(1)]).optional(),
  contains: z.string().min(1).optional(),
  /** `host:port`: a TCP connection is accepted. */
  tcp: z
    .string()
    .regex(/^(\[[^\]]+\]|[^:\s]+):\d{1,5}$/, 'must be "host:port"')
    .optional(),
  /** argv (no shell): the command exits 0. */
  command: z.array(z.string().min(1)).min(1).optional(),
});

export const aiChecksSchema = z.strictObject({
  /** Send one cheap request per provider+model on the routes (batch priority), at most every `probeInterval` (default false). */
  probes: z.boolean().optional(),
  /** Default 60s. */
  probeInterval: durationText.optional(),
  /** A provider model whose recent error rate reaches this is reported degraded (default 0.5). */
  errorRate: z.number().gt(0).max(1).optional(),
});

export const checksSchema = z.strictObject({
  /** How often `failsoft serve` runs the core checks (default 15s). */
  interval: durationText.optional(),
  core: z.array(coreCheckSchema).optional(),
  ai: aiChecksSchema.optional(),
});

export type CoreCheckConfig = z.infer<typeof coreCheckSchema>;
export type ChecksConfig = z.infer<typeof checksSchema>;
