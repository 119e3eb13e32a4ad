import type { ProblemReporter } from '@fieldbridge/core/bridge';

/** The longest wait between the tries of a silent device, unless its poll_ms is longer. */
const SILENT_MAX_WAIT_MS = 30_000;

/**
 * Whether a device is silent (a whole cycle brought nothing but timeouts: a unit switched off, a
 * wrong unit id) and how long to wait before asking it again: its poll_ms, doubling while it stays
 * silent up to 30 s (or poll_ms when longer), as Kepware demotes a device. Said once per silence.
 */
export class Silence {
  /** Cycles in a row that brought nothing but timeouts. */
  private cycles = 0;

  constructor(
    private readonly problems: ProblemReporter,
    private readonly key: string,
    private readonly label: string,
    private readonly device: string,
  ) {}

  /** True while the device is silent: ask it with one request, one try. */
  get silent(): boolean {
    return this.cycles > 0;
  }

  /** From one cycle's start to the next. */
  waitMs(pollMs: number): number {
    if (this.cycles === 0) return pollMs;
    return Math.min(pollMs * 2 ** Math.min(this.cycles, 20), Math.max(pollMs, SILENT_MAX_WAIT_MS));
  }

  /** After a cycle that asked the device: `answered` requests had an answer, `timedOut` some did not. */
  note(answered: number, timedOut: boolean, pollMs: number): void {
    if (answered > 0) {
      if (this.cycles > 0) this.problems.resolve(this.key, `${this.label} answers again; polled every ${pollMs} ms`);
      this.cycles = 0;
      return;
    }
    if (!timedOut) return;
    this.cycles += 1;
    if (this.cycles === 1) {
      const most = Math.round(Math.max(pollMs, SILENT_MAX_WAIT_MS) / 1000);
      this.problems.report(this.key, `${this.label} answers nothing: asked with one request, one try, at waits doubling up to ${most} s until it answers, so that it does not hold up its line`, { device: this.device });
    }
  }
}
