// A vehicle heard over two routes (two ground radios, a radio and an LTE modem, a router with two
// endpoints to it) sends every frame to the bridge twice: over real UDP from two peers, the
// second route a few frames behind the first.
import { describe, expect, it } from 'vitest';
import { signingKey } from '../src/index.js';
import { sourceRunner } from './helpers/bridge.js';
import { encodeV2, signatureTimestamp } from './helpers/mavlink-encoder.js';
import { udpPeer, until } from './helpers/udp-peer.js';

const { track, run } = sourceRunner();
const hb = { type: 2, autopilot: 3, base_mode: 209, custom_mode: 4, system_status: 4, mavlink_version: 3 };

describe('a vehicle heard over two routes', () => {
  it('gives each point once, and no loss for the copies that come behind their originals', async () => {
    const { t, source, values, named } = await run({ connection: 'udpin://127.0.0.1:0', messages: { HEARTBEAT: ['flight_mode'], ATTITUDE: ['roll'], STATUSTEXT: 'default' } });
    const port = source.localAddress()!.port;
    const radio = track.add(await udpPeer(), (p) => p.close());
    const modem = track.add(await udpPeer(), (p) => p.close());
    const frames: Buffer[] = [encodeV2('HEARTBEAT', hb, { sysid: 1, seq: 0 })];
    for (let i = 1; i <= 20; i++) frames.push(encodeV2('ATTITUDE', { time_boot_ms: 60_000 + i * 20, roll: i / 10 }, { sysid: 1, seq: i }));
    frames.push(encodeV2('STATUSTEXT', { severity: 4, text: 'Bad compass health' }, { sysid: 1, seq: 21 }));
    frames.push(encodeV2('HEARTBEAT', hb, { sysid: 1, seq: 22 }));
    // The modem's copy of each frame comes three frames behind the radio's.
    let sent = 0;
    for (let i = 0; i < frames.length + 3; i++) {
      if (i < frames.length) await radio.send(frames[i]!, port);
      if (i >= 3) await modem.send(frames[i - 3]!, port);
      sent += (i < frames.length ? 1 : 0) + (i >= 3 ? 1 : 0);
      // A copy makes no point to wait for: the link's count of datagrams says it was read.
      await until(() => source.linkStats()?.chunks === sent, `datagram ${sent} read`);
    }
    expect(values('field-a-1', 'attitude.roll')).toEqual(Array.from({ length: 20 }, (_, i) => (i + 1) / 10));
    expect(values('field-a-1', 'statustext.text')).toEqual(['Bad compass health']);
    expect(values('field-a-1', 'heartbeat.flight_mode')).toEqual(['GUIDED', 'GUIDED']);
    // Each route counts its own frames (the modem's copies are its frames, in its own order): no loss on either.
    const radioRoute = `udp:127.0.0.1:${radio.port}`;
    const modemRoute = `udp:127.0.0.1:${modem.port}`;
    // Tagged with their route once there are two (the radio's first heartbeat came before the modem was heard).
    expect(named('link.loss_ratio').map((p) => [p.value, p.tags?.route])).toEqual([[0, undefined], [0, modemRoute], [0, radioRoute], [0, modemRoute]]);
    expect(source.vehicles()[0]!.components[0]).toMatchObject({ received: 46, lost: 0, duplicates: 23 });
    // The modem carries the radio's frames: one route with it, in use, not a port of its own.
    expect(source.vehicles()[0]!.routes).toMatchObject([
      { route: radioRoute, received: 23, lost: 0, inUse: true },
      { route: modemRoute, received: 23, lost: 0, inUse: true, mirrors: radioRoute },
    ]);
  });

  it('of a signed vehicle: the copies are duplicates, dropped without a word, not replays; a real replay is still refused', async () => {
    const passphrase = 'two routes test';
    const key = signingKey(passphrase);
    const { t, source, values } = await run({ connection: 'udpin://127.0.0.1:0', signing: { passphrase }, messages: { HEARTBEAT: ['flight_mode'], ATTITUDE: ['roll'] } });
    const port = source.localAddress()!.port;
    const radio = track.add(await udpPeer(), (p) => p.close());
    const modem = track.add(await udpPeer(), (p) => p.close());
    const ts = signatureTimestamp(Date.UTC(2026, 5, 1, 12));
    const sign = (seq: number) => ({ sysid: 1, seq, sign: { key, linkId: 1, timestamp: ts + seq } });
    const frames: Buffer[] = [encodeV2('HEARTBEAT', hb, sign(0))];
    for (let i = 1; i <= 10; i++) frames.push(encodeV2('ATTITUDE', { time_boot_ms: 60_000 + i * 20, roll: i / 10 }, sign(i)));
    let sent = 0;
    const send = async (peer: typeof radio, bytes: Buffer): Promise<void> => {
      await peer.send(bytes, port);
      sent += 1;
      await until(() => source.linkStats()?.chunks === sent, `datagram ${sent} read`);
    };
    // The modem's copy of each frame two frames behind the radio's.
    for (let i = 0; i < frames.length + 2; i++) {
      if (i < frames.length) await send(radio, frames[i]!);
      if (i >= 2) await send(modem, frames[i - 2]!);
    }
    const replays = () => t.metric('fieldbridge_source_errors_total', { channel: source.channel, kind: 'replayed_signature' });
    expect(values('field-a-1', 'attitude.roll')).toEqual(Array.from({ length: 10 }, (_, i) => (i + 1) / 10));
    expect(await replays()).toBe(0);
    expect(t.problems.filter((p) => p.kind === 'report')).toEqual([]);
    expect(source.vehicles()[0]!.components[0]).toMatchObject({ duplicates: 11, lost: 0 });
    // A frame signed with the key and an old timestamp, but not the frame sent with it: refused, counted.
    await send(modem, encodeV2('ATTITUDE', { time_boot_ms: 60_020, roll: 3 }, sign(1)));
    expect(await replays()).toBe(1);
    expect(values('field-a-1', 'attitude.roll')).toHaveLength(10);
  });
});
