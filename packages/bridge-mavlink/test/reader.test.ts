import { beforeAll, describe, expect, it } from 'vitest';
import { createMavlinkReader, loadDialect, signingKey, type Dialect } from '../src/index.js';
import { encodeV1, encodeV2, signatureTimestamp } from './helpers/mavlink-encoder.js';

let dialect: Dialect;
beforeAll(async () => {
  dialect = await loadDialect('ardupilotmega');
});

const WALL = Date.UTC(2026, 5, 1, 12, 0, 0);
const hb = (customMode: number): Record<string, number> => ({ type: 2, autopilot: 3, base_mode: 209, custom_mode: customMode, system_status: 4, mavlink_version: 3 });

describe('reader', () => {
  it('turns a byte stream from two vehicles into placed messages and vehicle events', () => {
    const reader = createMavlinkReader({ dialect, deviceClock: { driftPpm: 0 } });
    const bytes = Buffer.concat([
      encodeV2('HEARTBEAT', hb(4), { sysid: 1, seq: 0 }),
      encodeV1('HEARTBEAT', { ...hb(10), type: 1 }, { sysid: 2, seq: 0 }),
      encodeV2('GLOBAL_POSITION_INT', { time_boot_ms: 90_000, lat: 473977418, lon: 85455939, alt: 500_000, relative_alt: 20_000, hdg: 9000 }, { sysid: 1, seq: 1 }),
      encodeV1('ATTITUDE', { time_boot_ms: 5_000, roll: 0.5 }, { sysid: 2, seq: 1 }),
    ]);
    const r = reader.read(bytes, WALL);
    expect(r.problems).toEqual([]);
    expect(r.events.map((e) => `${e.sysid}:${e.kind}`)).toEqual([
      '1:vehicle.found', '1:link.stats', '1:mode.changed', '1:armed.changed', '2:vehicle.found', '2:link.stats', '2:mode.changed', '2:armed.changed',
    ]);
    expect(r.messages.map((m) => `${m.sysid}:${m.name}:${m.time}`)).toEqual(['1:HEARTBEAT:arrival', '2:HEARTBEAT:arrival', '1:GLOBAL_POSITION_INT:boot', '2:ATTITUDE:boot']);
    const gp = r.messages[2]!;
    expect(gp).toMatchObject({ version: 2, seq: 1, signed: false, timestampMs: WALL });
    expect(gp.fields.find((f) => f.name === 'lat')).toEqual({ name: 'lat', value: 47.3977418, unit: 'deg' });
    expect(r.messages[1]!.fields.find((f) => f.name === 'flight_mode')?.value).toBe('AUTO');
    expect(reader.vehicles().map((v) => [v.sysid, v.flightMode])).toEqual([[1, 'GUIDED'], [2, 'AUTO']]);
  });

  it('a reboot: vehicle.restarted, the new boot clock anchored, no loss counted for the restarted sequence', () => {
    const reader = createMavlinkReader({ dialect, deviceClock: { driftPpm: 0 } });
    reader.read(encodeV2('ATTITUDE', { time_boot_ms: 600_000 }, { seq: 100 }), WALL);
    reader.read(encodeV2('ATTITUDE', { time_boot_ms: 601_000 }, { seq: 101 }), WALL + 1_000);
    const after = reader.read(encodeV2('ATTITUDE', { time_boot_ms: 3_000 }, { seq: 0 }), WALL + 30_000);
    expect(after.events).toEqual([{ kind: 'vehicle.restarted', sysid: 1, compid: 1, atMs: WALL + 30_000 }]);
    expect(after.messages[0]).toMatchObject({ timestampMs: WALL + 30_000, time: 'boot' });
    expect(reader.read(encodeV2('ATTITUDE', { time_boot_ms: 4_000 }, { seq: 1 }), WALL + 31_020).messages[0]!.timestampMs).toBe(WALL + 31_000);
    expect(reader.vehicles()[0]).toMatchObject({ received: 4, lost: 0 });
  });

  it('keeps only the systems and components asked for', () => {
    const reader = createMavlinkReader({ dialect, systems: [1], components: [1] });
    const r = reader.read(Buffer.concat([
      encodeV2('HEARTBEAT', hb(4), { sysid: 1 }),
      encodeV2('HEARTBEAT', hb(4), { sysid: 2 }),
      encodeV2('HEARTBEAT', hb(4), { sysid: 1, compid: 191 }),
    ]), WALL);
    expect(r.messages.map((m) => `${m.sysid}/${m.compid}`)).toEqual(['1/1']);
    expect(reader.counts().filtered).toBe(2);
    expect(reader.vehicles().map((v) => v.sysid)).toEqual([1]);
  });

  it('with a signing key: signed messages marked, unsigned and forged ones refused and counted', () => {
    const key = signingKey('fleet secret');
    const reader = createMavlinkReader({ dialect, signing: { key } });
    const ts = signatureTimestamp(WALL);
    const r = reader.read(Buffer.concat([
      encodeV2('HEARTBEAT', hb(4), { sign: { key, linkId: 1, timestamp: ts } }),
      encodeV2('HEARTBEAT', hb(4), { seq: 1 }),
      encodeV2('HEARTBEAT', hb(4), { seq: 2, sign: { key: signingKey('guess'), linkId: 9, timestamp: ts + 1 } }),
    ]), WALL);
    expect(r.messages.map((m) => m.signed)).toEqual([true]);
    expect(r.problems.map((p) => p.kind)).toEqual(['unsigned', 'bad_signature']);
    expect(reader.counts().signatureProblemsByLink).toEqual(new Map([[9, 1]]));
  });

  it('end() settles a frame cut short when the stream closes', () => {
    const reader = createMavlinkReader({ dialect });
    expect(reader.read(encodeV2('HEARTBEAT', hb(4)).subarray(0, 8), WALL).problems).toEqual([]);
    expect(reader.end(WALL).problems.map((p) => p.kind)).toEqual(['garbage']);
  });
});
