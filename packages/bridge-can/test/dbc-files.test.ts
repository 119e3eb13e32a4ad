import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCanDecoder, isCanBridgeError, loadDbcFiles, mergeDatabases, parseDbc, parseDbcSources } from '../src/index.js';

const header = 'VERSION ""\n\nNS_ :\n\nBS_:\n\nBU_: A\n\n';
const engine = `${header}BO_ 100 Engine: 8 A\n SG_ Rpm : 0|16@1+ (1,0) [0|0] "" A\n\nBA_DEF_ "BusType" STRING ;\nBA_ "BusType" "CAN";\nVAL_TABLE_ T 1 "one" ;\n`;
const body = `${header}BO_ 200 Doors: 8 A\n SG_ Open : 0|1@1+ (1,0) [0|0] "" A\nBO_ 100 Clash: 8 A\n SG_ X : 0|8@1+ (1,0) [0|0] "" A\nBO_ 300 Engine: 8 A\n\nBA_DEF_ "BusType" STRING ;\nBA_DEF_ "Extra" INT 0 9;\nBA_ "BusType" "CAN FD";\nBA_ "Extra" 3;\nVAL_TABLE_ T 2 "two" ;\n`;
const j1939 = (sa: number): string => `${header}BO_ ${0x80000000 + 0x18fef100 + sa} Ccvs${sa}: 8 A\n SG_ Speed : 8|16@1+ (0.00390625,0) [0|250.996] "km/h" A\n\nBA_DEF_ "ProtocolType" STRING ;\nBA_ "ProtocolType" "J1939";\n`;

describe('several DBC files as one database', () => {
  it('merges in file order; the first definition of an id wins and the clash names both places', () => {
    const { database, problems } = parseDbcSources([
      { file: 'engine.dbc', text: engine },
      { file: 'body.dbc', text: body },
    ]);
    expect(database.files).toEqual(['engine.dbc', 'body.dbc']);
    expect(database.messages.map((m) => m.name)).toEqual(['Engine', 'Doors', 'Engine']);
    expect(problems.map((p) => `${p.kind} ${p.file}:${p.line}: ${p.message}`)).toEqual([
      'duplicate_id body.dbc:11: message Clash has the id 0x64 of Engine (engine.dbc:9); the first definition is used',
      'duplicate_name body.dbc:13: message name Engine is also used in engine.dbc:9; both are decoded, but metric names built from it will collide',
    ]);
    expect(database.attributes).toEqual({ BusType: 'CAN', Extra: 3 });
    expect([...database.valueTables.get('T')!]).toEqual([[1, 'one']]);
    expect(createCanDecoder(database).find(100, false)!.message.location.file).toBe('engine.dbc');
  });

  it('keeps two J1939 messages of one PGN from different senders, and refuses a second of one PGN and sender', () => {
    const { database, problems } = parseDbcSources([
      { file: 'a.dbc', text: j1939(0x00) },
      { file: 'b.dbc', text: j1939(0x17) },
      { file: 'c.dbc', text: j1939(0x17).replace('Ccvs23', 'Again23') },
    ]);
    expect(database.messages.map((m) => m.name)).toEqual(['Ccvs0', 'Ccvs23']);
    expect(problems.map((p) => p.message)).toEqual(['message Again23 has the J1939 PGN 65265 and source address 23 of Ccvs23 (b.dbc:9); the first definition is used']);
    expect(createCanDecoder(database).find(0x0cfef117, true)!.message.name).toBe('Ccvs23');
  });

  it('the decoder also refuses a second message for one lookup key, even from an unmerged database', () => {
    const a = parseDbc(j1939(1), { file: 'a.dbc' }).database;
    const b = parseDbc(j1939(1).replace('Ccvs1', 'Again1'), { file: 'b.dbc' }).database;
    const decoder = createCanDecoder({ ...a, messages: [...a.messages, ...b.messages] });
    expect(decoder.decoders).toHaveLength(1);
    expect(decoder.problems).toMatchObject([{ kind: 'duplicate_id', file: 'b.dbc', message: expect.stringContaining('J1939 PGN 65265 and source address 1 of Ccvs1') }]);
    expect(mergeDatabases([a]).problems).toEqual([]);
  });
});

describe('loadDbcFiles', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bridge-can-dbc-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads UTF-8, and Windows-1252 when the bytes are not UTF-8', async () => {
    const utf8 = join(dir, 'utf8.dbc');
    const cp1252 = join(dir, 'cp1252.dbc');
    const text = `${header}BO_ 1 T: 8 A\n SG_ Temp : 0|8@1+ (1,0) [0|0] "°C" A\n`;
    await writeFile(utf8, text, 'utf8');
    await writeFile(cp1252, Buffer.from(text.replace('°', '\u00b0'), 'latin1'));
    const { database, problems } = await loadDbcFiles([utf8, cp1252]);
    expect(problems.map((p) => p.kind)).toEqual(['duplicate_id']);
    expect(database.messages[0]!.signals[0]!.unit).toBe('°C');
    const alone = await loadDbcFiles([cp1252]);
    expect(alone.database.messages[0]!.signals[0]!.unit).toBe('°C');
  });

  it('reads UTF-16 with its byte-order mark, little- and big-endian (what Windows editors save as Unicode)', async () => {
    const text = `${header}BO_ 1 T: 8 A\n SG_ Temp : 0|8@1+ (1,0) [0|0] "°C" A\n`;
    const le = join(dir, 'utf16le.dbc');
    const be = join(dir, 'utf16be.dbc');
    await writeFile(le, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    await writeFile(be, Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]));
    for (const file of [le, be]) {
      const { database, problems } = await loadDbcFiles([file]);
      expect(problems, file).toEqual([]);
      expect(database.messages.map((m) => [m.name, m.signals.map((sg) => [sg.name, sg.unit])])).toEqual([['T', [['Temp', '°C']]]]);
    }
  });

  it('throws DBC_READ_FAILED for a missing file and for one over the size limit, saying what to check', async () => {
    const missing = join(dir, 'nope.dbc');
    await expect(loadDbcFiles([missing])).rejects.toSatisfy((err: unknown) => isCanBridgeError(err, 'DBC_READ_FAILED') && err.message.includes('no such file'));
    const big = join(dir, 'big.dbc');
    await writeFile(big, 'x'.repeat(5000));
    await expect(loadDbcFiles([big], { limits: { maxFileBytes: 4096 } })).rejects.toThrow(/5000 bytes, over the limit of 4096/);
  });
});
