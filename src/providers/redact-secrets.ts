/**
 * `text` with every configured secret (the API key) replaced by `[redacted]`: error messages quote provider
 * bodies, and a provider may echo the key it was sent. Values shorter than 4 characters are left alone (they
 * would blank out ordinary words). Each classifier adds its provider's key shapes on top.
 * @example redactSecrets('bad key sk-123456', ['sk-123456']) // 'bad key [redacted]'
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[] | undefined): string {
  let out = text;
  for (const secret of secrets ?? [])
    if (secret !== undefined && secret.length >= 4) out = out.split(secret).join('[redacted]');
  return out;
}
