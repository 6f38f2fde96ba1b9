import { Redis, type Cluster, type RedisOptions } from 'ioredis';
import { z } from 'zod';
import type {
  BreakerRecord,
  BucketAdjustment,
  BucketLowering,
  BucketSpec,
  BucketTake,
  PolicyState,
  TakeBucketsResult,
  VersionedBreakerRecord,
  WriteBreakerResult,
} from '../policy/policy-state.js';
import { assertCooldownTimes } from './cooldown-times.js';
import { RedisCooldownWatch } from './redis-cooldown-watch.js';
import {
  BREAKER_FIELDS,
  CHANGE_BUCKETS_LUA,
  READ_BUCKETS_LUA,
  SET_COOLDOWN_LUA,
  TAKE_BUCKETS_LUA,
  WRITE_BREAKER_LUA,
} from './redis-scripts.js';

/** Options of {@link RedisPolicyState}. */
export interface RedisPolicyStateOptions {
  /**
   * Prepended to every key. Instances that must share a budget use the same prefix. On Redis Cluster, put a
   * hash tag in it (e.g. `{failsoft}:`) so that the keys of one call live in one slot. Default `failsoft:`.
   */
  prefix?: string;
  /** Options for the client created from a URL (ignored when a client is passed). */
  redisOptions?: RedisOptions;
}

type ScriptCall = (...args: Array<string | number>) => Promise<unknown>;

/** The client once our scripts are defined on it (ioredis adds one method per `defineCommand`). */
interface ScriptedClient {
  failsoftTakeBuckets: ScriptCall;
  failsoftChangeBuckets: ScriptCall;
  failsoftReadBuckets: ScriptCall;
  failsoftWriteBreaker: ScriptCall;
  failsoftSetCooldown: ScriptCall;
}

/**
 * Defaults for a client created from a URL: while Redis is away a command fails at once instead of waiting
 * in ioredis's offline queue (`enableOfflineQueue: false`; a command in flight when the connection drops is
 * failed, not resent: `maxRetriesPerRequest: 0`), a command Redis does not answer fails after
 * `commandTimeout`, and the client reconnects every ≤ 1 s for ever, so shared state returns within a
 * second of Redis. (`FallbackPolicyState` bounds each call much tighter still; these only make sure the
 * client itself never piles up work.) Only the first connection is waited for (see `firstReady`).
 */
export const URL_CLIENT_DEFAULTS: RedisOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  commandTimeout: 1_000,
  connectTimeout: 1_000,
  retryStrategy: (attempt: number) => Math.min(50 * 2 ** Math.min(attempt, 5), 1_000),
};

const stringArray = z.array(z.string());
const storedNumber = z.string().transform((text, ctx) => {
  const value = decodeNumber(text);
  if (Number.isNaN(value)) ctx.addIssue({ code: 'custom', message: `not a number: ${text}` });
  return value;
});
const storedBreaker = z.object({
  openUntil: storedNumber,
  openCount: storedNumber,
  reason: z.string(),
  long: z.enum(['0', '1']).transform((flag) => flag === '1'),
  updatedAt: storedNumber,
  expiresAt: storedNumber,
  version: storedNumber,
});

/** A number as a script argument: exact (`String`), with the non-finite values spelled as Lua reads them. */
function encodeNumber(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (value === Number.POSITIVE_INFINITY) return 'inf';
  if (value === Number.NEGATIVE_INFINITY) return '-inf';
  return String(value);
}

/** A number written by a script (`%.17g`, so exact) or by {@link encodeNumber}. */
function decodeNumber(text: string): number {
  switch (text.toLowerCase()) {
    case 'inf':
    case 'infinity':
      return Number.POSITIVE_INFINITY;
    case '-inf':
    case '-infinity':
      return Number.NEGATIVE_INFINITY;
    case 'nan':
    case '-nan':
      return Number.NaN;
    default:
      return text.trim() === '' ? Number.NaN : Number(text);
  }
}

function decodeLevels(reply: readonly string[]): number[] {
  return reply.map(decodeNumber);
}

/**
 * Shared policy state in Redis, so N failsoft instances spend ONE rate budget and see each other's open
 * breakers. Every method is one Lua script (EVALSHA, falling back to EVAL once per connection): one round
 * trip, atomic, with the memory store's exact arithmetic. Times come from the `nowMs` arguments, never
 * from Redis, so fake clocks work. Idle buckets and expired breaker records carry TTLs and vanish; only
 * one version counter per prefix stays. Wrap it in `FallbackPolicyState` so requests keep flowing when
 * Redis is down.
 * @example
 * const state = new FallbackPolicyState(new RedisPolicyState(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { prefix: 'myapp:failsoft:' }));
 * const budget = new RateBudget({ rpm: 50 }, { key: 'anthropic', clock, store: state });
 */
export class RedisPolicyState implements PolicyState {
  /** The key prefix in use. */
  readonly prefix: string;
  private readonly client: Redis | Cluster;
  private readonly scripts: ScriptedClient;
  private readonly ownsClient: boolean;
  private readonly watch: RedisCooldownWatch;
  /** Resolves once the first connection is ready or has failed (only for a client created from a URL). */
  private firstReady: Promise<void> | undefined;

  /** Uses `connection` (a client you keep owning) or creates a client from a `redis://` / `rediss://` URL. */
  constructor(connection: Redis | Cluster | string, options: RedisPolicyStateOptions = {}) {
    this.prefix = options.prefix ?? 'failsoft:';
    this.ownsClient = typeof connection === 'string';
    if (typeof connection === 'string') {
      this.client = new Redis(connection, { ...URL_CLIENT_DEFAULTS, ...options.redisOptions });
      // Connection errors reach callers as rejected commands (FallbackPolicyState counts them); without a
      // listener ioredis would also print every reconnect failure.
      this.client.on('error', () => undefined);
    } else {
      this.client = connection;
    }
    this.client.defineCommand('failsoftTakeBuckets', { lua: TAKE_BUCKETS_LUA });
    this.client.defineCommand('failsoftChangeBuckets', { lua: CHANGE_BUCKETS_LUA });
    this.client.defineCommand('failsoftReadBuckets', { lua: READ_BUCKETS_LUA, readOnly: true });
    this.client.defineCommand('failsoftWriteBreaker', { lua: WRITE_BREAKER_LUA, numberOfKeys: 2 });
    this.client.defineCommand('failsoftSetCooldown', { lua: SET_COOLDOWN_LUA, numberOfKeys: 1 });
    this.scripts = this.client as unknown as ScriptedClient;
    this.watch = new RedisCooldownWatch(this.client, `${this.prefix}cooldowns`);
    const connectTimeout = options.redisOptions?.connectTimeout ?? URL_CLIENT_DEFAULTS.connectTimeout ?? 1_000;
    if (this.ownsClient) this.firstReady = this.awaitFirstConnection(this.client, connectTimeout);
  }

  /**
   * With the offline queue off, a command sent before the first connection is ready would fail at once, so
   * the very first calls wait for it (up to `connectTimeout`; a refused connection ends the wait at once).
   * After that, a command while disconnected fails immediately.
   */
  private awaitFirstConnection(client: Redis | Cluster, timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        client.off('ready', done);
        client.off('error', done);
        client.off('end', done);
        this.firstReady = undefined;
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      timer.unref();
      client.once('ready', done);
      client.once('error', done);
      client.once('end', done);
    });
  }

  /** @inheritdoc */
  async takeBuckets(takes: readonly BucketTake[], nowMs: number): Promise<TakeBucketsResult> {
    if (takes.length === 0) return { ok: true, levels: [] };
    if (this.firstReady !== undefined) await this.firstReady;
    const args: string[] = [encodeNumber(nowMs)];
    for (const take of takes) {
      args.push(
        encodeNumber(take.bucket.capacity),
        encodeNumber(take.bucket.refillPerMs),
        encodeNumber(take.amount),
        encodeNumber(take.floor ?? 0),
      );
    }
    const reply = stringArray.parse(
      await this.scripts.failsoftTakeBuckets(takes.length, ...takes.map((t) => this.bucketKey(t.bucket)), ...args),
    );
    if (reply[0] === '1') return { ok: true, levels: decodeLevels(reply.slice(1)) };
    return {
      ok: false,
      waitMs: decodeNumber(reply[1] ?? 'nan'),
      blockedIndex: Number(reply[2] ?? 0),
      levels: decodeLevels(reply.slice(3)),
    };
  }

  /** @inheritdoc */
  adjustBuckets(adjustments: readonly BucketAdjustment[], nowMs: number): Promise<number[]> {
    return this.changeBuckets(
      'adjust',
      adjustments.map((a) => [a.bucket, a.delta] as const),
      nowMs,
    );
  }

  /** @inheritdoc */
  lowerBuckets(lowerings: readonly BucketLowering[], nowMs: number): Promise<number[]> {
    return this.changeBuckets(
      'lower',
      lowerings.map((l) => [l.bucket, l.level] as const),
      nowMs,
    );
  }

  /** @inheritdoc */
  async readBuckets(buckets: readonly BucketSpec[], nowMs: number): Promise<number[]> {
    if (buckets.length === 0) return [];
    if (this.firstReady !== undefined) await this.firstReady;
    const args: string[] = [encodeNumber(nowMs)];
    for (const bucket of buckets) args.push(encodeNumber(bucket.capacity), encodeNumber(bucket.refillPerMs));
    const reply = await this.scripts.failsoftReadBuckets(
      buckets.length,
      ...buckets.map((b) => this.bucketKey(b)),
      ...args,
    );
    return decodeLevels(stringArray.parse(reply));
  }

  /** @inheritdoc */
  async readBreaker(key: string, nowMs: number): Promise<VersionedBreakerRecord | undefined> {
    if (this.firstReady !== undefined) await this.firstReady;
    const fields = await this.client.hgetall(this.breakerKey(key));
    if (Object.keys(fields).length === 0) return undefined;
    const record = this.parseBreaker(key, fields);
    return record.expiresAt > nowMs ? record : undefined;
  }

  /** @inheritdoc */
  async writeBreaker(
    key: string,
    record: BreakerRecord,
    expectedVersion: number,
    nowMs: number,
  ): Promise<WriteBreakerResult> {
    const values = BREAKER_FIELDS.map((field) => {
      const value = record[field];
      return typeof value === 'string' ? value : typeof value === 'boolean' ? (value ? '1' : '0') : encodeNumber(value);
    });
    if (this.firstReady !== undefined) await this.firstReady;
    const reply = stringArray.parse(
      await this.scripts.failsoftWriteBreaker(
        this.breakerKey(key),
        this.versionKey(),
        encodeNumber(nowMs),
        encodeNumber(expectedVersion),
        ...values,
      ),
    );
    if (reply[0] === '1') return { ok: true, version: decodeNumber(reply[1] ?? 'nan') };
    if (reply.length < 2) return { ok: false, current: undefined };
    const fields: Record<string, string> = {};
    for (let i = 1; i + 1 < reply.length; i += 2) fields[reply[i] as string] = reply[i + 1] as string;
    return { ok: false, current: this.parseBreaker(key, fields) };
  }

  /** @inheritdoc */
  async setCooldown(key: string, untilMs: number, nowMs: number): Promise<number> {
    assertCooldownTimes('setCooldown', key, untilMs, nowMs);
    if (this.firstReady !== undefined) await this.firstReady;
    const reply = await this.scripts.failsoftSetCooldown(
      this.cooldownKey(key),
      encodeNumber(nowMs),
      encodeNumber(untilMs),
      this.watchChannel(),
      key,
    );
    return this.parseInstant(key, reply);
  }

  /** @inheritdoc */
  async readCooldown(key: string, nowMs: number): Promise<number | undefined> {
    assertCooldownTimes('readCooldown', key, nowMs);
    if (this.firstReady !== undefined) await this.firstReady;
    const reply = await this.client.get(this.cooldownKey(key));
    if (reply === null) return undefined;
    const until = this.parseInstant(key, reply);
    return until > nowMs ? until : undefined;
  }

  /**
   * Hears every lengthened cool-down of this prefix, from any instance, over pub/sub (`<prefix>cooldowns`,
   * on a second connection opened with the first listener). Messages sent while that connection is
   * reconnecting are missed: readers still poll `readCooldown` now and then.
   */
  watchCooldowns(listener: (key: string, untilMs: number) => void): () => void {
    return this.watch.add(listener);
  }

  /** Quits the client if this object created it (from a URL); a client passed in stays open. Stops watching either way. */
  async close(): Promise<void> {
    this.watch.close();
    if (!this.ownsClient) return;
    if (this.client.status !== 'ready') {
      this.client.disconnect();
      return;
    }
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }

  private async changeBuckets(
    mode: 'adjust' | 'lower',
    changes: ReadonlyArray<readonly [BucketSpec, number]>,
    nowMs: number,
  ): Promise<number[]> {
    if (changes.length === 0) return [];
    if (this.firstReady !== undefined) await this.firstReady;
    const args: string[] = [encodeNumber(nowMs), mode];
    for (const [bucket, value] of changes)
      args.push(encodeNumber(bucket.capacity), encodeNumber(bucket.refillPerMs), encodeNumber(value));
    const reply = await this.scripts.failsoftChangeBuckets(
      changes.length,
      ...changes.map(([b]) => this.bucketKey(b)),
      ...args,
    );
    return decodeLevels(stringArray.parse(reply));
  }

  private parseBreaker(key: string, fields: Record<string, string>): VersionedBreakerRecord {
    const parsed = storedBreaker.safeParse(fields);
    if (!parsed.success)
      throw new Error(
        `RedisPolicyState: unreadable breaker record at ${this.breakerKey(key)}: ${parsed.error.message}`,
      );
    return parsed.data;
  }

  private parseInstant(key: string, reply: unknown): number {
    const until = typeof reply === 'string' ? decodeNumber(reply) : Number.NaN;
    if (!Number.isFinite(until))
      throw new Error(`RedisPolicyState: unreadable cool-down at ${this.cooldownKey(key)}: ${String(reply)}`);
    return until;
  }

  private cooldownKey(key: string): string {
    return `${this.prefix}cooldown:${key}`;
  }

  private watchChannel(): string {
    return `${this.prefix}cooldowns`;
  }

  private bucketKey(bucket: BucketSpec): string {
    return `${this.prefix}bucket:${bucket.key}`;
  }

  private breakerKey(key: string): string {
    return `${this.prefix}breaker:${key}`;
  }

  private versionKey(): string {
    return `${this.prefix}breaker-version`;
  }
}
