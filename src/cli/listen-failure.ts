/**
 * What a CLI says when it cannot listen: Node's `listen EADDRINUSE: address already in use
 * 127.0.0.1:8787` names neither the cause a newcomer can act on nor the flag that fixes it.
 */

/** A port the command cannot listen on; the message names the port and the flag that picks another. */
export class ListenError extends Error {
  override readonly name = 'ListenError';
}

/** Node's error code of a failed `listen`, if it has one. */
export function listenErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

/**
 * Turns a failed `listen` on `port` into a `ListenError` saying which `flag` picks another port;
 * any other error is returned unchanged.
 * @example listenFailure(Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' }), 8787, '--port').message
 * // 'port 8787 is in use: pick another with --port'
 */
export function listenFailure(error: unknown, port: number, flag: string): unknown {
  const code = listenErrorCode(error);
  if (code === 'EADDRINUSE')
    return new ListenError(`port ${port} is in use: pick another with ${flag}`, { cause: error });
  if (code === 'EACCES')
    return new ListenError(
      `port ${port} needs privileges to listen on (ports below 1024 do): pick another with ${flag}`,
      { cause: error },
    );
  return error;
}
