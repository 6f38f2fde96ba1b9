import { z } from 'zod';
import { parseDurationText } from './duration.js';

/**
 * The `alerts:` section: where incident alerts go (a list of channels), and how long a delivery keeps trying.
 * Written as a plain list of channels, or as `{ channels, delivery }`. Structure only; `alerts-config.ts` resolves it.
 */

const durationText = z
  .string()
  .refine((text) => parseDurationText(text) !== undefined, 'must be a duration like "500ms", "10s" or "1m"');
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');
const channelName = z.string().regex(/^[A-Za-z0-9_.-]+$/, 'channel names use letters, digits, _ . -');
const severity = z.enum(['warning', 'critical']);

export const alertChannelSchema = z.discriminatedUnion('kind', [
  /** A Slack incoming webhook (its URL is a secret: from the environment). */
  z.strictObject({
    kind: z.literal('slack'),
    urlEnv: envName,
    name: channelName.optional(),
    minSeverity: severity.optional(),
  }),
  /** Any HTTP endpoint taking the JSON body (status, severity, incident, summary). */
  z.strictObject({
    kind: z.literal('webhook'),
    urlEnv: envName,
    name: channelName.optional(),
    minSeverity: severity.optional(),
  }),
  /** One line on stderr. */
  z.strictObject({ kind: z.literal('log'), name: channelName.optional(), minSeverity: severity.optional() }),
]);

export const alertDeliverySchema = z.strictObject({
  /** Tries per message, first included (default 5). */
  attempts: z.number().int().min(1).max(20).optional(),
  /** First wait between tries; doubled each time (default 2s: 2, 4, 8, 16 s ≈ 30 s… within ~1 min). */
  backoff: durationText.optional(),
  /** One try's timeout (default 10s). */
  timeout: durationText.optional(),
});

export const alertsObjectSchema = z.strictObject({
  channels: z.array(alertChannelSchema),
  delivery: alertDeliverySchema.optional(),
});

export const alertsSchema = z.union([z.array(alertChannelSchema), alertsObjectSchema]);

export type AlertChannelConfig = z.infer<typeof alertChannelSchema>;
export type AlertsConfig = z.infer<typeof alertsSchema>;
