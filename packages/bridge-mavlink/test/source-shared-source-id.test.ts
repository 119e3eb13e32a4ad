import { describe, expect, it } from 'vitest';
import { sourceRunner } from './helpers/bridge.js';
import { encodeV1, encodeV2 } from './helpers/mavlink-encoder.js';
import { udpPeer } from './helpers/udp-peer.js';

const { track, run } = sourceRunner();
const hb = { type: 2, autopilot: 3, base_mode: 209, custom_mode: 5, system_status: 4, mavlink_version: 3 };

describe('a source_id without {sysid}', () => {
  it('keeps each vehicle its own series: points and events are tagged sysid, and one vehicle\'s values never thin the other\'s', async () => {
    const { t, source, named } = await run({
      connection: 'udpin://127.0.0.1:0',
      source_id: '{source_id}',
      on_change: true,
      messages: { HEARTBEAT: ['flight_mode'], ATTITUDE: ['roll'] },
    });
    const port = source.localAddress()!.port;
    const radio = track.add(await udpPeer(), (p) => p.close());
    // Two copters on one radio link, both level and loitering: the same values, from systems 1 (MAVLink 2) and 2 (MAVLink 1).
    await radio.send(encodeV2('HEARTBEAT', hb, { sysid: 1 }), port);
    await radio.send(encodeV1('HEARTBEAT', hb, { sysid: 2 }), port);
    await radio.send(encodeV2('ATTITUDE', { time_boot_ms: 5_000, roll: 0.25 }, { sysid: 1, seq: 1 }), port);
    await radio.send(encodeV1('ATTITUDE', { time_boot_ms: 7_000, roll: 0.25 }, { sysid: 2, seq: 1 }), port);
    await t.waitFor(() => named('attitude.roll').length === 2, 'both vehicles\' roll');

    const of = (metric: string): [string | undefined, unknown][] => named(metric).map((p) => [p.tags?.sysid, p.value]);
    expect(of('attitude.roll')).toEqual([['1', 0.25], ['2', 0.25]]);
    expect(of('heartbeat.flight_mode')).toEqual([['1', 'LOITER'], ['2', 'LOITER']]);
    expect(of('mode.changed')).toEqual([['1', { mode: 'LOITER' }], ['2', { mode: 'LOITER' }]]);
    expect(new Set(t.points.map((p) => p.source_id))).toEqual(new Set(['field-a']));
    expect(await t.metric('fieldbridge_source_points_suppressed_total', { channel: 'system-2', reason: 'unchanged' })).toBe(0);
  });
});
