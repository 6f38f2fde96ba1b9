/**
 * The durable record: one `Store` interface (memory, embedded PGlite, PostgreSQL), its migrations, the
 * batching `RecordWriter` the request side enqueues into, retention, and the factory that picks a backend.
 */
export type {
  EventRecord,
  IncidentCounts,
  IncidentRecord,
  JobRunRecord,
  RequestAggregate,
  Severity,
  StoredEvent,
  SwitchRecord,
} from './records.js';
export type { IncidentQuery, RecordSink, RecordWriterStatus, Store } from './store.js';
export { MemoryStore } from './memory-store.js';
export { DEFAULT_STORE_DIR, PgliteStore, type PgliteStoreOptions } from './pglite-store.js';
export { PostgresStore, type PostgresStoreOptions } from './postgres-store.js';
export { StoreDirInUseError } from './dir-lock.js';
export { StoreRecordError } from './validate-records.js';
export { MIGRATIONS, type Migration } from './migrations.js';
export { RecordWriter, type RecordWriterLog, type RecordWriterOptions } from './record-writer.js';
export { DEFAULT_RETAIN_DAYS, startStorePruner, type StorePruner, type StorePrunerOptions } from './store-pruner.js';
export { createStore, openRecordStore, StoreConfigError, type CreatedStore, type RecordStore } from './create-store.js';
export { GatedStore, StoreUnavailableError } from './gated-store.js';
export {
  IncidentTracker,
  DEFAULT_UPSERT_EVERY_MS,
  type IncidentTrackerOptions,
  type EventSource,
} from './incident-tracker.js';
export { restoreSwitches, type SwitchRestoreLine } from './switch-restore.js';
export { storeIncidentReader, type IncidentReader } from './incident-reader.js';
export {
  incidentDetailJson,
  incidentSummaryJson,
  type IncidentDetailJson,
  type IncidentSummaryJson,
  type TimelineEventJson,
} from './timeline-json.js';
export {
  renderIncidentList,
  renderPostmortem,
  renderTimeline,
  timelineLines,
  type TimelineLine,
} from './timeline-render.js';
