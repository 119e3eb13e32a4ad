import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTestContext, trackCleanups } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { canConfigSchema } from '../src/config.js';
import { describeCan } from '../src/bridge.js';
import { createCanDecoder, formatSignalList, parseDbc } from '../src/index.js';
import { createCanSource } from '../src/source.js';

const track = trackCleanups();

// A truck maker's J1939 DBC defines CCVS1 (PGN 65265 = 0xFEF1) twice, once per sender, each with
// the signals that sender fills: the engine (0x00) sends the wheel speed, the instrument cluster
// (0x17) the parking brake. Software identification (PGN 0xFEDA, 10 bytes: the transport
// protocol) likewise from the engine and from the transmission (0x03). DBC ids carry bit 31.
const dbcId = (id: number): number => 0x80000000 + id;
const DBC = `VERSION ""

NS_ :

BS_:

BU_: ECM ICL TCM

BO_ ${dbcId(0x18fef100)} CCVS1_ECM: 8 ECM
 SG_ WheelSpeed : 8|16@1+ (0.00390625,0) [0|250.996] "km/h" ICL

BO_ ${dbcId(0x18fef117)} CCVS1_ICL: 8 ICL
 SG_ ParkingBrake : 2|2@1+ (1,0) [0|3] "" ECM

BO_ ${dbcId(0x18feda00)} Soft0: 10 ECM
 SG_ Word : 0|16@1+ (1,0) [0|65535] "" ICL

BO_ ${dbcId(0x18feda03)} Soft3: 10 TCM
 SG_ Word : 0|16@1+ (1,0) [0|65535] "" ICL
 SG_ Byte9 : 72|8@1+ (1,0) [0|255] "" ICL

BA_DEF_ "ProtocolType" STRING ;
BA_DEF_DEF_ "ProtocolType" "";
BA_ "ProtocolType" "J1939";
`;

describe('a J1939 PGN the DBC defines once per sender', () => {
  it('reads each sender with its own message, and any other sender with the first', () => {
    const { database, problems } = parseDbc(DBC, { file: 'truck.dbc' });
    const decoder = createCanDecoder(database);
    expect([...problems, ...decoder.problems]).toEqual([]);
    const name = (id: number): string | undefined => decoder.find(id, true)?.message.name;
    expect(name(0x18fef100)).toBe('CCVS1_ECM');
    // The cluster's frames, whatever their priority.
    expect(name(0x18fef117)).toBe('CCVS1_ICL');
    expect(name(0x0cfef117)).toBe('CCVS1_ICL');
    // A sender no message names: the first definition, as for any PGN.
    expect(name(0x0cfef103)).toBe('CCVS1_ECM');
    expect(name(0x18feda03)).toBe('Soft3');
    // Bytes 0x04 = 0b100: bits 2-3 are 01.
    expect(decoder.decode({ id: 0x18fef117, extended: true, data: Uint8Array.of(0x04, 0, 0, 0, 0, 0, 0, 0) })?.signals).toMatchObject([{ name: 'ParkingBrake', value: 1 }]);
  });

  it('still refuses a second message for one PGN and sender', () => {
    const twice = DBC.replace(`BO_ ${dbcId(0x18feda03)} Soft3`, `BO_ ${dbcId(0x0cfeda00)} Soft3`);
    const decoder = createCanDecoder(parseDbc(twice, { file: 'truck.dbc' }).database);
    expect(decoder.problems.map((p) => `${p.line}: ${p.message}`)).toEqual(['18: message Soft3 has the J1939 PGN 65242 and source address 0 of Soft0 (truck.dbc:15); it is not decoded']);
  });

  it('says which senders each message reads, in --list-signals and --check', async () => {
    const dir = await track.tempDir('bridge-can-senders-');
    const dbc = join(dir, 'truck.dbc');
    await writeFile(dbc, DBC);
    await writeFile(join(dir, 'truck.log'), '');
    const list = formatSignalList(parseDbc(DBC, { file: 'truck.dbc' }).database);
    expect(list).toContain('CCVS1_ECM  PGN 65265 (0x18FEF100, source address 0 and any other no message names)');
    expect(list).toContain('CCVS1_ICL  PGN 65265 (0x18FEF117, source address 23)');
    const lines = describeCan(canConfigSchema.parse({ interface: `file:${join(dir, 'truck.log')}`, dbc, messages: ['CCVS1_*'] }));
    expect(lines).toContain('  CCVS1_ICL PGN 65265 from source address 23: ParkingBrake');
  });

  it('bridge-can decodes each sender by its own message, its transport messages included', async () => {
    const dir = await track.tempDir('bridge-can-senders-');
    const dbc = join(dir, 'truck.dbc');
    const log = join(dir, 'truck.log');
    await writeFile(dbc, DBC);
    // Values by hand. WheelSpeed: bytes 1-2 little-endian, 1/256 km/h: 0x3200 = 12800 is 50,
    // 0x6400 = 25600 is 100. ParkingBrake: bits 2-3 of byte 0, 0x04 -> 1, 0x08 -> 2.
    // Soft3 from 0x03 by BAM (TP.CM 0x20, 10 bytes, 2 packets, PGN DA FE 00): bytes 34 12 00 00
    // 00 00 00 | 00 00 7B, so Word = 0x1234 = 4660 and Byte9 = 0x7B = 123.
    await writeFile(
      log,
      [
        '(1700000000.000000) can0 18FEF100#0000320000000000',
        '(1700000000.010000) can0 18FEF117#0400000000000000',
        '(1700000000.020000) can0 0CFEF103#0000640000000000',
        '(1700000000.030000) can0 0CFEF117#0800000000000000',
        '(1700000000.100000) can0 1CECFF03#200A0002FFDAFE00',
        '(1700000000.150000) can0 1CEBFF03#0134120000000000',
        '(1700000000.200000) can0 1CEBFF03#0200007BFFFFFFFF',
      ].join('\n') + '\n',
    );
    const t = createTestContext({ bridge: 'can' });
    track.defer(() => t.abort.abort());
    // The engine's software id is not read: the transmission's still is, from its own transport session.
    const section = canConfigSchema.parse({ interface: `file:${log}`, dbc, bus: 'truck', messages: ['CCVS1_*', 'Soft3'] });
    const bridge = track.add(createCanSource(section, t.ctx), (b) => b.stop());
    await bridge.start();
    await bridge.ended;
    expect(t.points.map((p) => [p.metric, p.value, p.tags?.source_address])).toEqual([
      ['CCVS1_ECM.WheelSpeed', 50, '0'],
      ['CCVS1_ICL.ParkingBrake', 1, '23'],
      ['CCVS1_ECM.WheelSpeed', 100, '3'],
      ['CCVS1_ICL.ParkingBrake', 2, '23'],
      ['Soft3.Word', 4660, '3'],
      ['Soft3.Byte9', 123, '3'],
    ]);
    expect(t.problems.filter((p) => p.kind === 'report')).toEqual([]);
  });
});

// Proprietary A (PGN 0xEF00, PDU1: its PS byte is the destination) from the body controller
// (0x21) with one layout to the engine (0x00) and another, 12 bytes long, to the transmission (0x03).
const PROP_DBC = `VERSION ""

BU_: BCM ECM TCM

BO_ ${dbcId(0x18ef0021)} PropA_ECM: 8 BCM
 SG_ Torque : 0|8@1+ (1,0) [0|255] "" ECM

BO_ ${dbcId(0x18ef0321)} PropA_TCM: 12 BCM
 SG_ Gear : 0|8@1+ (1,0) [0|255] "" TCM
 SG_ Tail : 88|8@1+ (1,0) [0|255] "" TCM

BA_DEF_ "ProtocolType" STRING ;
BA_ "ProtocolType" "J1939";
`;

describe('a J1939 PDU1 PGN the DBC defines once per destination', () => {
  it('reads the frames to each destination with its own message, and to any other with the first', () => {
    const { database, problems } = parseDbc(PROP_DBC, { file: 'body.dbc' });
    const decoder = createCanDecoder(database);
    expect([...problems, ...decoder.problems]).toEqual([]);
    const name = (id: number): string | undefined => decoder.find(id, true)?.message.name;
    expect(name(0x18ef0021)).toBe('PropA_ECM');
    expect(name(0x18ef0321)).toBe('PropA_TCM');
    expect(name(0x0cef0317)).toBe('PropA_TCM');
    expect(name(0x18ef0521)).toBe('PropA_ECM');
    // A second message for one PGN, destination and sender is still refused (at any priority).
    const twice = `${PROP_DBC}\nBO_ ${dbcId(0x0cef0321)} PropA_TCM2: 8 BCM\n SG_ Other : 0|8@1+ (1,0) [0|255] "" TCM\n`;
    expect(createCanDecoder(parseDbc(twice, { file: 'body.dbc' }).database).problems.map((p) => `${p.line}: ${p.message}`)).toEqual([
      '15: message PropA_TCM2 has the J1939 PGN 61184, destination address 3 and source address 33 of PropA_TCM (body.dbc:8); it is not decoded',
    ]);
    expect(formatSignalList(database)).toContain('PropA_TCM  PGN 61184 (0x18EF0321, any source address to destination 3)');
  });

  it('bridge-can decodes a message to one destination from its RTS/CTS transport session', async () => {
    const dir = await track.tempDir('bridge-can-destinations-');
    const dbc = join(dir, 'body.dbc');
    const log = join(dir, 'body.log');
    await writeFile(dbc, PROP_DBC);
    // By hand (J1939-21): RTS 0x21 -> 0x03 (16, 12 bytes, 2 packets, PGN 00 EF 00), CTS back,
    // two TP.DT, EndOfMsgAck. Bytes 04 00 00 00 00 00 00 | 00 00 00 00 2A: Gear 4, Tail 42.
    // The frame to the engine before it: Torque 0x50 = 80, not read by this mapping.
    await writeFile(
      log,
      [
        '(1700000000.000000) can0 18EF0021#5000000000000000',
        '(1700000000.100000) can0 1CEC0321#100C0002FF00EF00',
        '(1700000000.110000) can0 1CEC2103#110201FFFF00EF00',
        '(1700000000.120000) can0 1CEB0321#0104000000000000',
        '(1700000000.130000) can0 1CEB0321#02000000002AFFFF',
        '(1700000000.140000) can0 1CEC2103#130C0002FF00EF00',
      ].join('\n') + '\n',
    );
    const t = createTestContext({ bridge: 'can' });
    track.defer(() => t.abort.abort());
    const section = canConfigSchema.parse({ interface: `file:${log}`, dbc, bus: 'body', messages: ['PropA_TCM'] });
    const bridge = track.add(createCanSource(section, t.ctx), (b) => b.stop());
    await bridge.start();
    await bridge.ended;
    expect(t.points.map((p) => [p.metric, p.value, p.timestamp])).toEqual([
      ['PropA_TCM.Gear', 4, 1700000000130],
      ['PropA_TCM.Tail', 42, 1700000000130],
    ]);
    expect(describeCan(canConfigSchema.parse({ interface: `file:${log}`, dbc }))).toContain('  PropA_TCM PGN 61184 from any source address to destination 3: Gear, Tail');
  });
});
