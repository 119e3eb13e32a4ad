/**
 * The silence an RTU line keeps between frames: 3.5 character times, a character being 11 bits
 * as the Modbus serial line specification frames it (start, 8 data bits, parity or a second stop
 * bit, stop), and a fixed 1.75 ms above 19200 baud. Receivers find where a frame starts by this
 * silence, so a request sent sooner after the last answer is heard by every unit on the bus as
 * the tail of that answer, and goes unanswered.
 */
export function rtuFrameGapMs(baudRate: number): number {
  return baudRate > 19_200 ? RTU_MIN_FRAME_GAP_MS : (3.5 * 11 * 1000) / baudRate;
}

/** The shortest silence any RTU line needs: the fixed gap above 19200 baud (longer at lower speeds). */
export const RTU_MIN_FRAME_GAP_MS = 1.75;

/** Keeps a serial line quiet for the frame gap after each exchange, before the next request goes out. */
export class FrameGap {
  /** performance.now() before which nothing may be sent. */
  private quietUntil = 0;

  constructor(private readonly gapMs: number) {}

  /** The exchange on the line just ended (an answer came, or the wait for one ended). */
  ended(): void {
    this.quietUntil = performance.now() + this.gapMs;
  }

  /** Resolves once the line has been quiet for the gap. */
  async quiet(): Promise<void> {
    for (let left = this.quietUntil - performance.now(); left > 0; left = this.quietUntil - performance.now()) {
      await new Promise((resolve) => setTimeout(resolve, Math.ceil(left)));
    }
  }
}
