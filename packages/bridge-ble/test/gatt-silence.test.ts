import { trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import type { SimulatedDevice } from '../src/sim/sim-device.js';
import { ManualTimers } from './helpers/manual-timers.js';
import { handled, sourceUnderTest, T0 } from './helpers/source.js';

const track = trackCleanups();
const STRAP = 'f0:0d:ca:fe:00:01';

function strap(): SimulatedDevice {
  return {
    address: STRAP,
    name: 'HRM-Pro',
    advertise: () => ({ serviceUuids: ['180d'] }),
    services: [{ uuid: '180f', characteristics: [{ uuid: '2a19', properties: ['read'], read: () => Uint8Array.of(87) }] }],
  };
}

describe('a GATT device out of range', () => {
  it('is silent once, not present again at each connection attempt that fails', async () => {
    const timers = new ManualTimers();
    const s = sourceUnderTest(
      { silent_after_s: 60, reconnect: { initial_ms: 1000, max_ms: 1000 }, gatt: { connect_timeout_ms: 5000 }, devices: [{ name: 'strap', address: STRAP, decoder: 'gatt', characteristics: [{ uuid: '2a19', mode: 'read', interval_ms: '1h' }] }] },
      [strap()],
      { timers },
    );
    track.defer(() => s.source.stop());
    const { t, sim, source, setNow } = s;
    await source.start();
    sim.advertise();
    await t.waitFor(() => t.channels().strap?.state === 'connected', 'connected');
    sim.setReachable(STRAP, false);
    sim.dropConnection(STRAP);
    await t.waitFor(() => t.channels().strap?.state === 'disconnected', 'the drop');
    for (let second = 1; second <= 300; second++) {
      setNow(T0 + second * 1000);
      timers.advance(1000);
      await handled();
    }
    expect(t.points.filter((p) => p.metric === 'strap.presence').map((p) => p.value)).toEqual(['silent']);
  });
});
