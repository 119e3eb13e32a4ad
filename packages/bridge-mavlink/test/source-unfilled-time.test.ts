import { common } from 'node-mavlink';
import { describe, expect, it } from 'vitest';
import { sourceRunner } from './helpers/bridge.js';
import { nmFrame } from './helpers/node-mavlink.js';
import { udpPeer } from './helpers/udp-peer.js';

const { track, run } = sourceRunner();
const START = Date.UTC(2026, 5, 1, 12, 0, 0);

describe('a time field left at 0', () => {
  it('stamps each message when it came: a companion script sending NAMED_VALUE_FLOAT with time_boot_ms 0 is no boot clock standing still', async () => {
    let now = START;
    const { t, source, named } = await run({ connection: 'udpin://127.0.0.1:0', messages: { NAMED_VALUE_FLOAT: ['value'] } }, { now: () => now });
    const port = source.localAddress()!.port;
    const companion = track.add(await udpPeer(), (p) => p.close());
    // As pymavlink scripts write it: named_value_float_send(0, b'rpm', value), from component 191 of system 1.
    for (let i = 0; i < 3; i++) {
      const message = Object.assign(new common.NamedValueFloat(), { timeBootMs: 0, name: 'rpm', value: 1500 + i });
      await companion.send(nmFrame(message, { sysid: 1, compid: 191, seq: i }), port);
      await t.waitFor(() => named('named_value_float.value').length === i + 1, `value ${i + 1}`);
      now += 1_000;
    }
    const points = named('named_value_float.value');
    expect(points.map((p) => p.value)).toEqual([1500, 1501, 1502]);
    expect(points.map((p) => p.timestamp)).toEqual([START, START + 1_000, START + 2_000]);
  });
});
