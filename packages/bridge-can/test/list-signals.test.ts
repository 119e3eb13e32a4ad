import { describe, expect, it } from 'vitest';
import { formatSignalList, parseDbc, parseDbcSources, vehicleDatabase } from '../src/index.js';

describe('formatSignalList (--list-signals)', () => {
  it('lists messages by id with length, cycle time and senders, and signals with range, unit, layout and values', () => {
    const text = formatSignalList(vehicleDatabase());
    const lines = text.split('\n');
    expect(lines[0]).toBe('vehicle.dbc: 7 messages, 30 signals');
    expect(lines).toContain('EngineData  0x0C8 (200)  8 bytes  every 10 ms  from ECM');
    expect(text).toMatch(/ {2}EngineSpeed +0\.\.16383\.75 rpm +16 bits little-endian unsigned at bit 0, factor 0\.25\n/);
    expect(text).toMatch(/ {2}CoolantTemp +-40\.\.215 degC +8 bits little-endian unsigned at bit 24, offset -40\n/);
    expect(text).toMatch(/ {2}SteeringAngle +-780\.\.780 deg +16 bits big-endian signed at bit 7, factor 0\.1\n/);
    expect(text).toMatch(/values: 0 = "P", 1 = "R", 2 = "N", 3 = "D", 15 = "Invalid"\n/);
    expect(text).toMatch(/ {2}BatteryMux \(multiplexor\) +0\.\.2 /);
    expect(text).toMatch(/ {2}PackVoltage \[BatteryMux = 0\] +0\.\.655\.35 V /);
    expect(text).toMatch(/ {2}YawRate +-300\.\.300 deg\/s +32 bits little-endian float32 at bit 0\n/);
    expect(text).toContain('VehicleDistance  0x18FEC1EE (419348974, extended)  8 bytes  every 1000 ms  from IC');
    // Standard ids first, in id order, then extended ones.
    expect(lines.filter((l) => /^\w+ {2}0x/.test(l)).map((l) => l.split(' ')[0])).toEqual([
      'SteeringAngle', 'EngineData', 'WheelSpeeds', 'Transmission', 'BatteryStatus', 'ImuData', 'VehicleDistance',
    ]);
  });

  it('shows J1939 PGNs, CAN FD, long value tables cut short, ranges of extended multiplexing, and the problems', () => {
    const dbc = `VERSION ""\n\nBU_: A\n\nBO_ ${0x80000000 + 0x18fef1fe} Ccvs: 8 A\n SG_ Speed : 8|16@1+ (0.00390625,0) [0|250.996] "km/h" A\nBO_ 5 Fd: 64 A\n SG_ Sw M : 0|8@1+ (1,0) [0|0] "" A\n SG_ X m1 : 8|8@1+ (1,0) [0|0] "" A\n SG_ Bad : 0|99@1+ (1,0) [0|0] "" A\n\n` +
      `BA_DEF_ "ProtocolType" STRING ;\nBA_ "ProtocolType" "J1939";\nSG_MUL_VAL_ 5 X Sw 1-3, 7-7;\nVAL_ 5 Sw ${Array.from({ length: 20 }, (_, i) => `${i} "v${i}"`).join(' ')} ;\n`;
    const { database, problems } = parseDbcSources([{ file: 'j.dbc', text: dbc }]);
    const text = formatSignalList(database, { problems, maxValues: 3 });
    expect(text).toContain('Ccvs  PGN 65265 (0x18FEF1FE, any source address)  8 bytes  from A');
    expect(text).toContain('Fd  0x005 (5)  64 bytes CAN FD  from A');
    expect(text).toMatch(/X \[Sw = 1-3, 7\]/);
    expect(text).toContain('values: 0 = "v0", 1 = "v1", 2 = "v2", ... 17 more');
    expect(text).toContain('1 problem in the files:\n  j.dbc:10:2: signal Bad of Fd: length 99 is not between 1 and 64 bits; it was dropped\n');
    expect(formatSignalList(parseDbc('').database)).toBe('input.dbc: 0 messages, 0 signals\n');
    const quoted = parseDbcSources([{ file: 'q.dbc', text: 'VERSION ""\n\nBU_: A\n\nBO_ 1 M: 1 A\n SG_ Mode : 0|8@1+ (1,0) [0|0] "" A\n\nVAL_ 1 Mode 0 "Run \\"fast\\"" 1 "Stop" ;\n' }]);
    expect(formatSignalList(quoted.database)).toContain('values: 0 = "Run \\"fast\\"", 1 = "Stop"\n');
  });
});
