import { startFaultProxy, type FaultProxy } from '@fieldbridge/core/testing';

/** One Modbus TCP request seen on the wire. */
export interface WireRequest {
  unit: number;
  functionCode: number;
  address: number;
  count: number;
}

/** The kit's fault proxy in front of a Modbus TCP server, recording every request frame. */
export interface FrameCounter {
  proxy: FaultProxy;
  url: string;
  requests: WireRequest[];
  /** Most requests ever awaiting their answer at once (1 = strictly one at a time). */
  maxInFlight(): number;
  close(): Promise<void>;
}

/** Cuts a byte stream into MBAP frames (length at bytes 4-5 counts what follows byte 5). */
function mbapFrames(onFrame: (frame: Buffer) => void): (chunk: Buffer) => void {
  let buffer = Buffer.alloc(0);
  return (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    while (buffer.length >= 8 && buffer.length >= 6 + buffer.readUInt16BE(4)) {
      const end = 6 + buffer.readUInt16BE(4);
      onFrame(buffer.subarray(0, end));
      buffer = buffer.subarray(end);
    }
  };
}

/**
 * Proxies a loopback port to `targetPort` with the kit's fault proxy, parsing the MBAP header
 * of every request (ServerTCP's vector sees coil reads one bit at a time, so only the wire
 * shows requests). One client connection at a time, as the bridge opens per line.
 */
export async function startFrameCounter(targetPort: number): Promise<FrameCounter> {
  const requests: WireRequest[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const proxy = await startFaultProxy({
    target: { port: targetPort },
    toServer: mbapFrames((f) => {
      requests.push({ unit: f[6] ?? 0, functionCode: f[7] ?? 0, address: f.readUInt16BE(8), count: f.readUInt16BE(10) });
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
    }),
    toClient: mbapFrames(() => {
      inFlight -= 1;
    }),
  });
  return { proxy, url: `tcp://127.0.0.1:${proxy.port}`, requests, maxInFlight: () => maxInFlight, close: () => proxy.close() };
}
