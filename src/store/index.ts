/**
 * The durable record: one `Store` interface (memory, embedded PGlite, PostgreSQL), its migrations, the
 * batching `RecordWriter` the request side enqueues into, retention, and the factory that picks a backend.
 */
export type {
  EventRecord, IncidentCounts, IncidentRecord, JobRunRecord, RequestAggregate, Severity, StoredEvent, SwitchRecord,
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
