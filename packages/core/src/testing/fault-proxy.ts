import net from 'node:net';

/** What the proxy does with connections now. */
export type ProxyMode =
  /** Pass bytes both ways. */
  | 'pass'
  /** Accept and close at once: the peer is down (reconnects fail). */
  | 'refuse'
  /** Accept and swallow everything, never answer: a frozen peer. */
  | 'blackhole';

/** Options of {@link startFaultProxy}. */
export interface FaultProxyOptions {
  /** The real peer. */
  target: { host?: string; port: number };
  /** Sees every chunk the client sends, before it is passed on (e.g. to count protocol frames). */
  toServer?(chunk: Buffer): void;
  /** Sees every chunk the peer answers, before it is passed on. */
  toClient?(chunk: Buffer): void;
}

/**
 * A loopback TCP proxy in front of a real peer, on a port the OS picks, that a test drives to
 * make faults happen when it decides (no timing): cut the connections, refuse new ones, freeze
 * (blackhole), delay each chunk. For bridge tests and the conformance suite.
 */
export interface FaultProxy {
  readonly port: number;
  readonly host: string;
  /** Connections accepted so far (turned away ones included). */
  connections(): number;
  /** Connections accepted while refusing. */
  turnedAway(): number;
  /** Sets what happens to new connections; `refuse` and `blackhole` also affect open ones (cut, or frozen). */
  mode(next: ProxyMode): void;
  /** Destroys every open connection now (a network failure); new ones follow the mode. */
  cut(): void;
  /** Delays each chunk by `ms` both ways (order kept). 0 for none. */
  delay(ms: number): void;
  close(): Promise<void>;
}

/** Starts a {@link FaultProxy} in `pass` mode. */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const sockets = new Set<net.Socket>();
  let current: ProxyMode = 'pass';
  let delayMs = 0;
  let accepted = 0;
  let turnedAway = 0;
  const frozen = new Set<net.Socket>();

  const forward = (from: net.Socket, to: net.Socket, tap: ((chunk: Buffer) => void) | undefined) => {
    from.on('data', (chunk: Buffer) => {
      if (frozen.has(from)) return;
      tap?.(chunk);
      if (delayMs > 0) {
        from.pause();
        setTimeout(() => {
          if (!to.destroyed) to.write(chunk);
          from.resume();
        }, delayMs);
      } else if (!to.destroyed) {
        to.write(chunk);
      }
    });
  };

  const server = net.createServer((client) => {
    accepted += 1;
    sockets.add(client);
    client.on('close', () => sockets.delete(client)).on('error', () => client.destroy());
    if (current === 'refuse') {
      turnedAway += 1;
      client.destroy();
      return;
    }
    if (current === 'blackhole') {
      frozen.add(client);
      client.on('data', () => undefined);
      return;
    }
    const upstream = net.connect({ host: options.target.host ?? '127.0.0.1', port: options.target.port });
    sockets.add(upstream);
    forward(client, upstream, options.toServer);
    forward(upstream, client, options.toClient);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    host: '127.0.0.1',
    connections: () => accepted,
    turnedAway: () => turnedAway,
    mode(next) {
      current = next;
      if (next === 'refuse') for (const s of sockets) s.destroy();
      if (next === 'blackhole') for (const s of sockets) frozen.add(s);
      if (next === 'pass') frozen.clear();
    },
    cut() {
      for (const s of sockets) s.destroy();
    },
    delay(ms) {
      delayMs = ms;
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
