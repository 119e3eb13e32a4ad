/** Machine-readable codes carried by {@link GatewayError}. */
export type GatewayErrorCode =
  | 'OPTIONS_INVALID'
  | 'FAULTS_INVALID'
  | 'LINE_PROTOCOL_INVALID'
  | 'LISTEN_FAILED'
  | 'CONTROL_INVALID'
  | 'NO_DEVICE';

/** The one error class of `@fieldbridge/gateway-dev`: a string `code`, a message saying what to do, and a `cause`. */
export class GatewayError extends Error {
  readonly code: GatewayErrorCode;

  constructor(code: GatewayErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GatewayError';
    this.code = code;
  }
}

/** True when `err` is a {@link GatewayError}, optionally with the given code. */
export function isGatewayError(err: unknown, code?: GatewayErrorCode): err is GatewayError {
  return err instanceof GatewayError && (code === undefined || err.code === code);
}
