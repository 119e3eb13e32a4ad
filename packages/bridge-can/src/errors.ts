import { BridgeError } from '@fieldbridge/core/bridge';

/** Codes carried by {@link CanBridgeError}. */
export type CanBridgeErrorCode =
  /** A DBC file could not be read: missing, unreadable, or larger than the size limit. */
  | 'DBC_READ_FAILED'
  /** A candump log file could not be opened or read. */
  | 'LOG_READ_FAILED'
  /** The encoder was given a signal the message does not have, or a value its bits cannot hold. */
  | 'ENCODE_FAILED'
  /** The `socketcan` package could not be loaded, or the kernel has no SocketCAN (no AF_CAN). */
  | 'SOCKETCAN_UNAVAILABLE'
  /** No network interface of that name exists (`ip link show <name>` would say the same). */
  | 'INTERFACE_NOT_FOUND'
  /** The interface went down or away while it was being read. */
  | 'INTERFACE_STOPPED'
  /** A `can:` section the mapping checks (`checkCan`) would refuse was given to the bridge directly. */
  | 'MAPPING_INVALID';

/**
 * The error class of `@fieldbridge/bridge-can`, on the kit's `BridgeError`: a string `code`, a
 * message saying what to do, and a `cause`.
 */
export class CanBridgeError extends BridgeError<CanBridgeErrorCode> {
  override readonly name = 'CanBridgeError';
}

/** True when `err` is a {@link CanBridgeError}, optionally with the given code. */
export function isCanBridgeError(err: unknown, code?: CanBridgeErrorCode): err is CanBridgeError {
  return err instanceof CanBridgeError && (code === undefined || err.code === code);
}
