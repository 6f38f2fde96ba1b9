/**
 * The record side of `failsoft serve`: the store the config names (PGlite in `store.dir`, PostgreSQL with
 * `DATABASE_URL`; in memory for the built-in example), its batching writer, the incident tracker on the
 * engine's events, kill switches restored from the last run, and what the gateway is handed for
 * `/admin/incidents`, `/health/ready` and `/metrics` (functions: the gateway never imports the store).
 */
import { hostname } from 'node:os';
import { ConfigError } from '../model/errors.js';
import type { Failsoft } from '../engine/failsoft.js';
import type { LineLog } from '../gateway/event-log.js';
import { openRecordStore, StoreConfigError, type RecordStore } from '../store/create-store.js';
import { IncidentTracker, type EventSource } from '../store/incident-tracker.js';
import { storeIncidentReader, type IncidentReader } from '../store/incident-reader.js';
import { restoreSwitches } from '../store/switch-restore.js';
import { incidentSummaryJson } from '../store/timeline-json.js';
import type { RecordWriterLog } from '../store/record-writer.js';
import type { RecordWriterStatus, Store } from '../store/store.js';

/** What `startServe` needs from the record side. */
export interface ServeRecords {
  /** `GET /admin/incidents[/:id]`. */
  incidents: IncidentReader;
  /** The writer's status (`/health/ready`'s store line, `failsoft_store_*`). */
  storeStatus: () => RecordWriterStatus;
  /** The incident tracker (alerts hang on its incident changes). */
  tracker: IncidentTracker;
  /** Feeds another event source (the core checks of the monitor) into the incident record; returns `off`. */
  observe(source: EventSource): () => void;
  /** Writes an alert delivery's outcome (`alert-sent`, `alert-failed`) on its incident's timeline. */
  appendAlert(entry: {
    at: number;
    type: string;
    severity: 'info' | 'warning' | 'critical';
    message: string;
    incidentId: string;
    data: Record<string, unknown>;
  }): void;
  /** Start-up lines: where records go, what was restored or resumed. */
  lines: string[];
  /** Start-up warnings (the store could not be opened: records kept in memory). */
  warnings: string[];
  /** The store itself and whose records these are: the job runner claims runs in it directly (not through the writer). */
  store: Store;
  backend: RecordWriterStatus['backend'];
  instance: string;
  /** Stops the tracker (its open incident written as it stands), flushes the writer (time-bounded), closes the store. */
  close(): Promise<void>;
}

/** How the record side starts. */
export interface ServeRecordsOptions {
  /** The built-in example against the simulator: records in memory (nothing of a demo written to disk). */
  example: boolean;
  /** The port asked for: names this instance (`host:port`) when FAILSOFT_INSTANCE is not set and the port is fixed. */
  port: number;
  /** `--strict`: a store that cannot be opened stops start-up instead of falling back to memory. */
  strict: boolean;
}

/** Longest an admin read waits for the writer to flush what this process wrote (a store that is away answers late). */
const READ_FLUSH_WAIT_MS = 1_000;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Opens the record store and starts the tracker on `ai`; a store that cannot be opened (another process
 * holds the PGlite directory, the database refuses) falls back to memory with a warning, never stopping AI
 * traffic (with `--strict` it stops start-up).
 * @example const records = await startServeRecords(ai, { example: false, port: 8787, strict: false }, process.env, log);
 */
export async function startServeRecords(
  ai: Failsoft,
  options: ServeRecordsOptions,
  env: Record<string, string | undefined>,
  log: LineLog,
): Promise<ServeRecords> {
  const writerLog: RecordWriterLog = (level, message, fields) =>
    log.log(level === 'error' ? 'warn' : level, message, fields);
  const named = env.FAILSOFT_INSTANCE?.trim() || (options.port !== 0 ? `${hostname()}:${options.port}` : undefined);
  const base = { log: writerLog, ...(named === undefined ? {} : { instance: named }) };
  const warnings: string[] = [];
  let records: RecordStore;
  if (options.example) {
    records = await openRecordStore(undefined, env, { ...base, memory: true });
  } else {
    try {
      records = await openRecordStore(ai.config.store, env, base);
    } catch (error) {
      if (error instanceof StoreConfigError)
        throw new ConfigError([{ path: 'DATABASE_URL (environment)', message: error.message }]);
      if (options.strict) throw new Error(`the record store cannot be opened (--strict): ${messageOf(error)}`);
      warnings.push(
        `failsoft serve: warning: the record store cannot be opened, so events and incidents are kept in memory only until restart: ${messageOf(error)}`,
      );
      records = await openRecordStore(undefined, env, { ...base, memory: true });
    }
  }
  const lines = [
    `failsoft serve: records: ${records.where}${records.backend === 'memory' ? ' (not kept across restarts)' : ''}, instance ${records.instance}`,
  ];
  const tracker = new IncidentTracker({
    sink: records.writer,
    instance: records.instance,
    ...(ai.config.incidents === undefined ? {} : { quietPeriodMs: ai.config.incidents.quietPeriodMs }),
  });
  try {
    // Still open = opened after now or never resolved: what a previous run left open.
    const open = (await records.store.listIncidents({ since: Date.now() })).filter((i) => i.status === 'open');
    // PGlite serves one process: whatever is open there was left by a run that is gone, whatever it was called.
    tracker.resume(open, { adoptAll: records.backend !== 'postgres' });
    const resumed = tracker.current;
    if (resumed)
      lines.push(
        `failsoft serve: incident ${resumed.id} (${resumed.title}) was open when the last run stopped: resumed`,
      );
  } catch (error) {
    warnings.push(`failsoft serve: warning: could not read open incidents from the record store: ${messageOf(error)}`);
  }
  const stopTracking = tracker.attach(ai);
  try {
    for (const line of restoreSwitches(ai, await records.store.latestSwitches(), env)) {
      if (line.action !== 'unchanged') lines.push(`failsoft serve: switch ${line.action}: ${line.message}`);
    }
  } catch (error) {
    warnings.push(
      `failsoft serve: warning: could not restore kill switches from the record store: ${messageOf(error)}`,
    );
  }
  const stored = storeIncidentReader(records.store);
  // Read what this process wrote: give the writer up to a second to flush what waits (it batches every 250 ms).
  const flushed = (): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, READ_FLUSH_WAIT_MS);
      timer.unref();
      void records.writer.flush().then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  return {
    // The open incident as the tracker holds it now (its record is written at most every 5 s).
    incidents: {
      async list(query) {
        await flushed();
        const current = tracker.current;
        return (await stored.list(query)).map((i) =>
          current && i.id === current.id ? incidentSummaryJson(current, Date.now()) : i,
        );
      },
      async get(id) {
        await flushed();
        const detail = await stored.get(id);
        const current = tracker.current;
        return detail && current && current.id === id
          ? { ...detail, ...incidentSummaryJson(current, Date.now()) }
          : detail;
      },
    },
    storeStatus: () => records.writer.status(),
    tracker,
    observe: (source) => source.on('*', (event) => tracker.observe(event)),
    appendAlert: (entry) => records.writer.appendEvent({ ...entry, component: 'alerts', instance: records.instance }),
    lines,
    warnings,
    store: records.store,
    backend: records.backend,
    instance: records.instance,
    async close() {
      stopTracking();
      await records.close();
    },
  };
}
