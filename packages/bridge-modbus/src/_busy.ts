import { setTimeout as sleep } from 'node:timers/promises';
import type { ProblemReporter } from '@fieldbridge/core/bridge';
import type { ResolvedDevice } from './resolve.js';
import { exceptionName, isBusyException, isModbusBridgeError, ModbusBridgeError } from './errors.js';

/** How a busy device is asked again: `busy_retries` and `busy_retries_wait` of its mapping. */
export interface BusyPolicy {
  /** Extra tries of a read answered busy. */
  retries: number;
  /** Wait before each of them, in ms. */
  waitMs: number;
}

/** A device's busy keys as a policy. */
export function busyPolicy(device: Pick<ResolvedDevice, 'busyRetries' | 'busyRetriesWaitMs'>): BusyPolicy {
  return { retries: device.busyRetries, waitMs: device.busyRetriesWaitMs };
}

/**
 * How a device that answers busy (exception 6 SERVER DEVICE BUSY, or 5 ACKNOWLEDGE, which for a
 * read means the same: asked too soon) is asked again, as Telegraf's `busy_retries` does: after a
 * wait, never at once, since an immediate retry only adds to what keeps the device busy (and on
 * RTU holds up the whole line). The wait is outside the line's queue, so its other units are
 * served meanwhile. A read still busy after its tries is given up until the next poll; once one
 * read of a poll was, the device's other reads of that poll are asked once each, so a device busy
 * for ever costs at most `retries` waits per poll. Said once per episode, which ends with a poll
 * that gave no read up.
 */
export class Busy {
  /** A read of the current poll stayed busy through all its tries. */
  private gaveUp = false;

  constructor(
    private readonly problems: ProblemReporter,
    private readonly key: string,
    private readonly label: string,
    private readonly device: string,
    private readonly policy: BusyPolicy,
    /** Aborts when the poller stops: a wait ends at once and the read is not asked again. */
    private readonly signal: AbortSignal,
  ) {}

  /** A poll starts: each of its reads gets its tries again. */
  startCycle(): void {
    this.gaveUp = false;
  }

  /** Whether a read the device answered busy `answers` times in this poll is asked again, after {@link wait}. */
  mayRetry(answers: number): boolean {
    return !this.gaveUp && answers <= this.policy.retries && !this.signal.aborted;
  }

  /**
   * Waits `busy_retries_wait`: never less, measured on the monotonic clock (a timer may fire a
   * little early); ends early when the poller stops.
   */
  async wait(): Promise<void> {
    const until = performance.now() + this.policy.waitMs;
    for (let left = this.policy.waitMs; left > 0 && !this.signal.aborted; left = until - performance.now()) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          this.signal.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, Math.ceil(left));
        this.signal.addEventListener('abort', done, { once: true });
      });
    }
  }

  /**
   * A read answered busy (`code`) `answers` times in this poll and is given up until the next:
   * reported (logged once per episode); returns what the poll's errors say of it.
   */
  giveUp(what: string, code: number, answers: number): string {
    const first = !this.gaveUp;
    this.gaveUp = true;
    const { retries, waitMs } = this.policy;
    const tries = answers === 1 ? (first ? '1 try (busy_retries 0)' : '1 try, busy through an earlier read of this poll') : `${answers} tries ${waitMs} ms apart`;
    const said = `${what} answered exception ${code} ${exceptionName(code)} to ${tries}; asked again at the next poll`;
    this.problems.report(
      this.key,
      `${this.label} is busy: ${said}; while it is, each poll asks a read busy_retries ${retries} more times ${waitMs} ms apart (busy_retries_wait), the other reads of that poll once`,
      { device: this.device, exception: exceptionName(code) },
    );
    return said;
  }

  /** After a poll the device answered: one that gave no read up ends the episode. */
  endCycle(): void {
    if (!this.gaveUp) this.problems.resolve(this.key, `${this.label} is no longer busy: its reads are answered again`);
  }
}

/**
 * One read for a command that asks once (`--probe`): a busy answer is asked again as a poll would
 * ask it, after `waitMs`, at most `retries` more times. A read still busy rejects with the
 * exception, its message saying how often it was asked and what to change.
 */
export async function readWhileBusy<T>(read: () => Promise<T>, policy: BusyPolicy): Promise<T> {
  for (let answers = 1; ; answers++) {
    try {
      return await read();
    } catch (err) {
      const code = isModbusBridgeError(err, 'EXCEPTION') ? (err.exceptionCode ?? 0) : 0;
      if (!isBusyException(code)) throw err;
      if (answers > policy.retries) {
        const tries = answers === 1 ? 'asked once (busy_retries 0)' : `asked ${answers} times ${policy.waitMs} ms apart`;
        const message = `${(err as Error).message}: busy through every try, ${tries}; try again, or give the device more time with busy_retries and busy_retries_wait`;
        throw new ModbusBridgeError('EXCEPTION', message, { cause: err, exceptionCode: code });
      }
      await sleep(policy.waitMs);
    }
  }
}
