import { createSocket } from 'node:dgram';
import { createServer, isIP, type AddressInfo, type Socket } from 'node:net';
import { createSimulatedFleet, type SimulatedVehicle } from './simulated-fleet.js';

/** Options of {@link startMavlinkSimulator}. */
export interface MavlinkSimulatorOptions {
  /**
   * `udp` (default): send to `host:port`, where a bridge listens with `udpin`. `tcp`: listen on
   * `host:port` and stream to every client, as ArduPilot SITL does on port 5760.
   */
  transport?: 'udp' | 'tcp';
  /** udp: where frames go; tcp: the address listened on. Default `127.0.0.1`. */
  host?: string;
  /** Default 14550 (udp) or 5760 (tcp); 0 for tcp picks a free port. */
  port?: number;
  /** Ticks per second (ATTITUDE rate; positions at half, heartbeats at a tenth). Default 10. */
  rateHz?: number;
  /** How long each flight mode lasts, ms. Default 30,000. */
  modePeriodMs?: number;
  vehicles?: readonly SimulatedVehicle[];
  /** Wall clock, ms. Default `Date.now`. */
  now?: () => number;
}

/** A running simulator. */
export interface MavlinkSimulator {
  /** The `connection` a bridge reads it with: `udpin://host:port` (udp) or `tcp://host:port` (tcp, with the port given for 0). */
  readonly target: string;
  /** Frames sent so far (counted once per frame, whatever the number of TCP clients). */
  sent(): number;
  /** TCP clients connected now (0 for udp). */
  clients(): number;
  /** Stops sending and closes sockets and clients. Idempotent. */
  close(): Promise<void>;
}

const url = (scheme: string, host: string, port: number): string => `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;

/**
 * Flies the demo vehicles and sends their frames as a vehicle would: over UDP to a listener (as
 * SITL's `--out udp:host:port`), or over TCP to whoever connects (as SITL's port 5760). For the
 * demo and for tests.
 */
export async function startMavlinkSimulator(options: MavlinkSimulatorOptions = {}): Promise<MavlinkSimulator> {
  const host = options.host ?? '127.0.0.1';
  const tcp = options.transport === 'tcp';
  const now = options.now ?? Date.now;
  // The mission clock starts once the encoder is loaded: loading node-mavlink on a busy machine
  // can take longer than a flight mode lasts, and the first heartbeat must show the first mode.
  await import('node-mavlink');
  const fleet = await createSimulatedFleet({
    startMs: now(),
    ...(options.vehicles ? { vehicles: options.vehicles } : {}),
    ...(options.modePeriodMs !== undefined ? { modePeriodMs: options.modePeriodMs } : {}),
  });
  const out = tcp ? await tcpOut(host, options.port ?? 5760) : udpOut(host, options.port ?? 14550);
  let sent = 0;
  let tick = 0;
  const step = (): void => {
    for (const frame of fleet.frames(tick, now())) {
      out.send(frame);
      sent += 1;
    }
    tick += 1;
  };
  step();
  const interval = setInterval(step, 1000 / (options.rateHz ?? 10));
  let closed: Promise<void> | undefined;
  return {
    target: out.target,
    sent: () => sent,
    clients: out.clients,
    close() {
      closed ??= (async () => {
        clearInterval(interval);
        await out.close();
      })();
      return closed;
    },
  };
}

interface Out {
  target: string;
  send(frame: Buffer): void;
  clients(): number;
  close(): Promise<void>;
}

function udpOut(host: string, port: number): Out {
  const socket = createSocket(isIP(host) === 6 ? 'udp6' : 'udp4');
  // The simulator only sends; an unreachable target answers with ICMP errors it can ignore.
  socket.on('error', () => undefined);
  return {
    target: url('udpin', host, port),
    send: (frame) => socket.send(frame, port, host),
    clients: () => 0,
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

async function tcpOut(host: string, port: number): Promise<Out> {
  const clients = new Set<Socket>();
  const server = createServer((socket) => {
    clients.add(socket);
    socket.setNoDelay(true);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => clients.delete(socket));
    // What the bridge sends (its heartbeats) is read and dropped, as a vehicle ignores a GCS it does not serve.
    socket.resume();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    target: url('tcp', host, (server.address() as AddressInfo).port),
    send(frame) {
      // A client that cannot keep up is skipped for this frame rather than buffered without bound.
      for (const c of clients) if (c.writableLength < 1 << 20) c.write(frame);
    },
    clients: () => clients.size,
    close: () =>
      new Promise((resolve) => {
        for (const c of clients) c.destroy();
        server.close(() => resolve());
      }),
  };
}
