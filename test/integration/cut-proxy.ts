import { createServer, connect, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of the database that the test cuts (connections dropped, new ones closed),
 * or stalls (connections kept open, nothing forwarded: a partition without resets), and restores.
 */
export async function startCutProxy(host: string, port: number) {
  const open = new Set<Socket>();
  let down = false;
  let stalled = false;
  const server = createServer((client) => {
    if (down) return void client.destroy();
    if (stalled) return void open.add(client); // accepted, never answered
    const upstream = connect(port, host);
    open.add(client).add(upstream);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy: no TCP address');
  return {
    port: address.port,
    cut(): void {
      down = true;
      for (const socket of open) socket.destroy();
      open.clear();
    },
    stall(): void {
      stalled = true;
      for (const socket of open) {
        socket.unpipe();
        socket.pause();
      }
    },
    restore(): void {
      down = false;
      if (stalled) {
        // a partition that heals leaves the stalled connections dead: drop them, as their peers will
        stalled = false;
        for (const socket of open) socket.destroy();
        open.clear();
      }
    },
    close(): Promise<void> {
      down = true;
      for (const socket of open) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
