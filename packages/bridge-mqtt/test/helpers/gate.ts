import net from 'node:net';

/**
 * A loopback TCP proxy to a broker port that a test can shut: while shut, connections are
 * accepted and dropped at once, so a client's reconnect attempts fail until it opens again.
 * Lets a test decide when the bridge may reconnect, without timing.
 */
export interface Gate {
  port: number;
  url: string;
  /** Drops every proxied connection and refuses new ones until {@link open}. */
  shut(): void;
  open(): void;
  /** Connections accepted while shut (reconnect attempts turned away). */
  turnedAway(): number;
  close(): Promise<void>;
}

/** Starts a gate on an OS-chosen port in front of `127.0.0.1:targetPort`. */
export async function startGate(targetPort: number): Promise<Gate> {
  const sockets = new Set<net.Socket>();
  let isShut = false;
  let turnedAway = 0;
  const server = net.createServer((client) => {
    if (isShut) {
      turnedAway += 1;
      client.destroy();
      return;
    }
    const upstream = net.connect({ host: '127.0.0.1', port: targetPort });
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    shut() {
      isShut = true;
      for (const s of sockets) s.destroy();
    },
    open() {
      isShut = false;
    },
    turnedAway: () => turnedAway,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
