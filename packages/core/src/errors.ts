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
