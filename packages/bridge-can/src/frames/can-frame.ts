/** Where a frame's `timestampMs` came from. */
export type TimestampSource =
  /** The kernel stamped the frame when it arrived (SocketCAN with timestamps on). */
  | 'kernel'
  /**
   * Not an arrival time to rely on: SocketCAN with timestamps off (the time the bridge read
   * it), or a frame of a socket's first batch. The kernel stamps the first frame a socket reads
   * with the time of that read, and the frames queued behind it too unless another socket had
   * already turned stamping on; which of them got a real stamp cannot be told (see the README).
   */
  | 'read'
  /** Taken from a candump log line. */
  | 'log'
  /** Shifted from a log's time onto the replay's clock (`timestamps: 'replay'`). */
  | 'replay';

/** One CAN frame as the sources yield it: plain data, no decoding. */
export interface CanFrame {
  /** 11-bit id for standard frames, 29-bit for extended ones; error frames carry the error class bits. */
  id: number;
  extended: boolean;
  /** A CAN FD frame. */
  fd: boolean;
  /** CAN FD bit-rate switch, when known (candump logs say it; the socketcan package does not). */
  brs?: boolean;
  /** CAN FD error state indicator, when known. */
  esi?: boolean;
  /** A remote (RTR) frame: no data, `data` is empty. */
  rtr?: boolean;
  /** An error frame: `id` holds the error class, `data` the details (linux/can/error.h). */
  error?: boolean;
  /** The payload, 0..8 bytes (classic) or 0..64 (FD). */
  data: Uint8Array;
  /** ms since the Unix epoch, fractions allowed (microsecond resolution). */
  timestampMs: number;
  timestampSource: TimestampSource;
  /**
   * With `timestampSource: 'replay'`: the time written in the log, in ms since the Unix epoch,
   * before `timestampMs` was moved onto the replay's clock (the clock a change filter counts on).
   */
  loggedMs?: number;
  /** The interface it was read from or logged on (`can0`). */
  interface?: string;
}

/** The data of frames without any (remote and error frames): one shared, empty array. */
export const NO_DATA = new Uint8Array(0);

/** Valid CAN FD payload lengths (ISO 11898-1). */
export const CAN_FD_LENGTHS: readonly number[] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64];

/** Largest 11-bit and 29-bit ids. */
export const MAX_STANDARD_ID = 0x7ff;
export const MAX_EXTENDED_ID = 0x1fffffff;

/**
 * `seconds.fraction` as written in a log (up to 9 decimals) in ms, rounded once: dividing by a
 * power of ten, where multiplying by 0.001 would add binary noise.
 */
export function decimalSecondsToMs(whole: string, fraction: string): number {
  const millis = fraction.length > 3 ? Number(fraction) / 10 ** (fraction.length - 3) : Number(fraction) * 10 ** (3 - fraction.length);
  return Number(whole) * 1000 + millis;
}
