import { spawn } from 'node:child_process';

/**
 * Runs `argv` (no shell) and resolves to undefined when it exits 0, else the reason with its last stderr line.
 * Killed at `signal` (the check's timeout).
 * @example await commandProbe(['pg_isready', '-h', 'db'], AbortSignal.timeout(5000)) // undefined | 'exit 2: db:5432 - no response'
 */
export function commandProbe(argv: readonly string[], signal: AbortSignal): Promise<string | undefined> {
  const [file, ...args] = argv;
  return new Promise((resolve) => {
    let stderr = '';
    const child = spawn(file ?? '', args, { stdio: ['ignore', 'ignore', 'pipe'], signal, killSignal: 'SIGKILL' });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-2_000);
    });
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (signal.aborted) return resolve('no answer: killed');
      resolve(error.code === 'ENOENT' ? `${file}: command not found` : `${file}: ${error.message}`);
    });
    child.once('close', (code, killedBy) => {
      if (signal.aborted) return resolve('no answer: killed');
      if (code === 0) return resolve(undefined);
      const last = stderr.trim().split('\n').at(-1)?.trim();
      resolve(
        `${code === null ? `killed by ${killedBy ?? 'a signal'}` : `exit ${code}`}${last ? `: ${last.slice(0, 200)}` : ''}`,
      );
    });
  });
}
