import { BridgeError } from '@fieldbridge/core/bridge';

/** Codes carried by {@link ModbusBridgeError}. */
export type ModbusBridgeErrorCode =
  /** The connection could not be opened (refused, unreachable, no such serial port). */
  | 'CONNECT_FAILED'
  /** The line is not connected, or the connection went away while a request was in flight. */
  | 'DISCONNECTED'
  /** The device did not answer within `timeout_ms`. */
  | 'TIMEOUT'
  /** The device answered with a Modbus exception (see `exceptionCode`). */
  | 'EXCEPTION'
  /** The answer was malformed (CRC, length, unexpected unit or function). */
  | 'BAD_RESPONSE'
  /** A `--once` cycle or a probe could not read what it was asked to. */
  | 'READ_FAILED'
  /** A `--probe` range or device name is invalid. */
  | 'PROBE_INVALID'
  /** A `configure` request was refused (unknown key or device, a poll interval out of range); nothing was changed. */
  | 'CONFIGURE_INVALID';

/**
 * The error class of `@fieldbridge/bridge-modbus`, on the kit's `BridgeError`: a string `code`, a
 * message saying what to do, and a `cause`.
 */
export class ModbusBridgeError extends BridgeError<ModbusBridgeErrorCode> {
  override readonly name = 'ModbusBridgeError';
  /** The Modbus exception code for `EXCEPTION` errors (2 = illegal data address, ...). */
  readonly exceptionCode: number | undefined;
  /** For a `TIMEOUT` on an RTU line: the answer came after all, this many ms after the request (too late, and dropped). */
  readonly answeredAfterMs: number | undefined;
  /** For a `TIMEOUT` on Modbus TCP: a reply came meanwhile with this transaction id, not the request's, and was dropped. */
  readonly strayTransactionId: number | undefined;

  constructor(code: ModbusBridgeErrorCode, message: string, options?: { cause?: unknown; exceptionCode?: number; answeredAfterMs?: number; strayTransactionId?: number }) {
    super(code, message, options);
    this.exceptionCode = options?.exceptionCode;
    this.answeredAfterMs = options?.answeredAfterMs;
    this.strayTransactionId = options?.strayTransactionId;
  }
}

/** True when `err` is a {@link ModbusBridgeError}, optionally with the given code. */
export function isModbusBridgeError(err: unknown, code?: ModbusBridgeErrorCode): err is ModbusBridgeError {
  return err instanceof ModbusBridgeError && (code === undefined || err.code === code);
}

/** Names of the Modbus exception codes, as the specification spells them. */
export const MODBUS_EXCEPTIONS: Readonly<Record<number, string>> = {
  1: 'ILLEGAL FUNCTION',
  2: 'ILLEGAL DATA ADDRESS',
  3: 'ILLEGAL DATA VALUE',
  4: 'SERVER DEVICE FAILURE',
  5: 'ACKNOWLEDGE',
  6: 'SERVER DEVICE BUSY',
  8: 'MEMORY PARITY ERROR',
  10: 'GATEWAY PATH UNAVAILABLE',
  11: 'GATEWAY TARGET DEVICE FAILED TO RESPOND',
};

/** The name of Modbus exception `code`, e.g. `ILLEGAL DATA ADDRESS` for 2. */
export function exceptionName(code: number): string {
  return MODBUS_EXCEPTIONS[code] ?? `EXCEPTION ${code}`;
}

/**
 * Exception codes a gateway sends for the device behind it (10 GATEWAY PATH UNAVAILABLE, 11
 * GATEWAY TARGET DEVICE FAILED TO RESPOND): the gateway answered, the device did not.
 */
export function isGatewayException(code: number): boolean {
  return code === 10 || code === 11;
}

/**
 * Exception codes that say the device is busy: 6 SERVER DEVICE BUSY, and 5 ACKNOWLEDGE (a long
 * request accepted, to be asked for again later: for a read, the same). Asked again after a wait,
 * not at once (`busy_retries`, `busy_retries_wait`).
 */
export function isBusyException(code: number): boolean {
  return code === 5 || code === 6;
}

/** Exception codes worth another try at once: a gateway's target did not answer it (11), which a second try may reach. */
export function isTransientException(code: number): boolean {
  return code === 11;
}
