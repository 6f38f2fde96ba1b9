import { Redis, type Cluster } from 'ioredis';
import { z } from 'zod';

/** One message on the cool-down channel, as `SET_COOLDOWN_LUA` publishes it. */
const cooldownMessage = z.object({ key: z.string().min(1), untilMs: z.number().finite() });

type CooldownListener = (key: string, untilMs: number) => void;

/**
 * The subscriber side of shared cool-downs: one duplicate connection per `RedisPolicyState`, opened with the
 * first listener and closed with the last, subscribed to the cool-down channel. It subscribes again on every
 * `ready` (so after Redis restarts it listens again as soon as it reconnects) instead of relying on ioredis's
 * auto-resubscribe, which cannot resubscribe a subscription whose first SUBSCRIBE failed. A malformed
 * message is counted in `malformed` and skipped; a throwing listener never stops the others.
 * @example const watch = new RedisCooldownWatch(client, 'failsoft:cooldowns'); const off = watch.add((key, until) => …);
 */
export class RedisCooldownWatch {
  /** Messages on the channel that were not a cool-down (another writer, another version). */
  malformed = 0;
  private readonly listeners = new Set<CooldownListener>();
  private subscriber: Redis | Cluster | undefined;

  constructor(
    private readonly client: Redis | Cluster,
    private readonly channel: string,
  ) {}

  /** Adds a listener (connecting the subscriber on the first); returns the function that removes it. */
  add(listener: CooldownListener): () => void {
    this.listeners.add(listener);
    if (this.subscriber === undefined) this.subscriber = this.open();
    return () => {
      if (!this.listeners.delete(listener) || this.listeners.size > 0) return;
      this.shut();
    };
  }

  /** Disconnects the subscriber and forgets every listener. */
  close(): void {
    this.listeners.clear();
    this.shut();
  }

  private open(): Redis | Cluster {
    const override = { enableOfflineQueue: true, autoResubscribe: false, lazyConnect: false };
    const subscriber =
      this.client instanceof Redis ? this.client.duplicate(override) : this.client.duplicate(undefined, override);
    subscriber.on('error', () => undefined); // reconnects are the client's business; commands report failures
    subscriber.on('ready', () => {
      subscriber.subscribe(this.channel).catch(() => undefined); // a failure here is retried on the next ready
    });
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.channel) this.deliver(message);
    });
    return subscriber;
  }

  private shut(): void {
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    subscriber?.disconnect();
  }

  private deliver(message: string): void {
    let parsed: z.infer<typeof cooldownMessage>;
    try {
      parsed = cooldownMessage.parse(JSON.parse(message));
    } catch {
      this.malformed++;
      return;
    }
    for (const listener of this.listeners) {
      try {
        listener(parsed.key, parsed.untilMs);
      } catch {
        // One listener must not keep the others from hearing.
      }
    }
  }
}
