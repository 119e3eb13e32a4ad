import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { Aedes, type AedesOptions } from 'aedes';
import { WebSocketServer, createWebSocketStream } from 'ws';

/** An in-process aedes broker (MQTT 3.1.1) on OS-chosen loopback ports. */
export interface AedesBroker {
  broker: Aedes;
  /** `mqtt://127.0.0.1:<port>`. */
  url: string;
  /** `ws://127.0.0.1:<port>/mqtt`, when started with `ws: true`. */
  wsUrl: string | undefined;
  /** `wss://127.0.0.1:<port>/mqtt`, when started with `wss`. */
  wssUrl: string | undefined;
  close(): Promise<void>;
}

/** Options of {@link startAedes}. */
export interface AedesBrokerOptions extends AedesOptions {
  /** Also serve MQTT over WebSocket. */
  ws?: boolean;
  /** Also serve MQTT over TLS WebSocket with these PEM files. */
  wss?: { cert: string; key: string };
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

/** Starts aedes on TCP (and optionally WebSocket / TLS WebSocket) with OS-chosen ports. */
export async function startAedes(options: AedesBrokerOptions = {}): Promise<AedesBroker> {
  const { ws, wss, ...aedesOptions } = options;
  const broker = await Aedes.createBroker(aedesOptions);
  const servers: net.Server[] = [];
  const sockets = new Set<net.Socket>();
  const tcp = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    broker.handle(socket);
  });
  servers.push(tcp);
  const url = `mqtt://127.0.0.1:${await listen(tcp)}`;
  const attachWs = (server: http.Server | https.Server): void => {
    server.on('connection', (socket: net.Socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    new WebSocketServer({ server, path: '/mqtt' }).on('connection', (socket, req) => {
      broker.handle(createWebSocketStream(socket), req);
    });
  };
  let wsUrl: string | undefined;
  if (ws) {
    const server = http.createServer();
    attachWs(server);
    servers.push(server);
    wsUrl = `ws://127.0.0.1:${await listen(server)}/mqtt`;
  }
  let wssUrl: string | undefined;
  if (wss) {
    const server = https.createServer({ cert: readFileSync(wss.cert), key: readFileSync(wss.key) });
    attachWs(server);
    servers.push(server);
    wssUrl = `wss://127.0.0.1:${await listen(server)}/mqtt`;
  }
  return {
    broker,
    url,
    wsUrl,
    wssUrl,
    async close() {
      for (const socket of sockets) socket.destroy();
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
    },
  };
}
