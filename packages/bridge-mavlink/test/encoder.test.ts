// The test encoder is the independent reference for the parser, so it is checked first against
// published numbers (the CRC catalogue's check value, the CRC_EXTRA values the MAVLink
// specification lists) and against node-mavlink's serializer.
import { MavLinkProtocolV2, MavLinkProtocolV1, common, minimal } from 'node-mavlink';
import { beforeAll, describe, expect, it } from 'vitest';
import { crcUpdate, CRC_INIT, loadDialect, type Dialect } from '../src/index.js';
import { crc16, crcExtra, encodeV1, encodeV2, MESSAGES } from './helpers/mavlink-encoder.js';

let dialect: Dialect;
beforeAll(async () => {
  dialect = await loadDialect('ardupilotmega');
});

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

describe('the test encoder', () => {
  it('computes CRC-16/MCRF4XX with the catalogue check value (0x6F91 for "123456789"), like the package', () => {
    expect(crc16(ascii('123456789'))).toBe(0x6f91);
    expect(crcUpdate(CRC_INIT, Uint8Array.from(ascii('123456789')), 0, 9)).toBe(0x6f91);
  });

  it('derives the published CRC_EXTRA of each message from its XML declaration', () => {
    // Published in the MAVLink specification (serialization) and the generated C headers.
    const published: Record<string, number> = {
      HEARTBEAT: 50, SYS_STATUS: 124, SYSTEM_TIME: 137, GPS_RAW_INT: 24, GPS2_RAW: 87, RC_CHANNELS: 118, RADIO_STATUS: 185, ATTITUDE: 39, GLOBAL_POSITION_INT: 104, VFR_HUD: 20, BATTERY_STATUS: 154, STATUSTEXT: 83,
    };
    for (const [name, value] of Object.entries(published)) {
      expect(crcExtra(name), name).toBe(value);
      expect(dialect.messageNamed(name)?.crcExtra, `${name} in node-mavlink's tables`).toBe(value);
    }
  });

  it('lays payloads out as node-mavlink does: the same bytes for the same values (v2 trimmed, v1)', () => {
    const att = new common.Attitude();
    Object.assign(att, { timeBootMs: 123456, roll: 0.5, pitch: -0.25, yaw: 3, rollspeed: 0.125, pitchspeed: 0, yawspeed: -1 });
    const values = { time_boot_ms: 123456, roll: 0.5, pitch: -0.25, yaw: 3, rollspeed: 0.125, pitchspeed: 0, yawspeed: -1 };
    expect(encodeV2('ATTITUDE', values, { sysid: 7, compid: 1, seq: 9 })).toEqual(new MavLinkProtocolV2(7, 1).serialize(att, 9));
    expect(encodeV1('ATTITUDE', values, { sysid: 7, compid: 1, seq: 9 })).toEqual(new MavLinkProtocolV1(7, 1).serialize(att, 9));

    const hb = new minimal.Heartbeat();
    Object.assign(hb, { type: 2, autopilot: 3, baseMode: 209, customMode: 5, systemStatus: 4, mavlinkVersion: 3 });
    expect(encodeV2('HEARTBEAT', { type: 2, autopilot: 3, base_mode: 209, custom_mode: 5, system_status: 4, mavlink_version: 3 }, { seq: 1 })).toEqual(new MavLinkProtocolV2(1, 1).serialize(hb, 1));
  });

  it('puts base fields by size, largest first, and extensions last in declaration order', () => {
    const sys = dialect.messageNamed('SYS_STATUS')!;
    expect(sys.baseLength).toBe(31);
    expect(sys.field('battery_remaining')?.offset).toBe(30);
    expect(sys.field('onboard_control_sensors_present_extended')?.offset).toBe(31);
    expect(MESSAGES.SYS_STATUS!.fields.length).toBe(sys.fields.length);
  });
});
