import { pino } from 'pino';
import { isCodedError } from '../errors.js';
import { excerpt } from './text.js';

/** An expected error as a log line carries it: no stack, its message says it all. */
export interface LoggedCodedError {
  type: string;
  code: string;
  message: string;
  /** The message of its cause, when it has one (the system error under a connection failure). */
  cause?: string;
}

/**
 * How the logs carry an error (pino's `err` serializer, set on every logger `createLogger`
 * makes): an expected, coded error (`isCodedError`: a `FieldbridgeError` or a bridge's) with
 * its type, `code` and message, and its cause's message, without a stack, since its message says
 * what happened and what to do; anything else (a bug) as pino does, with its stack and its
 * causes' stacks.
 */
export function serializeError(err: unknown): unknown {
  if (!isCodedError(err)) return pino.stdSerializers.err(err as Error);
  const cause = err.cause instanceof Error ? err.cause.message : err.cause === undefined ? undefined : String(err.cause);
  const out: LoggedCodedError = { type: err.name, code: err.code, message: err.message };
  if (cause !== undefined && cause !== '') out.cause = cause;
  return out;
}

/** The serializers of the loggers fieldbridge makes: `{ err }` through {@link serializeError}. */
export const LOG_SERIALIZERS = { err: serializeError } as const;

/**
 * An error in a few words, for a line about something else (`b.yaml failed (NO_BLUETOOTH)`): an
 * expected error's code, else its type and message, cut to 200 characters.
 */
export function errorInBrief(err: unknown): string {
  if (isCodedError(err)) return err.code;
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return excerpt(text, 200);
}
