import { common } from 'node-mavlink';
import * as nm from 'node-mavlink';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ARDUPILOT_MODES_BY_TYPE, DEFAULT_FIELDS, compileMessagePlan, createMavlinkParser, enumText, flightModeName, isMavlinkBridgeError, loadDialect,
  unitConversion, type Dialect, type MessageSelection,
} from '../src/index.js';
import { encodeV2 } from './helpers/mavlink-encoder.js';
import { nmFrame } from './helpers/node-mavlink.js';

let dialect: Dialect;
beforeAll(async () => {
  dialect = await loadDialect('ardupilotmega');
});

function refusals(selection: MessageSelection): { path: (string | number)[]; message: string }[] {
  try {
    compileMessagePlan(dialect, selection);
  } catch (err) {
    if (isMavlinkBridgeError(err, 'BAD_MESSAGES')) return [...err.issues];
    throw err;
  }
  throw new Error('the selection was accepted');
}

describe('message selections', () => {
  it('refuses what does not exist, each refusal with its path, all at once', () => {
    const issues = refusals({
      GPS_RAW_IN: 'default',
      ATTITUDE: [{ field: 'rol' }, { field: 'roll', to: 'm' }, { field: 'pitch', to: 'furlong' }, { field: 'Yaw' }],
      BATTERY_STATUS: [{ field: 'voltages', index: 10 }, { field: 'id', index: 0 }, { field: 'voltage', to: 'mV' }, { field: 'type', enum: 'NO_SUCH_ENUM' }, { field: 'type', as: 't', enum: 'MAV_BATTERY_TYPES' }],
      HEARTBEAT: [{ field: 'type' }, { field: 'custom_mode', as: 'type' }],
      STATUSTEXT: [{ field: 'text', scale: 2 }],
    });
    expect(issues).toEqual([
      { path: ['GPS_RAW_IN'], atKey: true, message: expect.stringContaining('did you mean GPS_RAW_INT?') },
      { path: ['ATTITUDE', 0, 'field'], message: expect.stringMatching(/ATTITUDE\.rol: no such field \(did you mean roll\?\) \(ATTITUDE has time_boot_ms, roll/) },
      { path: ['ATTITUDE', 1, 'to'], message: 'ATTITUDE.roll: cannot convert rad (angle) to m (length)' },
      { path: ['ATTITUDE', 2, 'to'], message: expect.stringContaining('unknown unit "furlong"') },
      // Field names are the XML's, lower case.
      { path: ['ATTITUDE', 3, 'field'], message: expect.stringMatching(/ATTITUDE\.Yaw: no such field \(did you mean yaw\?\)/) },
      { path: ['BATTERY_STATUS', 0, 'index'], message: 'BATTERY_STATUS.voltages: index 10 is outside 0..9' },
      { path: ['BATTERY_STATUS', 1, 'index'], message: 'BATTERY_STATUS.id: "index" needs an array field' },
      { path: ['BATTERY_STATUS', 2, 'to'], message: 'BATTERY_STATUS.voltage: a derived field takes only "as" (not "to")' },
      { path: ['BATTERY_STATUS', 3, 'enum'], message: 'BATTERY_STATUS.type: unknown enum "NO_SUCH_ENUM" in the ardupilotmega dialect' },
      { path: ['BATTERY_STATUS', 4, 'enum'], message: 'BATTERY_STATUS.type: unknown enum "MAV_BATTERY_TYPES" in the ardupilotmega dialect (did you mean MAV_BATTERY_TYPE?)' },
      { path: ['HEARTBEAT', 1], message: 'HEARTBEAT: two records are named "type" (set "as" on one)' },
      { path: ['STATUSTEXT', 0, 'scale'], message: 'STATUSTEXT.text: a text field takes no "scale"' },
    ]);
  });

  it('gives a bare field name its default settings; an object says everything itself', () => {
    const plan = compileMessagePlan(dialect, { GPS_RAW_INT: ['eph', { field: 'epv' }, 'fix_type', 'vel'], SYS_STATUS: ['current_battery', 'load'] });
    const gps = createMavlinkParser({ dialect }).push(encodeV2('GPS_RAW_INT', { eph: 121, epv: 180, fix_type: 3, vel: 65535 })).frames[0]!;
    // eph: 121 * 0.01 (its default scale); epv as written (no scale); fix_type with its text; vel 65535 is "not known".
    expect(plan.fields(gps.message, gps.payload)!.fields).toEqual([
      { name: 'eph', value: 1.21 },
      { name: 'epv', value: 180 },
      { name: 'fix_type', value: 3 },
      { name: 'fix_type_text', value: '3D_FIX' },
    ]);
    const sys = createMavlinkParser({ dialect }).push(encodeV2('SYS_STATUS', { current_battery: -1, load: 250 })).frames[0]!;
    expect(plan.fields(sys.message, sys.payload)!.fields).toEqual([{ name: 'load', value: 25, unit: '%' }]);
  });

  it('compiles the defaults for the seven messages, and "default" means every field for any other message', () => {
    const plan = compileMessagePlan(dialect);
    // GPS2_RAW has defaults of its own (as GPS_RAW_INT's) but is read only when named.
    expect([...plan.messageNames].sort()).toEqual(['ATTITUDE', 'BATTERY_STATUS', 'GLOBAL_POSITION_INT', 'GPS_RAW_INT', 'HEARTBEAT', 'STATUSTEXT', 'SYS_STATUS', 'VFR_HUD']);
    expect(Object.keys(DEFAULT_FIELDS)).toContain('GPS2_RAW');
    const servo = compileMessagePlan(dialect, { SERVO_OUTPUT_RAW: 'default' });
    const bytes = nmFrame(Object.assign(new common.ServoOutputRaw(), { timeUsec: 5, port: 1, servo1Raw: 1500, servo2Raw: 1100, servo3Raw: 0, servo4Raw: 0, servo5Raw: 0, servo6Raw: 0, servo7Raw: 0, servo8Raw: 0, servo9Raw: 0, servo10Raw: 0, servo11Raw: 0, servo12Raw: 0, servo13Raw: 0, servo14Raw: 0, servo15Raw: 0, servo16Raw: 0 }));
    const frame = createMavlinkParser({ dialect }).push(bytes).frames[0]!;
    const result = servo.fields(frame.message, frame.payload)!;
    expect(result.instance).toBe(1);
    expect(result.fields.map((f) => f.name)).toEqual(frame.message.fields.map((f) => f.name));
    expect(result.fields.find((f) => f.name === 'servo1_raw')).toEqual({ name: 'servo1_raw', value: 1500, unit: 'us' });
  });

  it('leaves a GPS report\'s position out while it has no fix, whatever the records are named, and reads it from a 2D fix on', () => {
    const plan = compileMessagePlan(dialect, { GPS2_RAW: [{ field: 'lat', as: 'latitude' }, 'lon', 'fix_type', 'satellites_visible'] });
    const records = (fix: number) => {
      const frame = createMavlinkParser({ dialect }).push(encodeV2('GPS2_RAW', { fix_type: fix, lat: 473977418, lon: 85455939, satellites_visible: 5 })).frames[0]!;
      return plan.fields(frame.message, frame.payload)!.fields.map((f) => f.name);
    };
    expect(records(0)).toEqual(['fix_type', 'fix_type_text', 'satellites_visible']);
    expect(records(1)).toEqual(['fix_type', 'fix_type_text', 'satellites_visible']);
    expect(records(2)).toEqual(['latitude', 'lon', 'fix_type', 'fix_type_text', 'satellites_visible']);
  });

  it('reads HIGH_LATENCY2 (a satellite link) in the units a ground station shows: deg/2, m/s*5 and dam scaled out', () => {
    const plan = compileMessagePlan(dialect, { HIGH_LATENCY2: ['heading', 'wind_heading', 'airspeed', 'groundspeed', 'windspeed', 'target_distance', 'eph', 'climb_rate', { field: 'heading', as: 'heading_raw', to: 'raw' }] });
    const message = Object.assign(new common.HighLatency2(), {
      timestamp: 1, type: 1, autopilot: 3, customMode: 10, latitude: 0, longitude: 0, altitude: 100, targetAltitude: 120,
      heading: 135, targetHeading: 0, targetDistance: 42, throttle: 60, airspeed: 91, airspeedSp: 100, groundspeed: 88, windspeed: 13,
      windHeading: 179, eph: 15, epv: 20, temperatureAir: 21, climbRate: -5, battery: 80, wpNum: 3, failureFlags: 0, custom0: 0, custom1: 0, custom2: 0,
    });
    const frame = createMavlinkParser({ dialect }).push(nmFrame(message)).frames[0]!;
    const records = plan.fields(frame.message, frame.payload)!.fields;
    // heading 135 x 2 deg; airspeed 91 / 5 m/s; target_distance 42 x 10 m; eph 15 dm = 1.5 m; climb_rate -5 dm/s = -0.5 m/s.
    expect(records).toEqual([
      { name: 'heading', value: 270, unit: 'deg' },
      { name: 'wind_heading', value: 358, unit: 'deg' },
      { name: 'airspeed', value: 18.2, unit: 'm/s' },
      { name: 'groundspeed', value: 17.6, unit: 'm/s' },
      { name: 'windspeed', value: 2.6, unit: 'm/s' },
      { name: 'target_distance', value: 420, unit: 'm' },
      { name: 'eph', value: 1.5, unit: 'm' },
      { name: 'climb_rate', value: -0.5, unit: 'm/s' },
      { name: 'heading_raw', value: 135, unit: 'deg/2' },
    ]);
  });

  it('"all" on a message with defaults keeps every wire field and the defaults\' settings for theirs', () => {
    const plan = compileMessagePlan(dialect, { SYS_STATUS: 'all' });
    const frame = createMavlinkParser({ dialect }).push(encodeV2('SYS_STATUS', { voltage_battery: 65535, errors_count2: 7, load: 10 })).frames[0]!;
    const names = plan.fields(frame.message, frame.payload)!.fields.map((f) => `${f.name}=${String(f.value)}`);
    expect(names).toContain('errors_count2=7');
    expect(names).toContain('load=1');
    expect(names.some((n) => n.startsWith('voltage_battery'))).toBe(false);
  });

  it('unselected messages give no records', () => {
    const plan = compileMessagePlan(dialect, { ATTITUDE: 'default' });
    const frame = createMavlinkParser({ dialect }).push(encodeV2('VFR_HUD', { airspeed: 3 })).frames[0]!;
    expect(plan.selects(frame.msgid)).toBe(false);
    expect(plan.fields(frame.message, frame.payload)).toBeUndefined();
  });

  it('a named value\'s name is its instance', () => {
    const plan = compileMessagePlan(dialect, { NAMED_VALUE_FLOAT: 'default' });
    const bytes = nmFrame(Object.assign(new common.NamedValueFloat(), { timeBootMs: 1, name: 'rpm', value: 1500.5 }));
    const frame = createMavlinkParser({ dialect }).push(bytes).frames[0]!;
    expect(plan.fields(frame.message, frame.payload)).toEqual({
      instance: 'rpm',
      // Records follow the wire order of the fields (by size) when a whole message is taken.
      fields: [{ name: 'time_boot_ms', value: 1, unit: 'ms' }, { name: 'value', value: 1500.5 }, { name: 'name', value: 'rpm' }],
    });
  });
});

describe('units', () => {
  it('divides by exact powers of ten so that decimal inputs stay decimal', () => {
    const c = (from: string, to: string, v: number): number => {
      const conv = unitConversion(from, to);
      if (typeof conv === 'string') throw new Error(conv);
      return conv.apply(v);
    };
    expect(c('degE7', 'deg', 473977418)).toBe(47.3977418);
    expect(c('mm', 'm', 1)).toBe(0.001);
    expect(c('cm/s', 'm/s', 7)).toBe(0.07);
    expect(c('cdeg', 'deg', 35999)).toBe(359.99);
    expect(c('mV', 'V', 12587)).toBe(12.587);
    expect(c('cA', 'A', -1)).toBe(-0.01);
    expect(c('hJ', 'J', 3)).toBe(300);
    expect(c('m', 'mm', 1.5)).toBe(1500);
    expect(c('m/s', 'km/h', 10)).toBeCloseTo(36, 12);
    expect(unitConversion('degC', 'K')).toMatch(/unknown unit "K"/);
  });
});

describe('enum text and flight modes', () => {
  it('names enum values from the dialect, bitmasks by their bits, unknown values as UNKNOWN(n)', () => {
    expect(enumText(dialect.enumEntries('MAV_STATE')!, 4)).toBe('ACTIVE');
    expect(enumText(dialect.enumEntries('GPS_FIX_TYPE')!, 6)).toBe('RTK_FIXED');
    expect(enumText(dialect.enumEntries('MAV_TYPE')!, 10)).toBe('GROUND_ROVER');
    expect(enumText(dialect.enumEntries('MAV_MODE_FLAG')!, 128 + 1)).toBe('CUSTOM_MODE_ENABLED|SAFETY_ARMED');
    expect(enumText(dialect.enumEntries('MAV_STATE')!, 200)).toBe('UNKNOWN(200)');
  });

  it('has ArduPilot\'s mode tables as ardupilotmega.xml defines them (node-mavlink\'s generated enums)', () => {
    const lib = nm.ardupilotmega as unknown as Record<string, Record<string, unknown>>;
    const table = (name: string): Record<number, string> =>
      Object.fromEntries(Object.entries(lib[name]!).filter(([, v]) => typeof v === 'number').map(([k, v]) => [v as number, k]));
    expect(ARDUPILOT_MODES_BY_TYPE[2]).toEqual(table('CopterMode'));
    expect(ARDUPILOT_MODES_BY_TYPE[1]).toEqual(table('PlaneMode'));
    expect(ARDUPILOT_MODES_BY_TYPE[10]).toEqual(table('RoverMode'));
    expect(ARDUPILOT_MODES_BY_TYPE[12]).toEqual(table('SubMode'));
    expect(ARDUPILOT_MODES_BY_TYPE[5]).toEqual(table('TrackerMode'));
  });

  it('decodes PX4 main and sub modes, and generic autopilots from base_mode', () => {
    const hb = (autopilot: number, customMode: number, baseMode = 1): string | undefined => flightModeName({ type: 2, autopilot, baseMode, customMode, systemStatus: 4 });
    // custom_mode = main << 16 | sub << 24 (px4_custom_mode.h).
    expect(hb(12, 3 << 16)).toBe('POSCTL');
    expect(hb(12, (3 << 16) | (1 << 24))).toBe('POSCTL_ORBIT');
    expect(hb(12, (4 << 16) | (5 << 24))).toBe('AUTO_RTL');
    expect(hb(12, 6 << 16)).toBe('OFFBOARD');
    expect(hb(12, 99 << 16)).toBe(`UNKNOWN(${99 << 16})`);
    expect(hb(3, 1000)).toBe('UNKNOWN(1000)');
    expect(hb(0, 0, 4 | 128)).toBe('AUTO');
    expect(hb(0, 0, 64)).toBe('MANUAL');
    expect(hb(8, 0)).toBeUndefined();
  });
});
