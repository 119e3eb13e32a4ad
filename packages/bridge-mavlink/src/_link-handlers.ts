// What the source does with what its link reports: bytes read into points, TCP clients coming
// and going, the link's states (a replay's end among them).
import type { ReplayEnd } from './_replay.js';
import type { NoFrameWatch } from './_no-frames.js';
import type { SourceState } from './_source-state.js';
import { clientLine } from './client-line.js';
import { MavlinkBridgeError } from './errors.js';
import type { LinkHandlers } from './link.js';
import { noTlogFramesMessage } from './tlog.js';

/** The handlers the source's link calls; `flow` runs after each chunk (see `createFlowControl`). */
export function createLinkHandlers(state: SourceState, replay: ReplayEnd, noFrames: NoFrameWatch | undefined, flow: () => void): LinkHandlers {
  const { ctx, name, config, vehicles, linkChannel } = state;
  return {
    data(chunk) {
      const { reader, delivery } = state;
      if (!reader || !delivery) return;
      state.metrics.bytes(chunk.bytes.length);
      // A datagram held through a reload is read as arrived when it did.
      const waited = chunk.waitedMs ?? 0;
      state.lastBytesAt = ctx.clock.monotonicNow() - waited;
      if (state.silentSince !== undefined) {
        state.silentSince = undefined;
        ctx.problems.resolve(`mavlink.${name}.silent`, `${name}: bytes arrive`);
      }
      const recorded = chunk.recordedAtMs;
      const atMs = recorded ?? ctx.clock.now() - waited;
      const filterAt = recorded ?? state.lastBytesAt;
      delivery.read(reader.read(chunk.bytes, atMs, { datagram: chunk.datagram, stream: chunk.stream, route: chunk.peer }), filterAt);
      noFrames?.read(() => reader.counts());
      // A replay's clock is its recorded time: link timeouts follow it, not the wall clock.
      if (recorded !== undefined) delivery.events(reader.check(recorded));
      flow();
    },
    client(event) {
      const said = `${name}: ${clientLine(event)}`;
      if (event.kind === 'connected') {
        ctx.problems.resolve(`mavlink.${name}.clients`);
        ctx.logger.info({ channel: name, peer: event.peer, clients: event.clients }, said);
      } else if (event.kind === 'disconnected') {
        // Its bytes end here: a frame it cut short is counted now, not joined to its next connection's.
        if (state.reader && state.delivery && event.stream !== undefined) state.delivery.read(state.reader.end(ctx.clock.now(), event.stream), ctx.clock.monotonicNow());
        ctx.logger.info({ channel: name, peer: event.peer, clients: event.clients }, said);
      } else {
        ctx.metrics.error(name, 'too_many_clients');
        ctx.problems.report(`mavlink.${name}.clients`, said);
      }
    },
    state(linkState, detail) {
      if (linkState === 'open') {
        vehicles.transportOpen();
        if (state.lastBytesAt === 0) state.silentSince = ctx.clock.monotonicNow();
        return;
      }
      const { reader, delivery } = state;
      if (!reader || !delivery) return;
      if (linkState === 'reconnecting') {
        // The next bytes start a new stream: what the parser held is settled now.
        delivery.read(reader.end(ctx.clock.now()), ctx.clock.monotonicNow());
        vehicles.transportDown(detail ?? 'disconnected');
      } else if (linkState === 'ended') {
        delivery.read(reader.end(ctx.clock.now()), ctx.clock.monotonicNow());
        vehicles.closeAll('the replay ended');
        const { frames } = reader.counts();
        if (frames === 0 && !state.replayed?.before) {
          replay.failed(new MavlinkBridgeError('TLOG_READ', noTlogFramesMessage(config.connection.kind === 'tlog' ? config.connection.path : name, state.link?.stats().chunks ?? 0, detail)));
          return;
        }
        vehicles.transportDown('the replay ended');
        const before = state.replayed?.before ? ` (after the ${state.replayed.before.toLocaleString('en-US')} records delivered before a reload)` : '';
        replay.end(`${name} replayed to its end: ${frames} frame${frames === 1 ? '' : 's'}${before}${detail ? `; ${detail}` : ''}`);
      } else if (linkState === 'closed' && !state.stopping) {
        if (config.connection.kind === 'tlog') replay.failed(new MavlinkBridgeError('TLOG_READ', detail ?? 'the replay stopped'));
        else linkChannel.set('failed', detail ?? 'closed');
      }
    },
  };
}
