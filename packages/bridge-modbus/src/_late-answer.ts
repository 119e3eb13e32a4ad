/** A port that hands modbus-serial one framed answer per `data` event (its RTU buffered port and its telnet port do). */
export interface FramedPort {
  on(event: 'data', listener: (frame: Buffer) => void): void;
}

/**
 * Watches an RTU-framed line (a serial port, or RTU over TCP) for the answer to a request that
 * already timed out. An RTU answer does not say which request it answers, only the unit and the
 * function, and modbus-serial takes the first frame from that unit and function with the length
 * it expects: a late answer arriving while the next request of the same length waits would be
 * taken for that request's answer, and every answer after it would land one request late (the
 * values of holding 0 read as those of holding 50). So after a timeout the line waits for the
 * late answer, which the port then consumes, before it asks anything else. Modbus TCP needs none
 * of this: its transaction ids tell answers apart.
 */
export class LateAnswerWatch {
  private waiter: (() => void) | undefined;

  constructor(port: FramedPort) {
    port.on('data', () => this.waiter?.());
  }

  /**
   * Resolves with the ms since `sentAt` (a `performance.now()` reading) when a frame arrives
   * within `graceMs`, or with undefined when none did. `cancel` (a lost connection) ends the
   * wait at once.
   */
  wait(sentAt: number, graceMs: number, cancel: AbortSignal): Promise<number | undefined> {
    return new Promise((resolve) => {
      const done = (answeredAfterMs: number | undefined): void => {
        clearTimeout(timer);
        this.waiter = undefined;
        cancel.removeEventListener('abort', onAbort);
        resolve(answeredAfterMs);
      };
      const onAbort = (): void => done(undefined);
      const timer = setTimeout(() => done(undefined), graceMs);
      this.waiter = () => done(Math.round(performance.now() - sentAt));
      if (cancel.aborted) done(undefined);
      else cancel.addEventListener('abort', onAbort, { once: true });
    });
  }
}
