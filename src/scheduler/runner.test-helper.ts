import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBus, type FailsoftEvent } from '../engine/events.js';
import type { ResolvedJob } from '../engine/config/jobs-config.js';
import { FakeClock } from '../model/fake-clock.js';
import { MemoryStore } from '../store/memory-store.js';
import { JobRunner, type JobRunnerOptions } from './runner.js';

/** A fixture script under test/fixtures/jobs. */
export const fixture = (name: string): string => new URL(`../../test/fixtures/jobs/${name}`, import.meta.url).pathname;

/** A resolved job with test defaults: a daily 09:00 UTC run of `command`. */
export function testJob(over: Partial<ResolvedJob> & { command: string[] }): ResolvedJob & { schedule: string } {
  return {
    name: 'nightly',
    schedule: '0 9 * * *',
    tz: 'UTC',
    shell: false,
    tier: 'enhanced',
    priority: 5,
    flexMs: 0,
    killGraceMs: 1_000,
    retries: { max: 0, backoffMs: 30_000, multiplier: 2 },
    overlap: 'skip',
    catchUp: 'none',
    ...over,
  } as ResolvedJob & { schedule: string };
}

/** Polls (real time) until `fn` returns something other than undefined/false. */
export async function waitFor<T>(fn: () => T | undefined | false, what: string, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = fn();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A fresh file for fixture jobs to write to, and its lines as JSON. */
export function outputFile(): { dir: string; out: string; lines: () => Array<Record<string, unknown>> } {
  const dir = mkdtempSync(join(tmpdir(), 'failsoft-runner-'));
  const out = join(dir, 'runs.jsonl');
  const lines = (): Array<Record<string, unknown>> =>
    existsSync(out)
      ? readFileSync(out, 'utf8')
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Record<string, unknown>)
      : [];
  return { dir, out, lines };
}

/** A runner on a fake clock and a memory store, recording its events and its log. */
export function harness(
  jobs: Array<ResolvedJob & { schedule: string }>,
  over: Partial<JobRunnerOptions> = {},
  start = Date.UTC(2026, 0, 5, 8, 59, 59),
) {
  const clock = new FakeClock(start);
  const store = (over.store as MemoryStore | undefined) ?? new MemoryStore();
  const bus = new EventBus();
  const events: FailsoftEvent[] = [];
  bus.on('*', (e) => events.push(e));
  const logs: string[] = [];
  const runner = new JobRunner({
    jobs: jobs.map((job) => ({ job, delayMs: 0, tz: 'UTC' })),
    store,
    instance: 'i1',
    events: bus,
    clock,
    pollMs: 60_000,
    log: (level, message) => logs.push(`${level}: ${message}`),
    ...over,
  });
  const of = (type: string): FailsoftEvent[] => events.filter((e) => e.type === type);
  return { clock, store, bus, events, of, logs, runner };
}
