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
