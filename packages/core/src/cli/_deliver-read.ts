import type { Logger } from 'pino';
import type { Sink } from '../sink/sink-types.js';

/**
 * After a source ran out (a replayed log, a .tlog, a record file), delivers what it read before
 * the run stops: for as long as delivery makes progress, not within the stop's time budget, which
 * is for signals (a container's stop timeout). A capture read faster than the receiver takes it
 * (an hour of CAN replayed fast: five million points) took longer than the 8 s budget to
 * deliver, and with a memory spool the rest was lost although nothing had failed.
 *
 * Gives up when a whole `stallMs` (the file's `shutdown_timeout_ms`) passes with nothing
 * delivered (the receiver down, or refusing the key): the stop that follows says what is left.
 * Returns as soon as `stopping()` (a signal came: the stop it started takes over).
 */
export async function deliverWhatWasRead(sink: Sink, stallMs: number, stopping: () => boolean, logger: Logger): Promise<void> {
  await sink.spooled();
  let held = sink.status().spool.points;
  for (;;) {
    if (stopping()) return;
    try {
      await sink.flush({ timeoutMs: stallMs });
      return;
    } catch {
      // FLUSH_TIMEOUT: what matters is whether anything went in that time.
    }
    const left = sink.status().spool.points;
    if (stopping() || left >= held) return;
    logger.info(`delivering what was read: ${left} points to go`);
    held = left;
  }
}
