import { common } from 'node-mavlink';
import { describe, expect, it } from 'vitest';
import { signingKey } from '../src/signing.js';
import { sourceRunner } from './helpers/bridge.js';
import { encodeV1, encodeV2, signatureTimestamp } from './helpers/mavlink-encoder.js';
import { nmAttitude, nmFrame, nmGlobalPosition, nmHeartbeat, nmHeartbeatOf, nmParse } from './helpers/node-mavlink.js';
import { udpPeer, until, type UdpPeer } from './helpers/udp-peer.js';

const { track, run } = sourceRunner();
const peer = async (): Promise<UdpPeer> => track.add(await udpPeer(), (p) => p.close());
const LINK = 'udpin://127.0.0.1:0';
const hb = { type: 2, autopilot: 3, base_mode: 209, custom_mode: 4, system_status: 4, mavlink_version: 3 };
/** The bridge's clock in a test context: `performance.timeOrigin + performance.now()`. */
const clockNow = (): number => performance.timeOrigin + performance.now();

describe('udpin', () => {
  it('makes a source and a channel per vehicle from several peers: node-mavlink and test-encoder frames, v1 and v2, signed and checked, garbage between', async () => {
    const key = signingKey('udp fleet');
    const { t, source, values } = await run({
      connection: LINK,
      signing: { key: Buffer.from(key).toString('hex'), allow_unsigned: true },
      messages: { HEARTBEAT: ['flight_mode'], ATTITUDE: ['roll'], GLOBAL_POSITION_INT: ['lat', 'lon'], VFR_HUD: ['airspeed'] },
    });
    const port = source.localAddress()!.port;
    const a = await peer();
    const b = await peer();
    // Peer A, node-mavlink's serializer: system 1, MAVLink 2, 1, and 2 signed.
    await a.send(nmFrame(nmHeartbeat({ customMode: 5 }), { sysid: 1, seq: 0 }), port);
    await a.send(nmFrame(nmAttitude(1_000, 0.25), { sysid: 1, seq: 1, version: 1 }), port);
    await a.send(nmFrame(nmGlobalPosition(1_100), { sysid: 1, seq: 2, sign: { key: Buffer.from(key), linkId: 1, unixMs: Date.now() } }), port);
    // Peer B, the test's encoder: garbage, system 2 (MAVLink 1 after noise), system 3 signed, a forged frame.
    await b.send(Buffer.from('not mavlink at all'), port);
    await b.send(Buffer.concat([Buffer.from([0xfe, 0x00, 0x13, 0x37]), encodeV1('HEARTBEAT', { ...hb, type: 10, custom_mode: 10 }, { sysid: 2 })]), port);
    await b.send(encodeV2('HEARTBEAT', { ...hb, custom_mode: 6 }, { sysid: 3, sign: { key, linkId: 2, timestamp: signatureTimestamp(Date.now()) } }), port);
    await b.send(encodeV2('VFR_HUD', { airspeed: 12.5 }, { sysid: 3, seq: 1, sign: { key: signingKey('guess'), linkId: 9, timestamp: signatureTimestamp(Date.now()) } }), port);
    await b.send(encodeV2('VFR_HUD', { airspeed: 13.25 }, { sysid: 3, seq: 2 }), port);
    await t.waitFor(() => values('field-a-3', 'vfr_hud.airspeed').length === 1 && values('field-a-1', 'global_position_int.lon').length === 1, 'the last points of both peers');

    expect(values('field-a-1', 'heartbeat.flight_mode')).toEqual(['LOITER']);
    expect(values('field-a-1', 'attitude.roll')).toEqual([0.25]);
    expect(values('field-a-1', 'global_position_int.lat')).toEqual([47.3977418]);
    expect(values('field-a-2', 'heartbeat.flight_mode')).toEqual(['AUTO']);
    expect(values('field-a-3', 'heartbeat.flight_mode')).toEqual(['RTL']);
    expect(values('field-a-3', 'vfr_hud.airspeed')).toEqual([13.25]);
    expect(t.points.filter((p) => p.metric === 'vehicle.found').map((p) => p.source_id).sort()).toEqual(['field-a-1', 'field-a-2', 'field-a-3']);
    expect(t.channels()).toEqual({
      [LINK]: { state: 'connected', required: true },
      'system-1': { state: 'connected', required: false },
      'system-2': { state: 'connected', required: false },
      'system-3': { state: 'connected', required: false },
    });
    expect(await t.metric('fieldbridge_source_errors_total', { channel: LINK, kind: 'garbage' })).toBe(2);
    expect(await t.metric('fieldbridge_source_errors_total', { channel: LINK, kind: 'bad_signature' })).toBe(1);
    expect(await t.metric('fieldbridge_mavlink_problems_total', { system: '3', kind: 'bad_signature' })).toBe(1);
    expect(await t.metric('fieldbridge_mavlink_problems_total', { system: 'none', kind: 'garbage' })).toBe(2);
    expect(t.problems.filter((p) => p.kind === 'report' && p.logged).map((p) => p.key)).toEqual([`mavlink.${LINK}.noise`, `mavlink.${LINK}.system-3.bad_signature`]);
    // The clean frame of system 3 after the forged one ended its episode.
    expect(t.problems.some((p) => p.kind === 'resolve' && p.key === `mavlink.${LINK}.system-3.bad_signature`)).toBe(true);
  });

  it('with a signing key, a telemetry radio\'s unsigned RADIO_STATUS (MAVLink 1 and 2) is read, as ArduPilot accepts it; other unsigned frames stay refused', async () => {
    const key = signingKey('fleet with SiK radios');
    const { t, source, values } = await run({
      connection: LINK,
      signing: { passphrase: 'fleet with SiK radios' },
      messages: { HEARTBEAT: ['flight_mode'], RADIO_STATUS: ['rssi', 'remrssi', 'rxerrors'] },
    });
    const port = source.localAddress()!.port;
    const vehicle = await peer();
    // node-mavlink's serializer: the vehicle signs; the radio (system 51, component 68, as SiK sends) cannot.
    const radio = new common.RadioStatus();
    Object.assign(radio, { rssi: 182, remrssi: 170, txbuf: 95, noise: 40, remnoise: 38, rxerrors: 3, fixed: 1 });
    await vehicle.send(nmFrame(nmHeartbeat({ customMode: 5 }), { sysid: 1, seq: 0, sign: { key: Buffer.from(key), linkId: 0, unixMs: Date.now() } }), port);
    await vehicle.send(nmFrame(radio, { sysid: 51, compid: 68, seq: 0, version: 1 }), port);
    await vehicle.send(nmFrame(radio, { sysid: 51, compid: 68, seq: 1 }), port);
    // An unsigned HEARTBEAT is still refused.
    await vehicle.send(nmFrame(nmHeartbeat({ customMode: 6 }), { sysid: 1, seq: 1 }), port);
    await vehicle.send(nmFrame(nmHeartbeat({ customMode: 3 }), { sysid: 1, seq: 2, sign: { key: Buffer.from(key), linkId: 0, unixMs: Date.now() + 1 } }), port);
    await t.waitFor(() => values('field-a-1', 'heartbeat.flight_mode').length === 2, 'the second signed heartbeat');
    expect(values('field-a-51', 'radio_status.rssi')).toEqual([182, 182]);
    expect(values('field-a-51', 'radio_status.remrssi')).toEqual([170, 170]);
    expect(values('field-a-51', 'radio_status.rxerrors')).toEqual([3, 3]);
    expect(values('field-a-1', 'heartbeat.flight_mode')).toEqual(['LOITER', 'AUTO']);
    expect(await t.metric('fieldbridge_source_errors_total', { channel: LINK, kind: 'unsigned' })).toBe(1);
    expect(await t.metric('fieldbridge_mavlink_problems_total', { system: '1', kind: 'unsigned' })).toBe(1);
  });

  it('reads status texts by default, and the section\'s max_rate_hz and on_change never drop one: a burst of PreArm messages and a repeated warning all arrive, with their severity', async () => {
    const { t, source, values } = await run({ connection: LINK, max_rate_hz: 1, on_change: true });
    const port = source.localAddress()!.port;
    const vehicle = await peer();
    const st = (seq: number, severity: number, text: string): Buffer => nmFrame(Object.assign(new common.StatusText(), { severity, text, id: 0, chunkSeq: 0 }), { sysid: 1, seq });
    // ArduPilot's pre-arm report: several texts in one burst, and the same again a moment later.
    const burst = ['PreArm: Compass not calibrated', 'PreArm: RC not calibrated', 'PreArm: Battery below minimum arming voltage'];
    for (const [i, text] of [...burst, ...burst].entries()) await vehicle.send(st(i, 2, text), port);
    await vehicle.send(st(6, 0, 'Crash: Disarming'), port);
    await t.waitFor(() => values('field-a-1', 'statustext.text').includes('Crash: Disarming'), 'the last status text');
    expect(values('field-a-1', 'statustext.text')).toEqual([...burst, ...burst, 'Crash: Disarming']);
    expect(values('field-a-1', 'statustext.severity_text')).toEqual([...Array(6).fill('CRITICAL'), 'EMERGENCY']);
    expect(values('field-a-1', 'statustext.severity')).toEqual([2, 2, 2, 2, 2, 2, 0]);
    expect(await t.metric('fieldbridge_source_points_suppressed_total', { reason: 'rate' })).toBe(0);
    expect(await t.metric('fieldbridge_source_points_suppressed_total', { reason: 'unchanged' })).toBe(0);
  });

  it('sends a long status text still waiting for its last chunk when the bridge stops, with what came', async () => {
    const { t, source, values } = await run({ connection: LINK });
    const port = source.localAddress()!.port;
    const vehicle = await peer();
    const first = 'Preflight fail: accelerometer 2 inconsistent with a';
    await vehicle.send(nmFrame(Object.assign(new common.StatusText(), { severity: 3, text: first.slice(0, 50), id: 7, chunkSeq: 0 }), { sysid: 1, seq: 0 }), port);
    // A HEARTBEAT after it: once the vehicle is up, the chunk before it was read.
    await vehicle.send(encodeV2('HEARTBEAT', hb, { sysid: 1, seq: 1 }), port);
    await t.waitFor(() => t.channels()['system-1']?.state === 'connected', 'the vehicle up');
    expect(values('field-a-1', 'statustext.text')).toEqual([]);
    await source.stop();
    expect(values('field-a-1', 'statustext.text')).toEqual([`${first.slice(0, 50)}…`]);
  });

  it('loses a vehicle after link_timeout_s without HEARTBEAT (link.lost, its channel closed, the link down) and takes it back at the next (link.restored)', async () => {
    // The bridge's clock is the test's: the vehicle is lost when the test says time has passed,
    // at the next timeout check (every 75 ms for a 300 ms timeout), never by a slow machine.
    let now = Date.UTC(2026, 5, 1, 12);
    const { t, source, named } = await run({ connection: LINK, link_timeout_s: '300ms', messages: { HEARTBEAT: ['flight_mode'] } }, { now: () => now });
    const vehicle = await peer();
    const port = source.localAddress()!.port;
    await vehicle.send(encodeV2('HEARTBEAT', hb, { sysid: 4, seq: 0 }), port);
    await t.waitFor(() => t.ready() && t.channels()['system-4']?.state === 'connected', 'the vehicle and the link up');
    expect(await t.metric('fieldbridge_source_connected', { channel: 'system-4' })).toBe(1);
    now += 301;
    await t.waitFor(() => named('link.lost').length === 1, 'link.lost');
    expect(named('link.lost')).toEqual([{ metric: 'link.lost', value: { since_heartbeat_s: 0.301 }, timestamp: now, source_id: 'field-a-4', class: 'event' }]);
    expect(t.channels()).toEqual({ [LINK]: { state: 'disconnected', required: true, reason: expect.any(String) } });
    expect(t.ready()).toBe(false);
    expect(await t.metric('fieldbridge_source_connected', { channel: 'system-4' })).toBe(0);
    expect(t.states.filter((s) => s.channel === 'system-4').map((s) => s.state)).toEqual(['connecting', 'connected', 'closed']);
    now += 10_000;
    await vehicle.send(encodeV2('HEARTBEAT', { ...hb, custom_mode: 9 }, { sysid: 4, seq: 1 }), port);
    await t.waitFor(() => named('link.restored').length === 1 && t.ready(), 'link.restored');
    expect(named('link.restored').map((p) => p.value)).toEqual([{ down_s: 10.301 }]);
    expect(named('mode.changed').map((p) => p.value)).toEqual([{ mode: 'GUIDED' }, { mode: 'LAND', previous: 'GUIDED' }]);
    expect(t.channels()['system-4']).toEqual({ state: 'connected', required: false });
    expect(await t.metric('fieldbridge_source_connected', { channel: 'system-4' })).toBe(1);
  });

  it('places boot times between sending and receiving, and starts over when the vehicle reboots', async () => {
    const { t, source, values } = await run({ connection: LINK, messages: { ATTITUDE: ['roll'] } });
    const vehicle = await peer();
    const port = source.localAddress()!.port;
    // The vehicle's boot clock started 90 s before the bridge's clock now, then again (a reboot) 2 s before.
    let bootedAt = clockNow() - 90_000;
    const bounds: { sent: number; seen: number }[] = [];
    for (let i = 0; i < 6; i++) {
      if (i === 3) bootedAt = clockNow() - 2_000;
      const sent = clockNow();
      await vehicle.send(encodeV2('ATTITUDE', { time_boot_ms: Math.floor(sent - bootedAt), roll: i }, { sysid: 5, seq: i }), port);
      await t.waitFor(() => values('field-a-5', 'attitude.roll').length === i + 1, `attitude ${i}`);
      bounds.push({ sent, seen: clockNow() });
    }
    const stamps = t.points.filter((p) => p.metric === 'attitude.roll').map((p) => p.timestamp!);
    stamps.forEach((stamp, i) => {
      // Never before it left (less the ms time_boot_ms drops), never after it was read.
      expect(stamp).toBeGreaterThanOrEqual(bounds[i]!.sent - 1);
      expect(stamp).toBeLessThanOrEqual(bounds[i]!.seen);
    });
    expect(t.points.filter((p) => p.metric === 'vehicle.restarted')).toMatchObject([{ source_id: 'field-a-5', value: { compid: 1 } }]);
  });

  it('while the sink is blocked, drops points and counts them (UDP cannot wait), vehicles tracked meanwhile; flows again once unblocked', async () => {
    const { t, source, values } = await run({ connection: LINK, messages: { HEARTBEAT: ['flight_mode'], ATTITUDE: ['roll'] } }, { blocked: true });
    const vehicle = await peer();
    const port = source.localAddress()!.port;
    await vehicle.send(Buffer.concat([encodeV2('HEARTBEAT', hb, { sysid: 6, seq: 0 }), encodeV2('ATTITUDE', { time_boot_ms: 5, roll: 1 }, { sysid: 6, seq: 1 })]), port);
    await t.waitFor(() => t.channels()['system-6']?.state === 'connected', 'the vehicle found');
    // vehicle.found, link.loss_ratio, mode.changed, armed.changed, heartbeat.flight_mode, attitude.roll.
    expect(await t.metric('fieldbridge_source_points_dropped_total', { channel: 'system-6', reason: 'blocked' })).toBe(6);
    expect(t.points).toEqual([]);
    t.setBlocked(false);
    await vehicle.send(encodeV2('ATTITUDE', { time_boot_ms: 105, roll: 2 }, { sysid: 6, seq: 2 }), port);
    await t.waitFor(() => values('field-a-6', 'attitude.roll').length === 1, 'a point once unblocked');
    expect(values('field-a-6', 'attitude.roll')).toEqual([2]);
    expect(source.vehicles()[0]).toMatchObject({ sysid: 6, received: 3, lost: 0, flightMode: 'GUIDED' });
  });
});

describe('vehicle.found over udpin', () => {
  it("describes the autopilot, not a gimbal whose heartbeat came first; the vehicle's channel opens with it", async () => {
    const { t, source } = await run({ connection: LINK, messages: { HEARTBEAT: ['flight_mode'] } });
    const vehicle = await peer();
    const port = source.localAddress()!.port;
    const gimbal = { type: 26, autopilot: 8, base_mode: 0, custom_mode: 0, system_status: 4, mavlink_version: 3 };
    await vehicle.send(encodeV2('HEARTBEAT', gimbal, { sysid: 8, compid: 154, seq: 0 }), port);
    await vehicle.send(encodeV2('HEARTBEAT', hb, { sysid: 8, compid: 1, seq: 0 }), port);
    await t.waitFor(() => t.channels()['system-8']?.state === 'connected', 'the vehicle found');
    await vehicle.send(encodeV2('HEARTBEAT', gimbal, { sysid: 8, compid: 154, seq: 1 }), port);
    await until(() => source.vehicles()[0]?.components.find((c) => c.compid === 154)?.received === 2, 'the second gimbal heartbeat read');
    expect(t.points.filter((p) => p.metric === 'vehicle.found').map((p) => [p.source_id, p.value])).toEqual([['field-a-8', { compid: 1, type: 'QUADROTOR', autopilot: 'ARDUPILOTMEGA' }]]);
  });

  it('finds a system without an autopilot (a companion computer) at its next heartbeat, not after link_timeout_s; an autopilot heard later is found described as itself', async () => {
    const { t, source } = await run({ connection: LINK, link_timeout_s: 3600, messages: { HEARTBEAT: ['flight_mode'] } });
    const vehicle = await peer();
    const port = source.localAddress()!.port;
    const companion = { type: 18, autopilot: 8, base_mode: 0, custom_mode: 0, system_status: 4, mavlink_version: 3 };
    await vehicle.send(encodeV2('HEARTBEAT', companion, { sysid: 9, compid: 191, seq: 0 }), port);
    await vehicle.send(encodeV2('HEARTBEAT', companion, { sysid: 9, compid: 191, seq: 1 }), port);
    await until(() => source.vehicles()[0]?.components[0]?.received === 2, 'both companion heartbeats read');
    expect(t.channels()['system-9']?.state).toBe('connected');
    const found = (): unknown[] => t.points.filter((p) => p.metric === 'vehicle.found').map((p) => [p.source_id, p.value]);
    expect(found()).toEqual([['field-a-9', { compid: 191, type: 'ONBOARD_CONTROLLER', autopilot: 'INVALID' }]]);
    await vehicle.send(encodeV2('HEARTBEAT', hb, { sysid: 9, compid: 1, seq: 0 }), port);
    await vehicle.send(encodeV2('HEARTBEAT', hb, { sysid: 9, compid: 1, seq: 1 }), port);
    await until(() => source.vehicles()[0]?.components.find((c) => c.compid === 1)?.received === 2, 'both autopilot heartbeats read');
    expect(found()).toEqual([
      ['field-a-9', { compid: 191, type: 'ONBOARD_CONTROLLER', autopilot: 'INVALID' }],
      ['field-a-9', { compid: 1, type: 'QUADROTOR', autopilot: 'ARDUPILOTMEGA' }],
    ]);
  });
});

describe('udpin that hears nothing', () => {
  it('says so after two link timeouts (the wrong port, most likely), once, and takes it back at the first bytes', async () => {
    // The test's clock: two link timeouts pass when the test says so, at the next check.
    let now = Date.UTC(2026, 5, 1, 12);
    const { t, source } = await run({ connection: LINK, link_timeout_s: '300ms', messages: { HEARTBEAT: ['flight_mode'] } }, { now: () => now });
    const silent = () => t.problems.filter((p) => p.key === `mavlink.${source.channel}.silent`);
    expect(silent()).toEqual([]);
    now += 600;
    await t.waitFor(() => silent().length > 0, 'the silence reported');
    expect(silent()[0]).toMatchObject({ kind: 'report', logged: true, message: `${source.channel}: nothing heard for 0.6 s since it opened: does the vehicle (or its router: mavlink-router, MAVProxy --out) send to this address and port? bridge-mavlink --scan listens and lists what it hears` });
    const vehicle = await peer();
    await vehicle.send(encodeV2('HEARTBEAT', hb, { sysid: 4, seq: 0 }), source.localAddress()!.port);
    await t.waitFor(() => silent().some((p) => p.kind === 'resolve'), 'the silence resolved by the first bytes');
    expect(silent().filter((p) => p.kind === 'report' && p.logged)).toHaveLength(1);
  });
});

describe('udpin on a port in use', () => {
  it('starts anyway, reports the port taken (open_failed, once), and binds once it is free', async () => {
    const squatter = await peer();
    const { t, source, values } = await run({ connection: `udpin://127.0.0.1:${squatter.port}`, reconnect: { initial_ms: 20, max_ms: 100 }, messages: { ATTITUDE: ['roll'] } });
    await t.waitFor(() => t.channels()[source.channel]?.state === 'disconnected', 'the port reported taken');
    expect(await t.metric('fieldbridge_source_errors_total', { kind: 'open_failed' })).toBeGreaterThanOrEqual(1);
    expect(t.problems.find((p) => p.kind === 'report')).toMatchObject({ key: `mavlink.${source.channel}.open`, logged: true, message: expect.stringMatching(/EADDRINUSE.*perhaps a ground station.*trying again/) });
    await squatter.close();
    await t.waitFor(() => t.problems.some((p) => p.kind === 'resolve' && p.key === `mavlink.${source.channel}.open`), 'the port bound');
    const vehicle = await peer();
    await vehicle.send(encodeV2('ATTITUDE', { time_boot_ms: 1, roll: 0.5 }, { sysid: 8 }), squatter.port);
    await t.waitFor(() => values('field-a-8', 'attitude.roll').length === 1, 'a point on the freed port');
  });
});

describe('udpout', () => {
  it("sends heartbeats the vehicle reads (node-mavlink's parser, signature checked) and reads what it answers to the port it learned", async () => {
    const vehicle = await peer();
    const passphrase = 'udpout fleet';
    const { t, values } = await run({
      connection: `udpout://127.0.0.1:${vehicle.port}`,
      signing: { passphrase, allow_unsigned: true, link_id: 7 },
      heartbeat: { interval_s: '100ms', system_id: 250, component_id: 190 },
      messages: { ATTITUDE: ['roll'] },
    });
    await vehicle.receivedAtLeast(2);
    const packets = await nmParse(vehicle.received.slice(0, 2).map((r) => r.bytes));
    expect(packets).toHaveLength(2);
    for (const [i, packet] of packets.entries()) {
      expect(packet.header).toMatchObject({ sysid: 250, compid: 190, msgid: 0, seq: i });
      expect(nmHeartbeatOf(packet)).toMatchObject({ type: 6, autopilot: 8, baseMode: 0, customMode: 0, systemStatus: 4 });
      expect(packet.signature?.linkId).toBe(7);
      expect(packet.signature?.matches(Buffer.from(signingKey(passphrase)))).toBe(true);
    }
    expect(packets[1]!.signature!.timestamp).toBeGreaterThan(packets[0]!.signature!.timestamp);
    const bridge = vehicle.received[0]!.from;
    await vehicle.send(nmFrame(nmAttitude(2_000, 0.5), { sysid: 1, seq: 0 }), bridge.port);
    await t.waitFor(() => values('field-a-1', 'attitude.roll').length === 1, 'the answer read');
  });
});
