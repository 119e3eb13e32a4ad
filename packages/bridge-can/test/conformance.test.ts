import { fileURLToPath } from 'node:url';
import { describeBridgeConformance, type ConformancePeer } from '@fieldbridge/core/testing';
import { canBridge } from '../src/bridge.js';
import { VEHICLE_DBC_PATH, writeDriveLog } from './helpers/drive-log.js';

type LogPeer = ConformancePeer & { path?: string };

// The host has no SocketCAN, so the peer here is a capture: a candump log of the simulated
// drive, replayed at its recorded pace (about 330 frames a second, for a minute) as a live bus
// would deliver it. SocketCAN itself runs the same checks through the whole bridge inside
// User-Mode Linux (socketcan-uml.test.ts): frames flow, the interface going down is reported
// and recovered, stop is prompt, --once delivers.
describeBridgeConformance('bridge-can replaying a candump log at its recorded pace', {
  definition: canBridge,
  async startPeer(): Promise<LogPeer> {
    const log = await writeDriveLog({ durationMs: 60_000 });
    return { path: log.path, close: log.close };
  },
  section: (peer) => ({
    interface: `file:${(peer as LogPeer).path ?? 'capture.log'}`,
    dbc: VEHICLE_DBC_PATH,
    replay: { pace: 'recorded' },
  }),
  lazy: { entry: '@fieldbridge/bridge-can', modules: ['socketcan'], cwd: fileURLToPath(new URL('..', import.meta.url)) },
});
