/**
 * The job runner inside `failsoft serve`: started when the config has jobs, its jobs calling this very gateway
 * (each with its own batch-priority key), ai-only jobs deferred on the engine's own health, its events in the
 * incident record and the log beside the engine's.
 */
import { EventBus } from '../engine/events.js';
import { describeEvent } from '../engine/event-messages.js';
import type { Failsoft } from '../engine/failsoft.js';
import type { LineLog } from '../gateway/event-log.js';
import { canServe } from '../scheduler/ai-availability.js';
import type { JobKeys } from '../scheduler/job-keys.js';
import { startJobRunner } from '../scheduler/start-job-runner.js';
import type { ServeRecords } from './serve-records.js';

/** The runner as `serve` holds it. */
export interface ServeJobs {
  lines: string[];
  /** Stops firing and stops running jobs (their runs are taken over when their lease runs out). */
  close(): Promise<void>;
}

/**
 * Starts the runner for `ai.config`'s jobs, or returns undefined when there is none with a schedule.
 * @example const jobs = await startServeJobs(ai, records, 'http://127.0.0.1:8787', keys, log, process.env);
 */
export async function startServeJobs(
  ai: Failsoft,
  records: ServeRecords,
  gatewayUrl: string,
  keys: JobKeys,
  log: LineLog,
  env: Record<string, string | undefined>,
): Promise<ServeJobs | undefined> {
  if (Object.keys(ai.config.jobs ?? {}).length === 0) return undefined;
  const bus = new EventBus();
  const offRecord = records.observe(bus);
  const offLog = bus.on('*', (event) => {
    const [level, message] = describeEvent(event);
    const { at, type, ...fields } = event;
    log.log(level, message, { event: type, at: new Date(at).toISOString(), ...fields });
  });
  const started = await startJobRunner({
    config: ai.config,
    store: records.store,
    backend: records.backend,
    instance: records.instance,
    events: bus,
    baseEnv: env,
    log: (level, message) => log.log(level, message),
    gateway: { url: gatewayUrl, keys: keys.keys },
    aiAvailable: async () => canServe(await ai.health()),
  }).catch((error: unknown) => {
    offRecord();
    offLog();
    throw error;
  });
  if (started === undefined) {
    offRecord();
    offLog();
    return undefined;
  }
  return {
    lines: [
      ...started.lines.map((line) => `failsoft serve: ${line}`),
      'failsoft serve: jobs: each job calls with its own key (client job.NAME, priority batch)',
    ],
    async close() {
      await started.runner.stop();
      offLog();
      offRecord();
    },
  };
}
