import { BridgeError } from '@fieldbridge/core/bridge';

/** Codes carried by {@link OpcuaBridgeError}. */
export type OpcuaBridgeErrorCode =
  /** node-opcua could not be loaded (not installed, or it failed at import). */
  | 'LOAD_FAILED'
  /** The server could not be reached or the channel could not be opened. Worth retrying. */
  | 'CONNECT_FAILED'
  /** No endpoint of the server offers the security mode and policy asked for. */
  | 'SECURITY_UNSUPPORTED'
  /** The server's certificate is not trusted (trust `strict`, or a bad certificate). */
  | 'SERVER_CERTIFICATE_UNTRUSTED'
  /** Trust `tofu`: the server now shows another certificate than the one trusted first. */
  | 'SERVER_CERTIFICATE_CHANGED'
  /** The server refused this client's certificate (it does not trust it yet). */
  | 'CLIENT_CERTIFICATE_REFUSED'
  /** The client certificate in the PKI folder was made for another ApplicationUri. */
  | 'CLIENT_CERTIFICATE_MISMATCH'
  /** The PKI folder or a certificate file cannot be read or written. */
  | 'PKI_FAILED'
  /** The server refused the identity (user name, password or user certificate). */
  | 'AUTH_FAILED'
  /** A node id, namespace URI or browse path is malformed or names nothing on the server. */
  | 'NODE_INVALID'
  /** A request to the server failed (browse, read, create subscription). */
  | 'REQUEST_FAILED'
  /** The operation was abandoned because the client was stopped. */
  | 'STOPPED';

/**
 * The error class of `@fieldbridge/bridge-opcua`, on the kit's `BridgeError`: a string `code`, a
 * message saying what to do, a `cause`, and whether trying again may help.
 */
export class OpcuaBridgeError extends BridgeError<OpcuaBridgeErrorCode> {
  override readonly name = 'OpcuaBridgeError';
  /**
   * True when trying again later may succeed without anyone changing anything (network, server
   * down). A refused certificate is not retryable, but the PKI folders are read again at every
   * attempt, so a slow retry succeeds as soon as someone has moved or deleted the file named.
   */
  readonly retryable: boolean;

  constructor(code: OpcuaBridgeErrorCode, message: string, options?: { cause?: unknown; retryable?: boolean }) {
    super(code, message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.retryable = options?.retryable ?? code === 'CONNECT_FAILED';
  }
}

/** True when `err` is an {@link OpcuaBridgeError}, optionally with the given code. */
export function isOpcuaBridgeError(err: unknown, code?: OpcuaBridgeErrorCode): err is OpcuaBridgeError {
  return err instanceof OpcuaBridgeError && (code === undefined || err.code === code);
}

/** The message of anything thrown, for wrapping into an {@link OpcuaBridgeError}. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
