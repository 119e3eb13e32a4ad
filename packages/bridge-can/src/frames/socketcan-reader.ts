import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CanBridgeError } from '../errors.js';
import { MAX_EXTENDED_ID, MAX_STANDARD_ID, type CanFrame } from './can-frame.js';
import { interfaceIndex, SYS_NET_DIR } from './link-state.js';
import { checkReceiveBuffer, type ReceiveBufferOptions, type ReceiveBufferReport } from './receive-buffer.js';

/** A kernel receive filter: frames whose id matches `id` on the bits of `mask` pass. */
export interface CanIdFilter {
  id: number;
  /** Bits that must match. Default all 11 (standard) or 29 (extended) bits. */
  mask?: number;
  /** Match extended (29-bit) ids; default false (standard ids only). */
  extended?: boolean;
  /** Pass every frame except the matching ones. */
  invert?: boolean;
}

/** What the `socketcan` package (4.3.1) hands to its `onMessage` listeners. */
interface RawMessage {
  id: number;
  ext?: boolean;
  rtr?: boolean;
  err?: boolean;
  data: Uint8Array;
  ts_sec?: number;
  ts_usec?: number;
}

interface RawChannel {
  addListener(event: 'onMessage' | 'onStopped', listener: (message: RawMessage) => void): void;
  setRxFilters(filters: { id: number; mask: number; invert?: boolean }[]): void;
  start(): void;
  stop(): void;
}

/** The part of the `socketcan` package the reader uses. */
export interface SocketCanModule {
  createRawChannel(name: string, timestamps?: boolean): RawChannel;
}

/** Options of {@link openSocketCan}. */
export interface SocketCanOptions {
  /** The interface name, `can0` or `vcan0`. */
  interface: string;
  /** Kernel receive timestamps. Default true; false stamps frames with `now()` when read. */
  timestamps?: boolean;
  /** Kernel receive filters; default none (every frame). */
  filters?: readonly CanIdFilter[];
  /** Receives every frame, in order. Must not throw (a throw goes to `onError`). */
  onFrame(frame: CanFrame): void;
  /** The interface went down or away; the reader has stopped. Open a new one to go on. */
  onStopped?(error: CanBridgeError): void;
  /** Said at most once per reader: the receive buffer is too small for bursts (with the sysctl that fixes it). */
  onWarning?(message: string): void;
  /** Errors thrown by `onFrame`. Default: rethrown outside the native callback. */
  onError?(error: unknown): void;
  /** The start-time check of `net.core.rmem_default`; false skips it. */
  receiveBuffer?: ReceiveBufferOptions | false;
  /** Clock for frames read without kernel stamps (ms since the epoch). Default `Date.now`. */
  now?: () => number;
  /** Loads the `socketcan` package. Default a dynamic `import('socketcan')`, made only here. */
  loadModule?: () => Promise<SocketCanModule>;
  /** Where the interface is looked for, and its index read (`<sysDir>/<name>/ifindex`). Default `/sys/class/net`. */
  sysDir?: string;
  /** How often the interface is checked for still being there, in ms. Default 2000. */
  watchMs?: number;
}

/** An open SocketCAN reader. */
export interface SocketCanReader {
  readonly interface: string;
  readonly receiveBuffer: ReceiveBufferReport;
  /** Frames delivered, and how many of them carry the read time instead of a kernel stamp. */
  stats(): { frames: number; stampedAtRead: number };
  /** Stops reading. Idempotent. */
  close(): Promise<void>;
}

const CAN_EFF_FLAG = 0x80000000;
/** Frames the package's native callback delivers at most before it returns (MAX_FRAMES_PER_ASYNC_EVENT + 1). */
const NATIVE_BATCH = 101;
const INTERFACE_NAME = /^[A-Za-z0-9_.:-]{1,15}$/;

async function loadSocketCan(): Promise<SocketCanModule> {
  const loaded = (await import('socketcan')) as unknown as SocketCanModule & { default?: SocketCanModule };
  return loaded.default ?? loaded;
}

/** A filter in the kernel's terms (`struct can_filter`): the EFF flag in the mask keeps standard and extended apart. */
export function kernelFilter(filter: CanIdFilter): { id: number; mask: number; invert: boolean } {
  const max = filter.extended ? MAX_EXTENDED_ID : MAX_STANDARD_ID;
  if (!Number.isInteger(filter.id) || filter.id < 0 || filter.id > max) {
    throw new RangeError(`filter id ${filter.id} is not a ${filter.extended ? '29' : '11'}-bit id`);
  }
  const mask = filter.mask ?? max;
  if (!Number.isInteger(mask) || mask < 0 || mask > max) throw new RangeError(`filter mask ${mask} is not within ${filter.extended ? '29' : '11'} bits`);
  return {
    id: (filter.extended ? (filter.id | CAN_EFF_FLAG) : filter.id) >>> 0,
    mask: (mask | CAN_EFF_FLAG) >>> 0,
    invert: filter.invert ?? false,
  };
}

/**
 * Opens a SocketCAN raw socket through the `socketcan` package (loaded here, lazily) and
 * delivers classic and FD frames, standard and extended ids, as {@link CanFrame}s.
 *
 * Caveats of the package, handled as honestly as it allows: its messages carry no FD flag, so
 * `fd` is true only for payloads over 8 bytes and `brs`/`esi` are never set; kernel stamps
 * start only at the first read, so frames already queued then (the first batch: until a
 * native callback empties the queue, at most the receive buffer's worth) may carry the read
 * time and are marked `timestampSource: 'read'`; it cannot size its socket's receive buffer,
 * so the system default decides how large a burst survives a busy moment (checked at start,
 * see {@link checkReceiveBuffer}).
 */
export async function openSocketCan(options: SocketCanOptions): Promise<SocketCanReader> {
  const name = options.interface;
  if (!INTERFACE_NAME.test(name)) throw new CanBridgeError('INTERFACE_NOT_FOUND', `"${name}" is not a network interface name (1-15 letters, digits, _ . : -)`);
  const filters = (options.filters ?? []).map(kernelFilter);
  const receiveBuffer = options.receiveBuffer === false ? { known: false, enough: true } : await checkReceiveBuffer(options.receiveBuffer);
  if (receiveBuffer.warning) options.onWarning?.(receiveBuffer.warning);

  let module: SocketCanModule;
  try {
    module = await (options.loadModule ?? loadSocketCan)();
  } catch (err) {
    throw new CanBridgeError(
      'SOCKETCAN_UNAVAILABLE',
      `the socketcan package could not be loaded (${(err as Error).message}); it builds a native addon when installed: reinstall with a C++ compiler and Node headers present`,
      { cause: err },
    );
  }
  if (!existsSync(join(options.sysDir ?? SYS_NET_DIR, name))) {
    throw new CanBridgeError('INTERFACE_NOT_FOUND', `no network interface ${name}: check \`ip link show\`; for a virtual bus: ip link add ${name} type vcan && ip link set ${name} up`);
  }
  // Read before the socket is bound: an interface replaced in between is seen as gone at the
  // first check, and opened again.
  const openedIndex = await interfaceIndex(name, options.sysDir);
  let channel: RawChannel;
  const timestamps = options.timestamps ?? true;
  try {
    channel = module.createRawChannel(name, timestamps);
  } catch (err) {
    const noCan = !existsSync('/proc/net/can');
    throw new CanBridgeError(
      noCan ? 'SOCKETCAN_UNAVAILABLE' : 'INTERFACE_NOT_FOUND',
      noCan
        ? `this kernel has no SocketCAN (no AF_CAN): load it with modprobe can_raw (and vcan for a virtual bus)`
        : `cannot open a CAN socket on ${name} (${(err as Error).message}): is it a CAN interface, and up? (ip link set ${name} up)`,
      { cause: err },
    );
  }
  if (filters.length > 0) channel.setRxFilters(filters);

  const now = options.now ?? Date.now;
  let frames = 0;
  let stampedAtRead = 0;
  // Frames queued before the first read were not stamped by the kernel: it starts stamping
  // when asked at that read, and gives those the read time. They come in the first batch: the
  // native callbacks until one has emptied the queue (each delivers at most 101 frames, then
  // returns to the event loop). The queue holds at most what the receive buffer holds, so
  // the first batch never runs longer than that (plus one callback) either.
  const backlogLimit = receiveBuffer.framesHeld === undefined ? Infinity : receiveBuffer.framesHeld + NATIVE_BATCH;
  let firstBatch = true;
  let inCallback = 0;
  let closing = false;
  channel.addListener('onMessage', (m) => {
    if (firstBatch && inCallback++ === 0) {
      setImmediate(() => {
        if (inCallback < NATIVE_BATCH) firstBatch = false;
        inCallback = 0;
      });
    }
    if (firstBatch && frames >= backlogLimit) firstBatch = false;
    const stamped = timestamps && m.ts_sec !== undefined && !firstBatch;
    const frame: CanFrame = {
      id: m.id,
      extended: m.ext === true,
      fd: m.data.length > 8,
      data: m.data,
      timestampMs: timestamps && m.ts_sec !== undefined ? m.ts_sec * 1000 + (m.ts_usec ?? 0) / 1000 : now(),
      timestampSource: stamped ? 'kernel' : 'read',
      interface: name,
    };
    if (m.rtr) frame.rtr = true;
    if (m.err) frame.error = true;
    frames++;
    if (!stamped) stampedAtRead++;
    try {
      options.onFrame(frame);
    } catch (err) {
      if (options.onError) options.onError(err);
      else queueMicrotask(() => {
        throw err;
      });
    }
  });
  let watch: NodeJS.Timeout | undefined;
  const wentAway = (): void => {
    if (closing) return;
    closing = true;
    clearInterval(watch);
    options.onStopped?.(new CanBridgeError('INTERFACE_STOPPED', `CAN interface ${name} went down or away; reading stopped (bring it up with ip link set ${name} up)`));
  };
  channel.addListener('onStopped', wentAway);
  channel.start();
  // The package says an interface went away only when its reading thread sees the socket's
  // error; a read of the package's own that empties the queue at that moment takes the error
  // instead, and nothing is said ever after (the socket is unbound and stays silent). So the
  // interface is also checked for still being the one opened: gone, or deleted and added again
  // under its name (a new index), it is reported the same way.
  if (openedIndex !== undefined) {
    watch = setInterval(() => {
      void interfaceIndex(name, options.sysDir).then((index) => {
        if (index === openedIndex || closing) return;
        channel.stop();
        wentAway();
      });
    }, options.watchMs ?? 2000);
    watch.unref();
  }
  return {
    interface: name,
    receiveBuffer,
    stats: () => ({ frames, stampedAtRead }),
    async close() {
      clearInterval(watch);
      if (closing) return;
      closing = true;
      channel.stop();
    },
  };
}
