import { BridgeError } from '@fieldbridge/core/bridge';

/** Codes carried by {@link MavlinkBridgeError}. */
export type MavlinkBridgeErrorCode =
  /** A `connection` URL could not be understood (the message says which form is expected). */
  | 'BAD_CONNECTION'
  /** The dialect's message tables could not be loaded from node-mavlink. */
  | 'DIALECT'
  /** A message selection names a message, field, unit or enum that does not exist (see `issues`). */
  | 'BAD_MESSAGES'
  /** A signing key is not 32 bytes. */
  | 'BAD_KEY'
  /** A socket, serial port or file could not be opened. */
  | 'OPEN_FAILED'
  /** Bytes could not be sent (the link is closed, or the socket refused them). */
  | 'SEND_FAILED'
  /** A `.tlog` file could not be read. */
  | 'TLOG_READ';

/** One refusal inside a message selection: where it is (`['ATTITUDE', 2, 'to']`) and why. */
export interface SelectionIssue {
  path: (string | number)[];
  message: string;
  /** About the key itself (an unknown message name): located at the key, not its value. */
  atKey?: boolean;
}

/**
 * The error class of `@fieldbridge/bridge-mavlink`, on the kit's `BridgeError`: a string `code`,
 * a message saying what to do, and a `cause`.
 */
export class MavlinkBridgeError extends BridgeError<MavlinkBridgeErrorCode> {
  override readonly name = 'MavlinkBridgeError';
  /** For `BAD_MESSAGES`: every refusal found, not only the first. */
  readonly issues: readonly SelectionIssue[];

  constructor(code: MavlinkBridgeErrorCode, message: string, options?: { cause?: unknown; issues?: SelectionIssue[] }) {
    super(code, message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.issues = options?.issues ?? [];
  }
}

/** True when `err` is a {@link MavlinkBridgeError}, optionally with the given code. */
export function isMavlinkBridgeError(err: unknown, code?: MavlinkBridgeErrorCode): err is MavlinkBridgeError {
  return err instanceof MavlinkBridgeError && (code === undefined || err.code === code);
}
