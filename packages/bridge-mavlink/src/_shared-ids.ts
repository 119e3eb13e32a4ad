import type { ProblemReporter } from '@fieldbridge/core/bridge';
import type { RouteEvent } from './routes.js';

const FIX = 'give each vehicle a system id of its own (SYSID_THISMAV on ArduPilot, MAV_SYS_ID on PX4)';

/** Reboots of one component within {@link REBOOTS_WINDOW_MS} that say two senders share its ids. */
export const REBOOTS_TOLD = 3;
/** A real autopilot takes seconds to boot: three reboots within this long (ms) are not reboots. */
export const REBOOTS_WINDOW_MS = 30_000;

/**
 * Tells two vehicles that send with one system and component id (both left at the default
 * system id 1, the commonest setup mistake with several vehicles) from a vehicle that rebooted:
 * their boot clocks alternate, so the component's clock goes back again and again. Said once per
 * component, with what to change; their frames cannot be told apart, so nothing else changes.
 */
export class SharedIdWatch {
  /** Recent reboot times per component (`sysid * 256 + compid`), at most {@link REBOOTS_TOLD} each. */
  private readonly reboots = new Map<number, number[]>();

  constructor(
    private readonly problems: ProblemReporter,
    private readonly link: string,
  ) {}

  /** A route's heartbeats said another vehicle is behind it (see `_route-witness.ts`): said at once, under the same key as the reboots. */
  heardApart(event: Extract<RouteEvent, { kind: 'route.shared' }>): void {
    const { sysid, compid, route, inUse, why } = event;
    this.problems.report(
      `mavlink.${this.link}.shared-id-${sysid}-${compid}`,
      `${this.link}: system ${sysid}, component ${compid} over ${route} is not the vehicle read from ${inUse}: ${why}: two vehicles (or autopilots) with one system id? Both are read as they come, with their points in one source and its loss wrong: ${FIX}`,
      { sysid, compid, route },
    );
  }

  /** The component's boot clock went back at `atMs`. */
  restarted(sysid: number, compid: number, atMs: number): void {
    const key = sysid * 256 + compid;
    const recent = (this.reboots.get(key) ?? []).filter((at) => atMs - at < REBOOTS_WINDOW_MS);
    recent.push(atMs);
    if (recent.length > REBOOTS_TOLD) recent.shift();
    this.reboots.set(key, recent);
    if (recent.length < REBOOTS_TOLD) return;
    const seconds = Math.round((atMs - recent[0]!) / 100) / 10;
    const within = seconds < 1 ? 'within a second' : `in ${seconds} s`;
    this.problems.report(
      `mavlink.${this.link}.shared-id-${sysid}-${compid}`,
      `${this.link}: system ${sysid}, component ${compid} went back to an earlier boot time ${REBOOTS_TOLD} times ${within}: two vehicles (or autopilots) with one system id? Their frames read as one vehicle rebooting over and over, with their points in one source and its loss wrong: ${FIX}`,
      { sysid, compid },
    );
  }
}
