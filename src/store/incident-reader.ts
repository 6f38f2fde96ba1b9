/**
 * Reads incidents in their JSON shape, from a store: what `GET /admin/incidents[/:id]` serves and what
 * `failsoft incidents` / `failsoft incident <id>` print when they open the store themselves.
 */
import type { Store } from './store.js';
import {
  incidentDetailJson,
  incidentSummaryJson,
  type IncidentDetailJson,
  type IncidentSummaryJson,
} from './timeline-json.js';

/** Incidents as JSON, wherever they are read from. */
export interface IncidentReader {
  /** Incidents open at or after `since` (epoch ms), or still open; newest first. */
  list(query: { since?: number; limit?: number }): Promise<IncidentSummaryJson[]>;
  /** One incident and its timeline, or undefined. */
  get(id: string): Promise<IncidentDetailJson | undefined>;
}

/**
 * An `IncidentReader` over a store.
 * @example const reader = storeIncidentReader(store); (await reader.list({ since: Date.now() - 86_400_000 })).length
 */
export function storeIncidentReader(
  store: Pick<Store, 'listIncidents' | 'getIncident'>,
  now: () => number = Date.now,
): IncidentReader {
  return {
    async list(query) {
      const incidents = await store.listIncidents({
        ...(query.since === undefined ? {} : { since: query.since }),
        ...(query.limit === undefined ? {} : { limit: query.limit }),
      });
      return incidents.map((incident) => incidentSummaryJson(incident, now()));
    },
    async get(id) {
      const detail = await store.getIncident(id);
      return detail === undefined ? undefined : incidentDetailJson(detail, now());
    },
  };
}
