import { randomBytes } from 'node:crypto';

/** Per-process random stem: ids are unique across restarts without a crypto call per request. */
const STEM = randomBytes(6).toString('hex');
let counter = 0;

/**
 * A cheap unique id: `prefix` + process stem + counter.
 * @example nextId('chatcmpl-') // 'chatcmpl-3f9a1c0b2d7e1a'
 */
export function nextId(prefix: string): string {
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return `${prefix}${STEM}${counter.toString(36)}`;
}
