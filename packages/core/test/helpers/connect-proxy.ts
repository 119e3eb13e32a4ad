import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { readFileSync } from 'node:fs';

/** What the proxy answers to CONNECT: a tunnel, or a refusal with this status. */
export type ProxyAnswer = 'tunnel' | 407 | 403 | 502;

/** Options of {@link startConnectProxy}. */
export interface ConnectProxyOptions {
  /** `user:password` a `Proxy-Authorization: Basic` must carry; otherwise 407. Default: none asked. */
  credentials?: string;
  /** Where a CONNECT host really is (a proxy resolves names the client cannot). */
  resolve?: Record<string, string>;
}

/**
 * A hand-written HTTP CONNECT proxy on an OS-chosen port: reads the CONNECT line and headers,
 * checks `Proxy-Authorization` when asked to, then pipes to the target. Counts tunnels and keeps
 * every CONNECT request's head, for assertions.
 */
export async function startConnectProxy(options: ConnectProxyOptions = {}) {
  let answer: ProxyAnswer = 'tunnel';
  let tunnels = 0;
  const heads: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) return;
      client.off('data', onData);
      client.pause();
      const text = head.subarray(0, end).toString('latin1');
      heads.push(text);
      const [line, ...headers] = text.split('\r\n');
      const target = /^CONNECT (\S+):(\d+) HTTP\/1\.[01]$/.exec(line!.replace(/^CONNECT \[([^\]]+)\]/, 'CONNECT $1'));
      const auth = headers.find((h) => /^proxy-authorization:/i.test(h))?.replace(/^[^:]+:\s*/, '');
      const refuse = (status: number, reason: string): void => {
        client.end(`HTTP/1.1 ${status} ${reason}\r\n${status === 407 ? 'Proxy-Authenticate: Basic realm="test"\r\n' : ''}Content-Length: 0\r\n\r\n`);
      };
      if (!target) return refuse(400, 'Bad Request');
      if (options.credentials !== undefined && auth !== `Basic ${Buffer.from(options.credentials).toString('base64')}`) return refuse(407, 'Proxy Authentication Required');
      if (answer !== 'tunnel') return refuse(answer, answer === 407 ? 'Proxy Authentication Required' : answer === 403 ? 'Forbidden' : 'Bad Gateway');
      const upstream = connect(Number(target[2]), options.resolve?.[target[1]!] ?? target[1]!);
      sockets.add(upstream);
      upstream.on('close', () => sockets.delete(upstream));
      upstream.once('connect', () => {
        tunnels += 1;
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        const rest = head.subarray(end + 4);
        if (rest.length > 0) upstream.write(rest);
        client.pipe(upstream).pipe(client);
        client.resume();
      });
      upstream.on('error', () => {
        if (!client.destroyed && tunnels === 0) refuse(502, 'Bad Gateway');
        client.destroy();
      });
      client.on('close', () => upstream.destroy());
    };
    client.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    /** `http://127.0.0.1:<port>`, with `user:password@` when given. */
    url: (credentials?: string) => `http://${credentials ? `${credentials}@` : ''}127.0.0.1:${port}`,
    /** Tunnels opened so far. */
    tunnels: () => tunnels,
    /** The head (request line and headers) of every CONNECT received. */
    heads: () => heads,
    /** From now on, CONNECT gets this answer. */
    answer(next: ProxyAnswer) {
      answer = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A TLS front on an OS-chosen port that pipes every connection to `port` on 127.0.0.1: `wss://` before a plain `ws://` gateway. */
export async function startTlsFront(port: number, certFile: string, keyFile: string) {
  const sockets = new Set<Socket>();
  const server = createTlsServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) }, (client) => {
    const upstream = connect(port, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
