import type { RunningSimulator } from '../sim/start-simulator.js';
import { listenErrorCode, listenFailure } from './listen-failure.js';

/** The simulator's port under `failsoft serve` without `--config`: README's fault examples use it. */
export const DEFAULT_SERVE_SIM_PORT = 8700;

/** The simulator `failsoft serve` runs, and what to warn about it. */
export interface ServeSimulator {
  sim: RunningSimulator;
  /** One line when the default port was taken and another was used. */
  warnings: string[];
}

/**
 * Starts the simulator for `failsoft serve` without `--config` on 127.0.0.1. `simPort` is `--sim-port`:
 * a port that is taken is then an error naming the flag. Without it the simulator takes 8700 (where
 * README's `curl localhost:8700/_sim/faults` examples point) or, when that is taken (a `failsoft sim`
 * already running, say), any free port, with a warning saying so: the gateway still starts.
 * @example const { sim, warnings } = await startServeSimulator(undefined);
 */
export async function startServeSimulator(
  simPort: number | undefined,
  defaultPort = DEFAULT_SERVE_SIM_PORT,
): Promise<ServeSimulator> {
  // Loaded only here: a gateway serving a real config never carries the simulator in memory.
  const { startSimulator } = await import('../sim/start-simulator.js');
  const port = simPort ?? defaultPort;
  try {
    return { sim: await startSimulator({ port, host: '127.0.0.1' }), warnings: [] };
  } catch (error) {
    if (simPort !== undefined || listenErrorCode(error) !== 'EADDRINUSE')
      throw listenFailure(error, port, '--sim-port');
  }
  const sim = await startSimulator({ port: 0, host: '127.0.0.1' });
  return {
    sim,
    warnings: [
      `failsoft serve: warning: port ${port} is in use, so the simulator listens on ${sim.url} instead: use that in its fault and stats URLs, or pick a port with --sim-port`,
    ],
  };
}
