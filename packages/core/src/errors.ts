/** Machine-readable codes carried by {@link FieldbridgeError}. */
export type FieldbridgeErrorCode =
  | 'CONFIG_INVALID'
  | 'CONFIG_NOT_FOUND'
  | 'CONFIG_ENV_MISSING'
  | 'OPTIONS_INVALID'
  | 'SPOOL_LOCKED'
  | 'SPOOL_UNUSABLE'
  | 'SPOOL_FULL'
  | 'SINK_CLOSED'
  | 'FLUSH_TIMEOUT'
  | 'TRANSPORT_UNAUTHORIZED'
  | 'PROXY_REFUSED'
  | 'PROXY_FAILED'
  | 'CONFIGURE_UNSUPPORTED'
  | 'BRIDGE_FAILED'
  | 'OBSERVE_FAILED'
  | 'EXPRESSION_INVALID'
  | 'EXPRESSION_NOT_FINITE';

/** The one error class of `@fieldbridge/core`: a string `code`, a message saying what to do, and a `cause`. */
export class FieldbridgeError extends Error {
  readonly code: FieldbridgeErrorCode;

  constructor(code: FieldbridgeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FieldbridgeError';
    this.code = code;
  }
}

/** True when `err` is a {@link FieldbridgeError}, optionally with the given code. */
export function isFieldbridgeError(err: unknown, code?: FieldbridgeErrorCode): err is FieldbridgeError {
  return err instanceof FieldbridgeError && (code === undefined || err.code === code);
}

/**
 * The base of every bridge's error class: a string `code` a program can switch on, a message that
 * says what to do, and the `cause`. A bridge declares its codes and subclasses it once:
 *
 * ```ts
 * export type CanBridgeErrorCode = 'DBC_INVALID' | 'INTERFACE_MISSING';
 * export class CanBridgeError extends BridgeError<CanBridgeErrorCode> {
 *   override readonly name = 'CanBridgeError';
 * }
 * ```
 */
export class BridgeError<C extends string = string> extends Error {
  readonly code: C;

  constructor(code: C, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BridgeError';
    this.code = code;
  }
}

/** True when `err` is a {@link BridgeError} (of any bridge), optionally with the given code. */
export function isBridgeError<C extends string = string>(err: unknown, code?: C): err is BridgeError<C> {
  return err instanceof BridgeError && (code === undefined || err.code === code);
}

/**
 * True for an expected error: a {@link FieldbridgeError} or a bridge's {@link BridgeError}, whose
 * code and message say what happened and what to do (a device that does not answer, no Bluetooth
 * on this host). Anything else is a fault of the program, whose stack matters.
 */
export function isCodedError(err: unknown): err is FieldbridgeError | BridgeError {
  return err instanceof FieldbridgeError || err instanceof BridgeError;
}
