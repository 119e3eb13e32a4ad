import net from 'node:net';

/**
 * A loopback TCP proxy in front of a server port, which a test switches between three states:
 * `open` forwards both ways; `frozen` keeps every socket open and accepts new ones but passes
 * nothing on (a server that hangs, or a network that silently drops); `cut` destroys every
 * connection and drops new ones at once (a network loss or a server that is gone).
 */
export interface TcpProxy {
  port: number;
  url: string;
  open(): void;
  freeze(): void;
  cut(): void;
  /** Connections accepted so far. */
  accepted(): number;
  /** Resolves at the next connection accepted. */
  nextAccept(): Promise<void>;
  close(): Promise<void>;
}

/** Starts a proxy on an OS-chosen loopback port in front of `127.0.0.1:targetPort`. */
export async function startProxy(targetPort: number): Promise<TcpProxy> {
  let state: 'open' | 'frozen' | 'cut' = 'open';
  let accepted = 0;
  const acceptWaiters: (() => void)[] = [];
  const pairs = new Set<{ client: net.Socket; upstream?: net.Socket }>();
  const server = net.createServer((client) => {
    accepted += 1;
    for (const wake of acceptWaiters.splice(0)) wake();
    client.on('error', () => client.destroy());
    if (state === 'cut') {
      client.destroy();
      return;
    }
    const pair: { client: net.Socket; upstream?: net.Socket } = { client };
    pairs.add(pair);
    client.on('close', () => {
      pair.upstream?.destroy();
      pairs.delete(pair);
    });
    if (state === 'frozen') {
      // Accepted by the kernel, never answered: what a hung server looks like to a client.
      client.pause();
      return;
    }
    const upstream = net.connect({ host: '127.0.0.1', port: targetPort });
    pair.upstream = upstream;
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => client.destroy());
    client.on('data', (chunk) => {
      if (state === 'open') upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (state === 'open') client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: `opc.tcp://127.0.0.1:${port}`,
    open() {
      state = 'open';
    },
    freeze() {
      state = 'frozen';
    },
    cut() {
      state = 'cut';
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream?.destroy();
      }
      pairs.clear();
    },
    accepted: () => accepted,
    nextAccept: () => new Promise((resolve) => acceptWaiters.push(resolve)),
    async close() {
      state = 'cut';
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream?.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
