/** The `/v1/models` list: what SDKs and tools read to learn which models (here: features) they may name. */
import type { Failsoft } from '../../engine/failsoft.js';

/** The `/v1/models` body: features (and the aliases naming them) that `allowed` admits. */
export function modelsBody(
  ai: Failsoft,
  aliases: ReadonlyMap<string, string>,
  allowed: (feature: string) => boolean,
): string {
  const ids = Object.values(ai.config.features)
    .filter((f) => f.tier !== 'critical' && allowed(f.name))
    .map((f) => f.name);
  for (const [alias, feature] of aliases) if (allowed(feature)) ids.push(alias);
  const data = ids.map((id) => ({
    id,
    object: 'model',
    type: 'model',
    created: 0,
    created_at: '1970-01-01T00:00:00Z',
    owned_by: 'failsoft',
    display_name: id,
  }));
  return JSON.stringify({
    object: 'list',
    data,
    has_more: false,
    first_id: data[0]?.id ?? null,
    last_id: data.at(-1)?.id ?? null,
  });
}
