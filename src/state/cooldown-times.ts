/**
 * Checks the times of a `setCooldown` / `readCooldown` call, so every `PolicyState` refuses the same bad
 * input with the same message (a NaN or an infinite instant would poison a shared record for everyone).
 * @example assertCooldownTimes('setCooldown', 'claude', until, now);
 */
export function assertCooldownTimes(method: 'setCooldown' | 'readCooldown', key: string, ...times: number[]): void {
  if (typeof key !== 'string' || key === '')
    throw new RangeError(`PolicyState.${method}: the key must be a non-empty string`);
  for (const time of times) {
    if (!Number.isFinite(time))
      throw new RangeError(
        `PolicyState.${method}(${JSON.stringify(key)}): times must be finite epoch milliseconds, got ${String(time)}`,
      );
  }
}
