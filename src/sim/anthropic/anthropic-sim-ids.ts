import { randomBytes } from 'node:crypto';

/**
 * Identifiers shaped like the real API's: `req_011C…` request ids, `msg_011C…` message ids and
 * `toolu_01…` tool-use ids, all in the base58 alphabet Anthropic uses (no 0, O, I, l).
 */
const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

// An odometer over base58 digits, seeded randomly per process: unique, and cheap on the hot path.
const counter: number[] = Array.from(randomBytes(20), (byte) => byte % BASE58.length);

/** A fresh request id like the real `request-id` header: `req_011C` + 20 base58 characters. */
export function nextRequestId(): string {
  for (let i = counter.length - 1; i >= 0; i--) {
    const digit = (counter[i] as number) + 1;
    if (digit < BASE58.length) {
      counter[i] = digit;
      break;
    }
    counter[i] = 0;
  }
  let out = 'req_011C';
  for (const digit of counter) out += BASE58[digit];
  return out;
}

/** `length` base58 characters derived deterministically from `seed` (FNV-1a, re-mixed per character). */
export function stableBase58(seed: string, length: number): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    hash ^= seed.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  let out = '';
  for (let i = 0; i < length; i++) {
    hash ^= i + 0x9e37;
    hash = Math.imul(hash, 0x01000193);
    out += BASE58[(hash >>> 0) % BASE58.length];
  }
  return out;
}

/** The message id for an answer: `msg_011C` + 20 characters stable for the same request. */
export function messageId(answerId: string): string {
  return `msg_011C${stableBase58(answerId, 20)}`;
}

/** A tool-use id like `toolu_01A09q90qw90lq917835lq9`; ids already carrying the prefix are kept. */
export function toolUseId(id: string): string {
  return id.startsWith('toolu_') ? id : `toolu_01${stableBase58(id, 22)}`;
}
