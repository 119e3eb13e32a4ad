import type { ProblemReporter } from '@fieldbridge/core/bridge';
import type { LinkSpec } from './link-url.js';
import type { ParseCounts } from './parse-problems.js';
import { UNCHECKED_KINDS } from './_noise.js';

/**
 * Bytes read without one MAVLink frame among them that say the link carries no MAVLink as it is
 * read. A sender at the rate the port reads puts a whole frame (at most 280 bytes) into any 600
 * bytes even when half its bytes are damaged; a radio at another baud rate gives none at all.
 */
export const NO_FRAME_BYTES = 4096;

/**
 * Watches a live link until its first frame: once {@link NO_FRAME_BYTES} bytes have come and
 * every one was unreadable (garbage, failed checksums, frames cut short or of unknown ids: not
 * frames refused for their signature, which are MAVLink), says once what to check (on a serial
 * port the baud rate first). The first frame resolves it, and the watch ends there.
 */
export class NoFrameWatch {
  private done = false;
  private reported = false;

  constructor(
    private readonly problems: ProblemReporter,
    private readonly key: string,
    private readonly name: string,
    private readonly link: LinkSpec,
  ) {}

  /** After a read: `counts` gives the reader's totals (called only until the first frame). */
  read(counts: () => ParseCounts): void {
    if (this.done) return;
    const c = counts();
    if (c.frames > 0) {
      this.done = true;
      if (this.reported) this.problems.resolve(this.key, `${this.name}: MAVLink frames read`);
      return;
    }
    if (this.reported || c.bytes < NO_FRAME_BYTES) return;
    const refused = Object.entries(c.problems).some(([kind, n]) => n > 0 && !UNCHECKED_KINDS.has(kind));
    if (refused) return;
    this.reported = true;
    this.problems.report(this.key, `${this.name}: ${c.bytes.toLocaleString('en-US')} bytes read and not one MAVLink frame among them: ${this.advice()}; bridge-mavlink --scan lists what is heard`);
  }

  private advice(): string {
    if (this.link.kind === 'serial') {
      return `the radio or autopilot sends at another baud rate than the ${this.link.baudRate} this port reads at (a SiK or RFD telemetry radio, and an autopilot's TELEM port, run at 57600 unless set otherwise; 115200 and 921600 are usual too: set ?baud= to the sender's), or the device on this port does not speak MAVLink (a GPS, an RC receiver)`;
    }
    return 'what sends to this port is not MAVLink (another protocol, a video stream), or its frames are damaged on the way';
  }
}
