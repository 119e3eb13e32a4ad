// Two vehicles left at the default system id 1 on one link: over real UDP, each from its own
// peer, with boot clocks of their own. Their frames cannot be told apart; the bridge says why
// the "vehicle" keeps rebooting, and what to change.
import { describe, expect, it } from 'vitest';
import { REBOOTS_TOLD, REBOOTS_WINDOW_MS, SharedIdWatch } from '../src/_shared-ids.js';
import { sourceRunner } from './helpers/bridge.js';
import { encodeV2 } from './helpers/mavlink-encoder.js';
import { udpPeer, until } from './helpers/udp-peer.js';

const { track, run } = sourceRunner();
const hb = { type: 2, autopilot: 3, base_mode: 209, custom_mode: 4, system_status: 4, mavlink_version: 3 };

async function setup() {
  const running = await run({ connection: 'udpin://127.0.0.1:0', messages: { HEARTBEAT: ['flight_mode'], ATTITUDE: ['roll'] } });
  const port = running.source.localAddress()!.port;
  let sent = 0;
  const send = async (peer: Awaited<ReturnType<typeof udpPeer>>, bytes: Buffer): Promise<void> => {
    await peer.send(bytes, port);
    sent += 1;
    await until(() => running.source.linkStats()?.chunks === sent, `datagram ${sent} read`);
  };
  const told = () => running.t.problems.filter((p) => p.key.startsWith(`mavlink.${running.source.channel}.shared-id-`));
  return { ...running, send, told };
}

describe('two vehicles with one system id', () => {
  it('are said once, naming the system id and the parameter to change', async () => {
    const { send, told, values, named, t } = await setup();
    const a = track.add(await udpPeer(), (p) => p.close());
    const b = track.add(await udpPeer(), (p) => p.close());
    for (let i = 0; i < 5; i++) {
      await send(a, encodeV2('ATTITUDE', { time_boot_ms: 300_000 + i * 20, roll: 0.1 }, { sysid: 1, seq: 2 * i }));
      await send(b, encodeV2('ATTITUDE', { time_boot_ms: 90_000 + i * 20, roll: 0.2 }, { sysid: 1, seq: 100 + 2 * i }));
    }
    expect(told().filter((p) => p.kind === 'report' && p.logged)).toHaveLength(1);
    expect(told()[0]!.message).toMatch(/: system 1, component 1 went back to an earlier boot time 3 times within a second: two vehicles \(or autopilots\) with one system id\? .*\(SYSID_THISMAV on ArduPilot, MAV_SYS_ID on PX4/);
    // Two peers, but not two ports of one vehicle (their boot clocks differ): neither is left
    // out as a standby, and the second is not announced as a route to fail over to.
    expect(values('field-a-1', 'attitude.roll')).toEqual([0.1, 0.2, 0.1, 0.2, 0.1, 0.2, 0.1, 0.2, 0.1, 0.2]);
    expect(named('route.added')).toEqual([]);
    expect(t.logs.messages('info').filter((m) => m.includes('too: kept for failover'))).toEqual([]);
  });

  it('are not what one vehicle that rebooted once is', async () => {
    const { send, told, named } = await setup();
    const a = track.add(await udpPeer(), (p) => p.close());
    await send(a, encodeV2('HEARTBEAT', hb, { sysid: 1, seq: 0 }));
    await send(a, encodeV2('ATTITUDE', { time_boot_ms: 300_000, roll: 0.1 }, { sysid: 1, seq: 1 }));
    await send(a, encodeV2('ATTITUDE', { time_boot_ms: 2_000, roll: 0.1 }, { sysid: 1, seq: 0 }));
    await send(a, encodeV2('ATTITUDE', { time_boot_ms: 2_020, roll: 0.1 }, { sysid: 1, seq: 1 }));
    expect(named('vehicle.restarted')).toHaveLength(1);
    expect(told()).toEqual([]);
  });
});

describe('reboots of one component', () => {
  const watched = () => {
    const lines: string[] = [];
    const reporter = { report: (_k: string, m: string) => (lines.push(m), true), resolve: () => undefined, open: () => [] };
    return { lines, watch: new SharedIdWatch(reporter, 'udpin://0.0.0.0:14550') };
  };

  it(`are said after ${REBOOTS_TOLD} within ${REBOOTS_WINDOW_MS / 1000} s, per component`, () => {
    const { lines, watch } = watched();
    watch.restarted(1, 1, 0);
    watch.restarted(1, 1, 10_000);
    watch.restarted(2, 1, 15_000);
    watch.restarted(1, 2, 15_000);
    expect(lines).toEqual([]);
    watch.restarted(1, 1, 20_000);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^udpin:\/\/0\.0\.0\.0:14550: system 1, component 1 went back to an earlier boot time 3 times in 20 s: /);
  });

  it('are not said when they are further apart: a vehicle rebooted on the ground between flights', () => {
    const { lines, watch } = watched();
    for (let i = 0; i < 10; i++) watch.restarted(1, 1, i * REBOOTS_WINDOW_MS / 2);
    expect(lines).toEqual([]);
  });
});
