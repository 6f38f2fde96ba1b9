/**
 * Client keys of the gateway: each configured client has a key (only its SHA-256 is stored), the
 * features it may call and its rate-budget priority. With no clients configured the AI routes are open.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { ResolvedGatewayClient } from '../engine/config/resolve-config.js';

/** A known client, ready for constant-time comparison. */
interface KeyedClient {
  client: ResolvedGatewayClient;
  hash: Buffer;
}

/** Who is calling: a client, nobody (keys are off), or a refusal. */
export type ClientCheck =
  | { ok: true; client: ResolvedGatewayClient | undefined }
  | { ok: false; reason: 'missing' | 'unknown' };

/** The answer when no client is configured (one object, not one per request). */
const OPEN: ClientCheck = Object.freeze({ ok: true, client: undefined });

/**
 * The key a request presents: `Authorization: Bearer <key>` (OpenAI SDK) or `x-api-key: <key>` (Anthropic SDK).
 * @example presentedKey({ 'x-api-key': 'k1' }) // 'k1'
 */
export function presentedKey(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string' && auth.length > 7 && auth.slice(0, 7).toLowerCase() === 'bearer ')
    return auth.slice(7).trim() || undefined;
  const apiKey = headers['x-api-key'];
  return typeof apiKey === 'string' && apiKey !== '' ? apiKey : undefined;
}

/**
 * SHA-256 of a key in the config's form, `sha256:<hex>`.
 * @example hashClientKey('my-secret') // 'sha256:186ef76e9d6a723ecb570d4d9c287487d001e5d35f7ed4a313350a407950318e'
 */
export function hashClientKey(key: string): string {
  return `sha256:${createHash('sha256').update(key).digest('hex')}`;
}

/** The configured clients; checks a request's key against every one in constant time. */
export class ClientKeys {
  private readonly clients: KeyedClient[];
  /** Clients whose key is required (the configured ones; not the optional per-job keys). */
  private readonly required: number;
  private readonly allowed = new Map<ResolvedGatewayClient, ReadonlySet<string> | undefined>();

  constructor(clients: Record<string, ResolvedGatewayClient>) {
    this.clients = Object.values(clients).map((client) => ({ client, hash: Buffer.from(client.keyHash, 'hex') }));
    this.required = this.clients.filter((c) => c.client.optional !== true).length;
    for (const { client } of this.clients)
      this.allowed.set(client, client.features ? new Set(client.features) : undefined);
  }

  /** Are keys required? (Some client other than an optional one is configured.) */
  get enabled(): boolean {
    return this.required > 0;
  }

  /** Every configured client. */
  list(): readonly ResolvedGatewayClient[] {
    return this.clients.map((c) => c.client);
  }

  /**
   * Who presents these headers. Compares the key's hash with every client's (no early exit), so the
   * time taken says nothing about which key, or how much of one, matched. With only optional clients, a request
   * without a known key is let through as nobody (the gateway is open).
   */
  identify(headers: IncomingHttpHeaders): ClientCheck {
    if (this.clients.length === 0) return OPEN;
    const key = presentedKey(headers);
    if (key === undefined) return this.required > 0 ? { ok: false, reason: 'missing' } : OPEN;
    const hash = createHash('sha256').update(key).digest();
    let found: ResolvedGatewayClient | undefined;
    for (const c of this.clients) if (timingSafeEqual(hash, c.hash) && found === undefined) found = c.client;
    if (found) return { ok: true, client: found };
    return this.required > 0 ? { ok: false, reason: 'unknown' } : OPEN;
  }

  /** May this client call this feature? (Always, without a client or without a features list.) */
  allows(client: ResolvedGatewayClient | undefined, feature: string): boolean {
    if (client?.features === undefined) return true;
    return this.allowed.get(client)?.has(feature) ?? false;
  }
}
