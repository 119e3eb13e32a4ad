import { describe, expect, it } from 'vitest';
import { sourceRunner } from './helpers/bridge.js';
import { encodeV2 } from './helpers/mavlink-encoder.js';
import { udpPeer } from './helpers/udp-peer.js';

const { track, run } = sourceRunner();
const hb = { type: 2, autopilot: 3, base_mode: 209, custom_mode: 5, system_status: 4, mavlink_version: 3 };

describe('GPS reports without a fix', () => {
  it('are no reboot and do not take the last fix\'s time: ArduPilot\'s GPS_RAW_INT.time_usec stops at the last fix while the reports go on', async () => {
    const { t, source, values, named } = await run({
      connection: 'udpin://127.0.0.1:0',
      messages: { HEARTBEAT: ['flight_mode'], ATTITUDE: ['roll'], GPS_RAW_INT: ['fix_type'] },
    });
    const port = source.localAddress()!.port;
    const vehicle = track.add(await udpPeer(), (p) => p.close());
    let seq = 0;
    const send = (name: string, values: Record<string, number | bigint>): Promise<void> => vehicle.send(encodeV2(name, values, { seq: seq++ }), port);
    await send('HEARTBEAT', hb);
    // A 3D fix at 100 s since boot, then the fix is lost: 3 s later ArduPilot still sends the time of that fix.
    await send('ATTITUDE', { time_boot_ms: 100_000, roll: 0.1 });
    await send('GPS_RAW_INT', { time_usec: 100_000_000n, fix_type: 3 });
    await send('ATTITUDE', { time_boot_ms: 103_000, roll: 0.2 });
    await send('GPS_RAW_INT', { time_usec: 100_000_000n, fix_type: 1 });
    await send('ATTITUDE', { time_boot_ms: 103_200, roll: 0.3 });
    await send('GPS_RAW_INT', { time_usec: 100_000_000n, fix_type: 1 });
    await send('ATTITUDE', { time_boot_ms: 103_400, roll: 0.4 });
    await t.waitFor(() => values('field-a-1', 'attitude.roll').length === 4, 'the last ATTITUDE');

    expect(named('vehicle.restarted')).toEqual([]);
    expect(values('field-a-1', 'gps_raw_int.fix_type')).toEqual([3, 1, 1]);
    const [fix, ...lost] = named('gps_raw_int.fix_type').map((p) => p.timestamp as number);
    // The reports without a fix are placed when they came, after the fix, not on top of it.
    for (const at of lost) expect(at).toBeGreaterThan(fix!);
    expect(values('field-a-1', 'attitude.roll')).toEqual([0.1, 0.2, 0.3, 0.4]);
  });
});
