import { OpcuaBridgeError } from './errors.js';

/** Thrown by {@link withDeadline} when time runs out (the connect classifier reads it as a timeout). */
export class DeadlineError extends Error {
  constructor(what: string, ms: number) {
    super(`${what} timed out after ${ms} ms`);
    this.name = 'DeadlineError';
  }
}

/**
 * Settles like `work`, or rejects with a {@link DeadlineError} after `ms`, or with `STOPPED` as
 * soon as `signal` aborts. The work itself is not cancelled: the caller tears down what it
 * started (node-opcua has no cancellation of its own).
 */
export function withDeadline<T>(work: Promise<T>, ms: number, what: string, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal?.aborted) {
      work.catch(() => undefined);
      reject(stopped(what));
      return;
    }
    const onAbort = (): void => {
      cleanup();
      reject(stopped(what));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new DeadlineError(what, ms));
    }, ms);
    const cleanup = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        cleanup();
        resolve(value);
      },
      (err: unknown) => {
        cleanup();
        reject(err);
      },
    );
  });
}

function stopped(what: string): OpcuaBridgeError {
  return new OpcuaBridgeError('STOPPED', `${what} abandoned: the client was stopped`, { retryable: false });
}

/** Runs `work` for at most `ms`, swallowing its failure: for teardown that must not hang a stop. */
export async function settleWithin(work: () => Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.resolve()
      .then(work)
      .catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}
