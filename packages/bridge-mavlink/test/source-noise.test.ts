import { describe, expect, it } from 'vitest';
import { NoiseEpisode } from '../src/_noise.js';
import { sourceRunner } from './helpers/bridge.js';
import { encodeV2 } from './helpers/mavlink-encoder.js';
import { prng } from './helpers/random.js';
import { udpPeer } from './helpers/udp-peer.js';

const { track, run } = sourceRunner();
const hb = { type: 2, autopilot: 3, base_mode: 209, custom_mode: 4, system_status: 4, mavlink_version: 3 };

describe('random bytes on a UDP link', () => {
  it('are one warning for the link, make no vehicle, and leave the real frames between them decoded', async () => {
    const { t, source, values } = await run({ connection: 'udpin://127.0.0.1:0', messages: { ATTITUDE: ['roll'] } });
    const port = source.localAddress()!.port;
    const noise = track.add(await udpPeer(), (p) => p.close());
    const vehicle = track.add(await udpPeer(), (p) => p.close());
    const random = prng(16_633_247);
    await vehicle.send(encodeV2('HEARTBEAT', hb, { sysid: 1, seq: 0 }), port);
    await t.waitFor(() => source.linkStats()?.chunks === 1, 'the heartbeat');
    const rolls: number[] = [];
    for (let i = 1; i <= 20; i++) {
      // Ten datagrams of 40 to 300 random bytes (MAVLink 2 start bytes among them make up frames of unknown ids), then a frame of the vehicle.
      for (let j = 0; j < 10; j++) await noise.send(random.bytes(40 + random.int(260)), port);
      rolls.push(i / 100);
      await vehicle.send(encodeV2('ATTITUDE', { time_boot_ms: 1_000 + i * 100, roll: i / 100 }, { sysid: 1, seq: i }), port);
      // Read before more is sent: a socket's receive buffer holds a few hundred datagrams at most.
      await t.waitFor(() => source.linkStats()?.chunks === 1 + i * 11, `round ${i} read`);
    }
    expect(values('field-a-1', 'attitude.roll')).toEqual(rolls);

    // The noise made up frames of unknown ids (and of known ones whose checksum failed) from many "systems".
    const errors = async (kind: string) => t.metric('fieldbridge_source_errors_total', { channel: source.channel, kind });
    expect(await errors('unknown_message')).toBeGreaterThan(5);
    const logged = t.problems.filter((p) => p.kind === 'report' && p.logged);
    expect(logged.map((p) => p.key)).toEqual([`mavlink.${source.channel}.noise`]);
    expect(logged[0]!.message).toMatch(/^udpin:\/\/127\.0\.0\.1:0: .*\(noise on the link, or /);
    expect(logged[0]!.message).not.toMatch(/from system/);

    // Only the vehicle: no channel, source or per-system count for a system id the noise made up.
    expect(source.vehicles().map((v) => v.sysid)).toEqual([1]);
    expect(Object.keys(t.channels()).sort()).toEqual(['system-1', source.channel]);
    expect(new Set(t.points.map((p) => p.source_id))).toEqual(new Set(['field-a-1']));
    const problemSystems = (await t.registry.getSingleMetric('fieldbridge_mavlink_problems_total')!.get()).values.map((v) => v.labels.system);
    expect(new Set(problemSystems)).toEqual(new Set(['none']));
  });
});

describe('the link\'s noise episode', () => {
  it('says the first read\'s counts, then the totals once a clean message comes 10 s after the last noise', () => {
    const lines: string[] = [];
    const reporter = { report: (_k: string, m: string) => (lines.push(`warn ${m}`), true), resolve: (_k: string, m?: string) => void lines.push(`info ${m}`), open: () => [] };
    const noise = new NoiseEpisode(reporter, 'noise', 'udpin://0.0.0.0:14550', 'common');
    noise.add({ kind: 'unknown_message' });
    noise.add({ kind: 'unknown_message' });
    noise.add({ kind: 'garbage', bytes: 12 });
    noise.settle(1_000, false);
    noise.add({ kind: 'crc' });
    noise.settle(3_000, true);
    noise.settle(12_999, true);
    noise.settle(13_000, true);
    expect(lines).toEqual([
      'warn udpin://0.0.0.0:14550: 12 bytes that are not part of any frame, 2 frames with message ids not in the common dialect (noise on the link, or another dialect: dialect: ardupilotmega has more messages; bridge-mavlink --scan lists the ids)',
      'warn udpin://0.0.0.0:14550: 1 frame failing its checksum (noise on the link, or frames damaged on the way)',
      'info udpin://0.0.0.0:14550: no unreadable bytes for 10 s; in 2 s there were 12 bytes that are not part of any frame, 2 frames with message ids not in the common dialect, 1 frame failing its checksum (noise on the link, or another dialect: dialect: ardupilotmega has more messages; bridge-mavlink --scan lists the ids)',
    ]);
  });
});
