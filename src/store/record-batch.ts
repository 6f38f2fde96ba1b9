/**
 * A batch of the record writer: records tagged with the store method that writes them.
 */
import type { EventRecord, IncidentRecord, JobRunRecord, RequestAggregate, SwitchRecord } from './records.js';
import type { Store } from './store.js';
import {
  validateAggregates,
  validateEvents,
  validateIncidents,
  validateJobRuns,
  validateSwitches,
} from './validate-records.js';

/** One record waiting to be written, tagged with the store method that writes it. */
export type PendingRecord =
  | { kind: 'event'; record: EventRecord }
  | { kind: 'incident'; record: IncidentRecord }
  | { kind: 'jobRun'; record: JobRunRecord }
  | { kind: 'switch'; record: SwitchRecord }
  | { kind: 'aggregate'; record: RequestAggregate };

/** Which store method writes a record. */
export type Kind = PendingRecord['kind'];

/** The order a batch's kinds are written in (each kind is one store call, one transaction). */
export const KINDS: readonly Kind[] = ['incident', 'jobRun', 'switch', 'event', 'aggregate'];

/** Each kind's validation (the same the stores run), to find the malformed records of a refused batch. */
export const VALIDATE: { [K in Kind]: (records: never[]) => void } = {
  event: validateEvents,
  incident: validateIncidents,
  jobRun: validateJobRuns,
  switch: validateSwitches,
  aggregate: validateAggregates,
};

/**
 * Writes one kind's records with its store method (one call, one transaction). `batchId` makes the
 * non-idempotent writes (events, aggregates) safe to retry; upserts and switch rows are safe as they are.
 */
export function writeRecords(store: Store, kind: Kind, records: PendingRecord[], batchId: string): Promise<void> {
  switch (kind) {
    case 'event':
      return store.appendEvents(
        records.map((p) => p.record as EventRecord),
        { batchId },
      );
    case 'incident':
      return store.upsertIncidents(records.map((p) => p.record as IncidentRecord));
    case 'jobRun':
      return store.upsertJobRuns(records.map((p) => p.record as JobRunRecord));
    case 'switch':
      return store.putSwitches(records.map((p) => p.record as SwitchRecord));
    case 'aggregate':
      return store.addAggregates(
        records.map((p) => p.record as RequestAggregate),
        { batchId },
      );
  }
}
