/**
 * Sends one message on one channel, retrying with backoff for a bounded time: `attempts` tries, waiting
 * `backoffMs`, then twice that, and so on between them; each try cut at `timeoutMs`. Never throws.
 */
import { request } from 'undici';
import type { Clock } from '../../model/clock.js';
import type { ResolvedAlertChannel, ResolvedAlertDelivery } from '../../engine/config/alerts-config.js';
import { networkErrorText } from '../core/network-error-text.js';
import { logLine, slackPayload, webhookBody, type AlertMessage } from './alert-message.js';

/** How a delivery ended. */
export interface DeliveryOutcome {
  ok: boolean;
  tries: number;
  /** The last failure, when it failed. */
  error?: string;
}

/** What a channel needs to send: the environment (its URL) and where the log channel writes. */
export interface ChannelContext {
  env: Record<string, string | undefined>;
  writeLog: (line: string) => void;
}

/** Sends once: resolves on a 2xx (or a log line written); throws with the reason otherwise. */
export async function sendOnce(
  channel: ResolvedAlertChannel,
  message: AlertMessage,
  context: ChannelContext,
  timeoutMs: number,
): Promise<void> {
  if (channel.kind === 'log') return context.writeLog(logLine(message));
  const url = context.env[channel.urlEnv]?.trim();
  if (!url) throw new Error(`environment variable ${channel.urlEnv} is not set`);
  const body = channel.kind === 'slack' ? JSON.stringify(slackPayload(message)) : webhookBody(message);
  let response;
  try {
    response = await request(url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'user-agent': 'failsoft-alerts' },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new Error(
      error instanceof Error && error.name === 'TimeoutError'
        ? `no answer within ${timeoutMs} ms`
        : networkErrorText(error),
    );
  }
  const text = await response.body.text().catch(() => '');
  if (response.statusCode < 200 || response.statusCode >= 300)
    throw new Error(`HTTP ${response.statusCode}${text ? `: ${text.slice(0, 200)}` : ''}`);
}

/**
 * Delivers `message` on `channel`, retrying per `delivery`.
 * @example const outcome = await deliver(channel, message, { env: process.env, writeLog: console.error }, DEFAULT_ALERT_DELIVERY, systemClock);
 */
export async function deliver(
  channel: ResolvedAlertChannel,
  message: AlertMessage,
  context: ChannelContext,
  delivery: ResolvedAlertDelivery,
  clock: Clock,
): Promise<DeliveryOutcome> {
  let error = '';
  for (let tries = 1; tries <= delivery.attempts; tries++) {
    try {
      await sendOnce(channel, message, context, delivery.timeoutMs);
      return { ok: true, tries };
    } catch (caught) {
      error = caught instanceof Error ? caught.message : String(caught);
      // A variable that is not set will not be set by waiting.
      if (error.startsWith('environment variable')) return { ok: false, tries, error };
    }
    if (tries < delivery.attempts) await clock.sleep(delivery.backoffMs * 2 ** (tries - 1));
  }
  return { ok: false, tries: delivery.attempts, error };
}
