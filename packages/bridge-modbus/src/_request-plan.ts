import { describeRequest, type ReadRequest } from './plan.js';
import type { ResolvedPoint } from './resolve.js';

type Request = ReadRequest<ResolvedPoint>;

/**
 * The requests a device's poll sends: the mapping's plan, with the cuts made where the device
 * refused a merged read (ILLEGAL DATA ADDRESS or VALUE). The cuts hold while the device is the
 * same one; when it may not be (it answers again after a silence, or its line reconnected: a
 * restarted, replaced or updated device may map other registers or take longer reads), the next
 * poll goes back to the mapping's plan, so a device that now takes a merged read is read with it
 * rather than in parts until the bridge restarts. One that still refuses it is cut again in that
 * poll, at one refused request per cut, and nothing is lost meanwhile: every point is asked.
 */
export class RequestPlan {
  /** The mapping's requests. */
  private readonly planned: readonly Request[];
  /** What a poll sends: one array for the whole run, so a status view of it stays current. */
  readonly requests: Request[];
  private cut = false;
  /** Why the next poll goes back to the mapping's requests, if it does. */
  private pending: string | undefined;

  /** `say` logs that the cuts were undone, and why. */
  constructor(planned: Request[], private readonly say: (message: string) => void) {
    this.planned = [...planned];
    this.requests = planned;
  }

  /** Replaces the request at `index` with its two halves. */
  split(index: number, halves: [Request, Request]): void {
    this.requests.splice(index, 1, ...halves);
    this.cut = true;
  }

  /** The device may have changed (`why`: `its line reconnected`): the next poll reads as the mapping plans. */
  deviceMayHaveChanged(why: string): void {
    if (this.cut) this.pending = why;
  }

  /** Before a poll: undoes the cuts when the device may have changed since they were made. */
  beforePoll(): void {
    const why = this.pending;
    this.pending = undefined;
    if (why === undefined || !this.cut) return;
    const current = new Set(this.requests);
    const restored = this.planned.filter((r) => !current.has(r));
    this.requests.splice(0, this.requests.length, ...this.planned);
    this.cut = false;
    const one = restored.length === 1 ? 'in one request' : 'each in one request';
    this.say(`${why}: reading ${restored.map(describeRequest).join(', ')} ${one} again, as the mapping plans, not in the parts it was cut into when refused (cut again if still refused)`);
  }
}
