import { spawn } from 'node:child_process';
import { systemClock, type Clock } from '../model/clock.js';

/** How one attempt of a job runs. */
export interface ProcessSpec {
  /** argv; with `shell: true`, one command line for `/bin/sh -c`. */
  command: readonly string[];
  shell: boolean;
  env: Record<string, string | undefined>;
  cwd?: string;
  /** SIGTERM to the process group after this long (absent: no limit). */
  timeoutMs?: number;
  /** SIGKILL to the group this long after the SIGTERM. */
  killGraceMs: number;
  /** Bytes of stdout and of stderr kept (the last ones; default 4 KiB each). */
  tailBytes?: number;
  clock?: Clock;
}

/** How an attempt ended. */
export interface ProcessOutcome {
  /** The exit code; undefined when a signal ended it or it never started. */
  exitCode?: number;
  /** The signal that ended it (`SIGTERM`, `SIGKILL`). */
  signal?: string;
  /** The timeout passed and the group was told to stop. */
  timedOut: boolean;
  /** `stop()` was called (the runner lost its lease, or is closing). */
  stopped: boolean;
  /** It could not be started (no such file, not executable): the reason. */
  spawnError?: string;
  ms: number;
  stdoutTail: string;
  stderrTail: string;
}

/** A started attempt: its outcome, and a way to stop its process group early. */
export interface RunningProcess {
  pid: number | undefined;
  done: Promise<ProcessOutcome>;
  /** SIGTERM to the group, SIGKILL after the grace. */
  stop(reason: string): void;
}

export const DEFAULT_TAIL_BYTES = 4096;
/** How often the end of a group is checked once its leader has exited. */
const GROUP_POLL_MS = 25;
const ZOMBIE_WAIT_MS = 2_000;

/** Keeps the last `limit` bytes written to it (whole chunks are dropped from the front as they age out). */
export class OutputTail {
  private chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly limit: number) {}

  /** Adds a chunk, keeping at most `limit` bytes. */
  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size - (this.chunks[0]?.length ?? 0) >= this.limit && this.chunks.length > 1)
      this.size -= (this.chunks.shift() as Buffer).length;
  }

  /** The kept bytes as text (a multi-byte character cut at the front reads as U+FFFD). */
  text(): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - this.limit)).toString('utf8');
  }
}

/** True while some process of the group `pid` is alive. */
function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Sends `signal` to the whole process group of `pid` (negative pid); a group already gone is fine. */
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group has exited.
  }
}

/**
 * Starts one attempt of a job as the leader of its own process group (`detached`), so a timeout or a stop reaches
 * its children and grandchildren too: SIGTERM to the group, then SIGKILL after `killGraceMs`. No shell unless
 * `shell: true`. Keeps the tail of stdout and stderr; never rejects (a spawn failure is an outcome).
 * @example const p = startProcess({ command: ['/bin/true'], shell: false, env: process.env, killGraceMs: 10_000 }); const outcome = await p.done;
 */
export function startProcess(spec: ProcessSpec): RunningProcess {
  const clock = spec.clock ?? systemClock;
  const started = clock.now();
  const stdout = new OutputTail(spec.tailBytes ?? DEFAULT_TAIL_BYTES);
  const stderr = new OutputTail(spec.tailBytes ?? DEFAULT_TAIL_BYTES);
  const [file, ...args] = spec.shell ? ['/bin/sh', '-c', spec.command.join(' ')] : spec.command;
  const child = spawn(file as string, args, {
    env: spec.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(spec.cwd === undefined ? {} : { cwd: spec.cwd }),
  });
  let timedOut = false;
  let stopped = false;
  let cancelKill: (() => void) | undefined;
  let killedAt: number | undefined;
  const terminate = (): void => {
    if (child.pid === undefined || cancelKill !== undefined) return;
    signalGroup(child.pid, 'SIGTERM');
    const pid = child.pid;
    cancelKill = clock.timer(spec.killGraceMs, () => {
      killedAt = Date.now();
      signalGroup(pid, 'SIGKILL');
    });
  };
  const cancelTimeout =
    spec.timeoutMs === undefined
      ? undefined
      : clock.timer(spec.timeoutMs, () => {
          timedOut = true;
          terminate();
        });
  // Like a service manager's control group: when the leader exits, what it left running in its group is stopped too
  // (SIGTERM, SIGKILL after the grace), and the attempt ends once their output pipes close.
  child.once('exit', () => {
    if (child.pid !== undefined && groupAlive(child.pid)) terminate();
  });
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  const done = new Promise<ProcessOutcome>((resolve) => {
    const finish = (fields: Partial<ProcessOutcome>): void => {
      cancelTimeout?.();
      // The attempt is over when every process of its group is: a retry never overlaps what the last one left.
      const settle = (): void => {
        // (A SIGKILLed orphan can linger as a zombie until its new parent reaps it: wait for that only so long.)
        const waiting =
          child.pid !== undefined &&
          groupAlive(child.pid) &&
          (killedAt === undefined || Date.now() - killedAt < ZOMBIE_WAIT_MS);
        // Real time: this waits on the operating system, not on the schedule (a fake clock would never get here).
        if (waiting) return void setTimeout(settle, GROUP_POLL_MS);
        cancelKill?.();
        resolve({
          timedOut,
          stopped,
          ms: clock.now() - started,
          stdoutTail: stdout.text(),
          stderrTail: stderr.text(),
          ...fields,
        });
      };
      settle();
    };
    child.once('error', (error) => finish({ spawnError: error.message }));
    child.once('close', (code, signal) =>
      finish({ ...(code === null ? {} : { exitCode: code }), ...(signal === null ? {} : { signal }) }),
    );
  });
  return {
    pid: child.pid,
    done,
    stop() {
      stopped = true;
      terminate();
    },
  };
}

/** One line saying why an attempt failed, or undefined when it succeeded (exit 0). */
export function failureReason(outcome: ProcessOutcome, timeoutMs: number | undefined): string | undefined {
  if (outcome.spawnError !== undefined) return `could not start: ${outcome.spawnError}`;
  if (outcome.timedOut) return `timed out after ${Math.round((timeoutMs ?? outcome.ms) / 100) / 10} s`;
  if (outcome.stopped) return 'stopped by the runner';
  if (outcome.signal !== undefined) return `killed by ${outcome.signal}`;
  if (outcome.exitCode === 0) return undefined;
  return `exit ${outcome.exitCode ?? '?'}`;
}
