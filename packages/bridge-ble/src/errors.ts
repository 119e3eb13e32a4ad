import { BridgeError } from '@fieldbridge/core/bridge';

/** Codes carried by {@link BleBridgeError}. */
export type BleBridgeErrorCode =
  /** An option is invalid: a bind key that is not 32 hex digits, a custom slice past its data, ... */
  | 'CONFIG'
  /** The kernel has no Bluetooth support (socket() failed with EAFNOSUPPORT). */
  | 'NO_BLUETOOTH'
  /** The process may not open a raw HCI socket (EPERM/EACCES, or the adapter reported `unauthorized`). */
  | 'NO_PERMISSION'
  /** No Bluetooth adapter was found (ENODEV), or it never reported a state. */
  | 'NO_ADAPTER'
  /** The adapter does not support Bluetooth Low Energy (noble state `unsupported`). */
  | 'UNSUPPORTED_ADAPTER'
  /** A GATT connection could not be made or was lost during setup. */
  | 'CONNECT_FAILED'
  /** A GATT operation (connect, discovery, read, subscribe) got no answer in time. */
  | 'GATT_TIMEOUT'
  /** A replay or record file could not be opened, read or written. */
  | 'FILE'
  /** The scanner, client or replay was closed while the operation waited. */
  | 'CLOSED';

/**
 * The error class of `@fieldbridge/bridge-ble`, on the kit's `BridgeError`: a string `code`, a
 * message saying what to do, and a `cause`.
 */
export class BleBridgeError extends BridgeError<BleBridgeErrorCode> {
  override readonly name = 'BleBridgeError';
}

/** True when `err` is a {@link BleBridgeError}, optionally with the given code. */
export function isBleBridgeError(err: unknown, code?: BleBridgeErrorCode): err is BleBridgeError {
  return err instanceof BleBridgeError && (code === undefined || err.code === code);
}
