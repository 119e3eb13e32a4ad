import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { encodeFrameV2 } from '../src/frame-encode.js';
import { sourceRunner } from './helpers/bridge.js';
import { crc16 } from './helpers/mavlink-encoder.js';
import { nmFrame, nmGlobalPosition, nmHeartbeat } from './helpers/node-mavlink.js';
import { tcpClient, type TcpClient } from './helpers/tcp-client.js';
import { until } from './helpers/udp-peer.js';

const { track, run } = sourceRunner();
const LINK = 'tcpin://127.0.0.1:0';
const client = async (port: number): Promise<TcpClient> => track.add(await tcpClient(port), (c) => void c.socket.destroy());

/**
 * A HEARTBEAT written byte by byte from the MAVLink spec (minimal.xml, wire order: custom_mode
 * uint32, type, autopilot, base_mode, system_status, mavlink_version): ArduCopter (type 2
 * QUADROTOR, autopilot 3 ARDUPILOTMEGA) armed (base_mode 209) in custom mode 4, GUIDED.
 */
const COPTER_GUIDED = Uint8Array.from([4, 0, 0, 0, 2, 3, 209, 4, 3]);
/** CRC_EXTRA of HEARTBEAT, from the MAVLink spec. */
const HEARTBEAT_CRC_EXTRA = 50;

describe('tcpin', () => {
  it('listens on the port given for 0 (logged), reads vehicles from two clients at once, sends its heartbeats to each, and logs clients coming and going', async () => {
    const { t, source, values } = await run({
      connection: LINK,
      heartbeat: { interval_s: '100ms' },
      messages: { HEARTBEAT: ['flight_mode', 'armed'], GLOBAL_POSITION_INT: ['lat'] },
    });
    const port = source.localAddress()!.port;
    expect(port).toBeGreaterThan(0);
    expect(t.logs.messages()).toContain(`${LINK}: listening on tcpin://127.0.0.1:${port}`);
    // Listening, no vehicle yet: as udpin, waiting for a HEARTBEAT.
    expect(t.channels()[LINK]).toMatchObject({ state: 'connecting' });

    // A: the package's own encoder with a payload written from the spec; B: node-mavlink's serializer.
    const a = await client(port);
    const b = await client(port);
    const heartbeatA = encodeFrameV2({ sysid: 7, compid: 1, seq: 0, msgid: 0, crcExtra: HEARTBEAT_CRC_EXTRA, payload: COPTER_GUIDED });
    await a.write(heartbeatA.subarray(0, 5));
    await until(() => source.linkStats()?.bytes === 5, 'the first bytes of A');
    await b.write(Buffer.concat([nmFrame(nmHeartbeat({ customMode: 6 }), { sysid: 8, seq: 0 }), nmFrame(nmGlobalPosition(1_000), { sysid: 8, seq: 1 })]));
    await t.waitFor(() => values('field-a-8', 'global_position_int.lat').length === 1, 'the position of B');
    await a.write(heartbeatA.subarray(5));
    await t.waitFor(() => values('field-a-7', 'heartbeat.flight_mode').length === 1, 'the heartbeat of A');
    expect(values('field-a-7', 'heartbeat.flight_mode')).toEqual(['GUIDED']);
    expect(values('field-a-7', 'heartbeat.armed')).toEqual([true]);
    expect(values('field-a-8', 'heartbeat.flight_mode')).toEqual(['RTL']);
    expect(values('field-a-8', 'global_position_int.lat')).toEqual([47.3977418]);
    expect(t.channels()).toEqual({
      [LINK]: { state: 'connected', required: true },
      'system-7': { state: 'connected', required: false },
      'system-8': { state: 'connected', required: false },
    });

    // The bridge's HEARTBEAT reaches both clients, checked against the spec by hand: MAVLink 2,
    // 9-byte payload, system 254, component 191, message 0; type 6 (GCS), autopilot 8 (INVALID),
    // system_status 4 (ACTIVE), mavlink_version 3; CRC-16/MCRF4XX over header and payload, then CRC_EXTRA.
    await Promise.all([a.receivedAtLeast(21), b.receivedAtLeast(21)]);
    for (const c of [a, b]) {
      const frame = c.received().subarray(0, 21);
      expect([...frame.subarray(0, 10)]).toEqual([0xfd, 9, 0, 0, frame[4], 254, 191, 0, 0, 0]);
      expect([...frame.subarray(10, 19)]).toEqual([0, 0, 0, 0, 6, 8, 0, 4, 3]);
      expect(frame.readUInt16LE(19)).toBe(crc16([...frame.subarray(1, 19), HEARTBEAT_CRC_EXTRA]));
    }

    const peerA = `tcp:127.0.0.1:${a.localPort}`;
    const peerB = `tcp:127.0.0.1:${b.localPort}`;
    expect(t.logs.messages()).toEqual(expect.arrayContaining([`${LINK}: ${peerA} connected (1 client connected)`, `${LINK}: ${peerB} connected (2 clients connected)`]));
    // A leaves in the middle of a frame: the cut frame is counted as it leaves (logged after).
    const cut = encodeFrameV2({ sysid: 7, compid: 1, seq: 1, msgid: 0, crcExtra: HEARTBEAT_CRC_EXTRA, payload: COPTER_GUIDED }).subarray(0, 15);
    const sofar = source.linkStats()!.bytes;
    await a.write(cut);
    await until(() => source.linkStats()!.bytes === sofar + cut.length, 'the cut frame');
    a.socket.destroy();
    await until(() => t.logs.messages().includes(`${LINK}: ${peerA} disconnected: the client closed the connection (1 client connected)`), 'the disconnection logged');
    expect(await t.metric('fieldbridge_source_errors_total', { channel: LINK, kind: 'truncated' })).toBe(1);
    expect(source.linkStats()).toMatchObject({ accepted: 2, disconnected: 1 });
    // B still gets the heartbeats, A's leaving did not stop them.
    const before = b.received().length;
    await b.receivedAtLeast(before + 21);
  });

  it('stop() closes the server and every client promptly, and frees the port', async () => {
    const { source } = await run({ connection: LINK, heartbeat: { interval_s: '100ms' } });
    const port = source.localAddress()!.port;
    const a = await client(port);
    const b = await client(port);
    await until(() => source.linkStats()?.accepted === 2, 'both clients accepted');
    await source.stop();
    await Promise.all([a.closed, b.closed]);
    const after = await new Promise<string>((resolve) => {
      const s = connect({ port, host: '127.0.0.1' });
      s.once('connect', () => {
        s.destroy();
        resolve('connected');
      });
      s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    });
    expect(after).toBe('ECONNREFUSED');
  });
});
