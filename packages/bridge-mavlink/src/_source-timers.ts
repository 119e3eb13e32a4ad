// The source's timers: link timeouts, quiet streams settled, a link that never heard a byte, and
// the heartbeats the bridge sends.
import type { Delivery } from './_deliver.js';
import { startHeartbeats } from './_heartbeat.js';
import type { SourceState } from './_source-state.js';
import type { MavlinkReader } from './reader.js';

/**
 * A byte stream (tcp, serial) quiet this long has its held bytes settled as if it had ended. A
 * sender writes whole frames, so a pause this long inside one means it was cut.
 */
const SETTLE_QUIET_MS = 1000;

/** Starts the timers of a started source; returns what clears each. */
export function startSourceTimers(state: SourceState, r: MavlinkReader, d: Delivery): (() => void)[] {
  const { ctx, config, name } = state;
  const timers: (() => void)[] = [];
  if (config.connection.kind !== 'tlog') {
    const everyMs = Math.min(1000, Math.max(50, config.linkTimeoutMs / 4));
    const check = setInterval(() => {
      d.events(r.check(ctx.clock.now()));
      // The parser may hold a whole frame while it waits for the bytes after it (a signed
      // frame with a start byte among its signature bytes could have been cut there). A
      // stream that has gone quiet sends none: settle it, rather than hold the frame until the
      // vehicle speaks again (a mode change could wait for minutes).
      if (r.held() > 0 && ctx.clock.monotonicNow() - state.lastBytesAt >= SETTLE_QUIET_MS) d.read(r.end(ctx.clock.now()), ctx.clock.monotonicNow());
      // A link open for two link timeouts that never heard a byte: most likely the wrong port,
      // or a sender that does not send here. Said once, resolved by the first bytes.
      const silentSince = state.silentSince;
      if (silentSince !== undefined && ctx.clock.monotonicNow() - silentSince >= 2 * config.linkTimeoutMs) {
        const seconds = Math.round((ctx.clock.monotonicNow() - silentSince) / 100) / 10;
        ctx.problems.report(`mavlink.${name}.silent`, `${name}: nothing heard for ${seconds} s since it opened: does the vehicle (or its router: mavlink-router, MAVProxy --out) send to this address and port? bridge-mavlink --scan listens and lists what it hears`);
      }
    }, everyMs);
    check.unref();
    timers.push(() => clearInterval(check));
  }
  const hb = config.heartbeat;
  if (hb) {
    timers.push(
      startHeartbeats({
        link: () => state.link,
        intervalMs: hb.intervalMs,
        sysid: hb.sysid,
        compid: hb.compid,
        signing: config.signing,
        now: () => ctx.clock.now(),
        failed: (err) => {
          ctx.metrics.error(name, 'send_failed');
          ctx.problems.report(`mavlink.${name}.send`, `${name}: could not send a heartbeat: ${(err as Error).message}`);
        },
        sent: () => ctx.problems.resolve(`mavlink.${name}.send`),
      }),
    );
  }
  return timers;
}
