import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Kernel memory one received CAN frame takes from a socket's receive buffer (its sk_buff's
 * truesize, not its 16 or 72 bytes). Measured in the UML tests: the default buffer of 212,992
 * bytes held 277 frames.
 */
export const RECEIVE_BUFFER_BYTES_PER_FRAME = 768;

/** A full 1 Mbit/s classic CAN bus carries about 9,000 frames a second. */
export const DEFAULT_BURST_FRAMES = 9_000;

/** What {@link checkReceiveBuffer} found. */
export interface ReceiveBufferReport {
  /** `net.core.rmem_default` (bytes): the buffer every new socket gets, and the one the bridge's socket has. */
  rmemDefault?: number;
  /** `net.core.rmem_max` (bytes): the ceiling for programs that size their own buffer. */
  rmemMax?: number;
  /** About how many frames the bridge's socket can hold while the bridge is busy. */
  framesHeld?: number;
  /** False when the limits could not be read (not Linux, or /proc hidden); nothing is claimed then. */
  known: boolean;
  /** True when the buffer holds the burst (or nothing is known). */
  enough: boolean;
  /** Set when it does not: what is lost and the sysctl that fixes it. */
  warning?: string;
}

/** Options of {@link checkReceiveBuffer}. */
export interface ReceiveBufferOptions {
  /** Default `/proc/sys/net/core`. */
  procDir?: string;
  /** Frames the buffer should hold. Default {@link DEFAULT_BURST_FRAMES} (one second of a full 1 Mbit/s bus). */
  burstFrames?: number;
}

/** The buffer size to recommend: at least 8 MiB, a power of two that holds the burst. */
function recommendedBytes(burstFrames: number): number {
  let bytes = 8 * 1024 * 1024;
  while (bytes < burstFrames * RECEIVE_BUFFER_BYTES_PER_FRAME) bytes *= 2;
  return bytes;
}

/** The pure decision of {@link checkReceiveBuffer}, from the two values. */
export function assessReceiveBuffer(rmemDefault: number, rmemMax: number, burstFrames = DEFAULT_BURST_FRAMES): ReceiveBufferReport {
  const framesHeld = Math.floor(rmemDefault / RECEIVE_BUFFER_BYTES_PER_FRAME);
  const report: ReceiveBufferReport = { rmemDefault, rmemMax, framesHeld, known: true, enough: framesHeld >= burstFrames };
  if (!report.enough) {
    const bytes = recommendedBytes(burstFrames);
    report.warning =
      `the CAN socket's receive buffer holds about ${framesHeld} frames (net.core.rmem_default = ${rmemDefault} bytes); ` +
      `frames arriving while the bridge is busy beyond that are dropped by the kernel. To hold ${burstFrames} frames ` +
      `(one second of a full 1 Mbit/s bus is about ${DEFAULT_BURST_FRAMES}), run as root: ` +
      `sysctl -w net.core.rmem_default=${bytes} net.core.rmem_max=${Math.max(bytes, rmemMax)} ` +
      `and keep it in /etc/sysctl.d/ (the socketcan package cannot enlarge its own socket's buffer, so the default is what counts)`;
  }
  return report;
}

async function readNumber(path: string): Promise<number | undefined> {
  try {
    const value = Number((await readFile(path, 'utf8')).trim());
    return Number.isSafeInteger(value) && value > 0 ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads `rmem_default` and `rmem_max` and says whether a new CAN socket can hold a burst of
 * `burstFrames` while the bridge is busy. Never throws.
 */
export async function checkReceiveBuffer(options: ReceiveBufferOptions = {}): Promise<ReceiveBufferReport> {
  const dir = options.procDir ?? '/proc/sys/net/core';
  const [rmemDefault, rmemMax] = await Promise.all([readNumber(join(dir, 'rmem_default')), readNumber(join(dir, 'rmem_max'))]);
  if (rmemDefault === undefined || rmemMax === undefined) return { known: false, enough: true };
  return assessReceiveBuffer(rmemDefault, rmemMax, options.burstFrames);
}
