/**
 * What the request steps of the AI routes read of their gateway: built once per gateway, passed to each step
 * with the request and its response (plain functions, no per-request closures or middleware chain).
 */
import type { Failsoft } from '../../engine/failsoft.js';
import type { BrowserOrigins } from '../browser-origin.js';
import type { ClientKeys } from '../client-keys.js';

/** The gateway's own parts the steps use. */
export interface GatewayContext {
  /** The engine that answers. */
  readonly ai: Failsoft;
  /** Client keys (open when none are configured). */
  readonly keys: ClientKeys;
  /** Which web pages may call. */
  readonly origins: BrowserOrigins;
  /** `gateway.aliases`: model names that name a feature. */
  readonly aliases: ReadonlyMap<string, string>;
  /** Largest request body, in bytes. */
  readonly maxBodyBytes: number;
}
