import net from 'node:net';

/** One Modbus TCP request seen on the wire. */
export interface WireRequest {
  unit: number;
  functionCode: number;
  address: number;
  count: number;
}

/** A loopback TCP proxy in front of a Modbus TCP server that records every request frame. */
export interface FrameCounter {
  port: number;
  url: string;
  requests: WireRequest[];
  /** Most requests ever awaiting their answer at once (1 = strictly one at a time). */
  maxInFlight(): number;
  close(): Promise<void>;
}

/**
 * Proxies 127.0.0.1:<free port> to `targetPort`, parsing the MBAP header of every request
 * (ServerTCP's vector sees coil reads one bit at a time, so only the wire shows requests).
 */
export async function startFrameCounter(targetPort: number): Promise<FrameCounter> {
  const requests: WireRequest[] = [];
  const sockets = new Set<net.Socket>();
  let inFlight = 0;
  let maxInFlight = 0;
  const frames = (onFrame: (frame: Buffer) => void) => {
    let buffer = Buffer.alloc(0);
    return (chunk: Buffer): void => {
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= 8) {
        const length = buffer.readUInt16BE(4);
        if (buffer.length < 6 + length) break;
        onFrame(buffer.subarray(0, 6 + length));
        buffer = buffer.subarray(6 + length);
      }
    };
  };
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: '127.0.0.1', port: targetPort });
    sockets.add(client);
    sockets.add(upstream);
    const onRequest = frames((f) => {
      requests.push({ unit: f[6] ?? 0, functionCode: f[7] ?? 0, address: f.readUInt16BE(8), count: f.readUInt16BE(10) });
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
    });
    const onAnswer = frames(() => {
      inFlight -= 1;
    });
    client.on('data', (chunk: Buffer) => {
      onRequest(chunk);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      onAnswer(chunk);
      client.write(chunk);
    });
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: `tcp://127.0.0.1:${port}`,
    requests,
    maxInFlight: () => maxInFlight,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
