import { readFileSync, readdirSync } from 'node:fs';
import { ConfigError, parseMapping, validatePoint } from '@fieldbridge/core';
import { seededRandom } from '@fieldbridge/core/testing';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  canBridge,
  canConfigSchema,
  createAscReader,
  createTrcReader,
  createCanDecoder,
  decodeFrame,
  formatSignalList,
  loadDbcFilesSync,
  parseCandumpLine,
  parseDbc,
  planCan,
  resolveCanConfig,
  VEHICLE_DBC,
  type CanDecoder,
  type CanPlan,
  type CandumpLineResult,
} from '../src/index.js';

// Fuzzing with a fixed seed and a fixed number of inputs: the test's own timeout bounds the
// time, and a failure names the seed and input so that it can be replayed.
const fixtures = new URL('./fixtures/', import.meta.url);
const texts = [
  VEHICLE_DBC,
  readFileSync(new URL('dbc/everything.dbc', fixtures), 'utf8'),
  ...readdirSync(new URL('signals/', fixtures), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => readFileSync(new URL(`signals/${d.name}/case.dbc`, fixtures), 'utf8')),
];

const PIECES = ['"', ';', ':', '|', '@', '(', ')', '[', ']', ',', '-', '+', '1', '0', 'E', '.', ' ', '\n', '\t', '\\', 'M', 'm', 'm1M', 'BO_ ', 'SG_ ', 'CM_ ', 'BA_ ', 'VAL_ ', 'SG_MUL_VAL_ ', 'SIG_VALTYPE_ ', '\u0000', '\u00ff', '999999999999999999999', '1E+308', '-0', '4294967295'];

/**
 * 40 rounds of a log line reader (made fresh for each round by `create`), each fed 500 lines:
 * mutated `lines` and random printable text, alternately. Frames must be sane; nothing may
 * throw. Returns the number of frames read, for the caller to see the frame paths ran.
 */
function fuzzLogReader(lines: readonly string[], random: () => number, create: (round: number) => { parse(line: string): CandumpLineResult | undefined }): number {
  let frames = 0;
  for (let round = 0; round < 40; round++) {
    const reader = create(round);
    for (let i = 0; i < 500; i++) {
      const line = i % 2 === 0 ? mutate(lines[Math.floor(random() * lines.length)]!, random) : String.fromCharCode(...Array.from({ length: Math.floor(random() * 120) }, () => 32 + Math.floor(random() * 95)));
      const result = reader.parse(line);
      if (result?.ok) {
        frames++;
        expect(result.frame.data.length).toBeLessThanOrEqual(64);
        expect(Number.isNaN(result.frame.timestampMs)).toBe(false);
      }
    }
  }
  return frames;
}

function mutate(text: string, random: () => number): string {
  let out = text;
  const edits = 1 + Math.floor(random() * 12);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(random() * (out.length + 1));
    const kind = random();
    if (kind < 0.3) out = out.slice(0, at) + out.slice(at + 1 + Math.floor(random() * 20));
    else if (kind < 0.7) out = out.slice(0, at) + PIECES[Math.floor(random() * PIECES.length)]! + out.slice(at);
    else if (kind < 0.85) out = out.slice(0, at);
    else {
      const from = Math.floor(random() * out.length);
      out = out.slice(0, at) + out.slice(from, from + Math.floor(random() * 200)) + out.slice(at);
    }
  }
  return out;
}

function randomFrames(decoder: CanDecoder, random: () => number, count: number): number {
  const ids = decoder.decoders.map((d) => d.message);
  let decoded = 0;
  for (let i = 0; i < count; i++) {
    const known = ids.length > 0 && random() < 0.8 ? ids[Math.floor(random() * ids.length)]! : undefined;
    const extended = known ? known.extended : random() < 0.5;
    const id = known ? known.id : Math.floor(random() * (extended ? 0x20000000 : 0x800));
    const data = Uint8Array.from({ length: Math.floor(random() * 65) }, () => Math.floor(random() * 256));
    if (decoder.decode({ id, extended, data })) decoded++;
  }
  return decoded;
}

describe('fuzzing: nothing a peer or a file sends makes the parser or the decoder throw', () => {
  it('random frames, of any length, for every DBC of the tests', () => {
    const random = seededRandom(1);
    let decoded = 0;
    for (const text of texts) decoded += randomFrames(createCanDecoder(parseDbc(text).database, { j1939: random() < 0.5 }), random, 5_000);
    expect(decoded).toBeGreaterThan(30_000);
  });

  it('mutated DBC text parses, compiles, decodes and lists without throwing', () => {
    const random = seededRandom(2);
    let problems = 0;
    for (let i = 0; i < 1_500; i++) {
      const text = mutate(texts[i % texts.length]!, random);
      try {
        const result = parseDbc(text, { file: 'fuzz.dbc' });
        problems += result.problems.length;
        const decoder = createCanDecoder(result.database);
        randomFrames(decoder, random, 20);
        formatSignalList(result.database, { problems: result.problems });
      } catch (err) {
        throw new Error(`input ${i} (seed 2) threw: ${(err as Error).stack}\n--- text ---\n${text}`);
      }
    }
    expect(problems).toBeGreaterThan(1_000);
  });

  it('random bytes as DBC text, and pathological shapes, finish within the limits', () => {
    const random = seededRandom(3);
    for (let i = 0; i < 300; i++) {
      const text = String.fromCharCode(...Array.from({ length: Math.floor(random() * 3000) }, () => Math.floor(random() * 256)));
      expect(() => parseDbc(text)).not.toThrow();
    }
    const shapes = [
      '"'.repeat(200_000),
      'SG_ x : 0|8@1+ (1,0) [0|0] "" A\n'.repeat(20_000),
      `BO_ 1 M: 8 A\n${' SG_ s m1 : 0|1@1+ (1,0) [0|0] "" A\n'.repeat(5_000)}`,
      `BU_: ${'n '.repeat(200_000)}`,
      `VAL_TABLE_ t ${'1 "x" '.repeat(100_000)};`,
      '('.repeat(300_000),
    ];
    for (const text of shapes) {
      const { problems } = parseDbc(text, { limits: { maxSignalsPerMessage: 1000, maxOtherItems: 10_000, maxValueTableEntries: 1000 } });
      expect(problems.length).toBeLessThan(25_000);
    }
  });

  it('mutated and random candump lines never throw', () => {
    const random = seededRandom(4);
    const lines = ['(1700000000.123456) can0 123#DEADBEEF', '(1700000000.1) vcan0 1FFFFFFF##3AABB', '(1.0) c 123#R', '(1700000000.0) can0 20000080#00'];
    let frames = 0;
    for (let i = 0; i < 20_000; i++) {
      const line = i % 2 === 0 ? mutate(lines[i % lines.length]!, random) : String.fromCharCode(...Array.from({ length: Math.floor(random() * 80) }, () => 32 + Math.floor(random() * 95)));
      const result = parseCandumpLine(line);
      if (result?.ok) {
        frames++;
        expect(result.frame.data.length).toBeLessThanOrEqual(64);
      }
    }
    expect(frames).toBeGreaterThan(100);
  });

  it('mutated and random Vector ASC lines never throw, in any header state', () => {
    const random = seededRandom(6);
    const lines = [
      'date Wed Nov 15 02:13:20.125 pm 2023',
      'base hex  timestamps absolute',
      'base dec  timestamps relative',
      'Begin Triggerblock Wed Nov 15 02:13:20.125 pm 2023',
      '   0.010250 1  123             Rx   d 8 01 02 03 04 05 06 07 08  Length = 228000 BitCount = 118 ID = 291',
      '   0.020500 2  18FEF100x       Tx   d 3 0A 0B 0C',
      '   0.030000 1  7FF             Rx   r 2',
      '   0.040000 1  ErrorFrame',
      `   0.050000 CANFD   1 Rx        1A0  EngineData   1 0 f 64 ${'AB '.repeat(64)}  130000  130 3000 0 0 0 0 0`,
      '   0.060000 CANFD   2 Tx   19A0DA21x   0 1 9 12 00 01 02 03 04 05 06 07 08 09 0A 0B',
    ];
    const frames = fuzzLogReader(lines, random, (round) => createAscReader({ timeZone: round % 2 === 0 ? 'UTC' : 'Europe/Berlin', requireDate: round % 3 === 0 }));
    // Enough mutations stay frames that the frame paths ran, not only the refusals.
    expect(frames).toBeGreaterThan(50);
  });

  it('mutated and random PEAK TRC lines never throw, in any version and header state', () => {
    const random = seededRandom(7);
    const lines = [
      ';$FILEVERSION=2.1',
      ';$FILEVERSION=1.1',
      ';$FILEVERSION=1.0',
      ';$FILEVERSION=1.3',
      ';$STARTTIME=45244.9259259259',
      ';$COLUMNS=N,O,T,B,I,d,R,L,D',
      ';$COLUMNS=N,O,T,I,d,l,D',
      ';   Start time: 14.11.2023 22:13:20.000.0',
      '      1      1841.250 DT 1      0123 Rx -  8    00 01 02 03 04 05 06 07',
      `      2      1842.000 FB 2  18FEF100 Tx -  15   ${'AB '.repeat(64)}`,
      '      3      1846.000 RR 1      0300 Rx -  4',
      '      4      1847.000 ER 1      0001 Rx -  5    00 17 00 00 00',
      '      5     17540.300 ST          Rx    00 00 00 08',
      '     1)     17535.4  Tx     00000100  8  00 00 00 00 00 00 00 01',
      '     2)     17540.3  Warng  FFFFFFFF  4  00 00 00 08  BUSHEAVY',
      '     3)      1843  0004 4  ERROR 00 19 08 08',
      '     4)      1844  0100 3  RTR',
      '     5)        17535.4 1  Tx    00000100 -  8    00 00 00 00 00 00 00 02',
    ];
    const frames = fuzzLogReader(lines, random, (round) => {
      const reader = createTrcReader({ timeZone: round % 2 === 0 ? 'UTC' : 'Europe/Berlin', requireDate: round % 3 === 0 });
      // Each round from a version's header (mutations then change it, or not).
      reader.parse(lines[round % 4]!);
      if (round % 5 !== 0) reader.parse(lines[4]!);
      return reader;
    });
    // Enough mutations stay frames (of the version the reader is at) that the frame paths ran.
    expect(frames).toBeGreaterThan(20);
  });

  it('random frames through the plan of every decode fixture give valid points or counted problems, never an exception', () => {
    const random = seededRandom(5);
    const root = new URL('decode/', fixtures);
    const cases = readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    let points = 0;
    let problems = 0;
    for (const name of cases) {
      const section = canConfigSchema.parse(parse(readFileSync(new URL(`${name}/map.yaml`, root), 'utf8')));
      const resolved = resolveCanConfig(section);
      if (!resolved.ok) throw new Error(`${name}: ${JSON.stringify(resolved.issues)}`);
      const loaded = loadDbcFilesSync(resolved.config.dbc);
      const plan: CanPlan = planCan(loaded.database, resolved.config, loaded.problems).plan;
      const known = plan.decoder.decoders.map((d) => d.message);
      for (let i = 0; i < 3_000; i++) {
        const message = random() < 0.7 && known.length > 0 ? known[Math.floor(random() * known.length)]! : undefined;
        const extended = message ? message.extended : random() < 0.5;
        // J1939 messages match by PGN: vary the source address and priority around the DBC's id.
        const id = message ? (message.j1939 ? (message.id & 0x03ffff00) | (Math.floor(random() * 8) << 26) | Math.floor(random() * 256) : message.id) : Math.floor(random() * (extended ? 0x20000000 : 0x800));
        const data = Uint8Array.from({ length: Math.floor(random() * 65) }, () => Math.floor(random() * 256));
        const frame = { id, extended, fd: data.length > 8, data, timestampMs: 1_700_000_000_000 + i, timestampSource: 'log' as const, ...(random() < 0.02 ? { rtr: true } : {}), ...(random() < 0.02 ? { error: true } : {}) };
        let result;
        try {
          result = decodeFrame(plan, frame, frame.timestampMs);
        } catch (err) {
          throw new Error(`${name}, frame ${i} (seed 5: id ${id}, data ${Buffer.from(data).toString('hex')}) threw: ${(err as Error).stack}`);
        }
        if (result.rules.length !== result.points.length) throw new Error(`${name}, frame ${i}: ${result.rules.length} rules for ${result.points.length} points`);
        for (const point of result.points) {
          const invalid = validatePoint(point);
          if (invalid) throw new Error(`${name}, frame ${i}: the sink would refuse ${JSON.stringify(point)}: ${invalid}`);
        }
        points += result.points.length;
        problems += result.problems.length;
      }
    }
    expect(points).toBeGreaterThan(20_000);
    expect(problems).toBeGreaterThan(1_000);
  });

  it('mutated can sections are accepted or refused with located issues, never anything else', () => {
    const random = seededRandom(6);
    const root = new URL('decode/', fixtures);
    const maps = readdirSync(root, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => readFileSync(new URL(`${d.name}/map.yaml`, root), 'utf8'));
    let refused = 0;
    for (let i = 0; i < 400; i++) {
      const section = mutate(maps[i % maps.length]!, random).replace(/^/gm, '  ');
      const text = `source_id: fuzz\ncan:\n${section}\n`;
      try {
        parseMapping(text, 'fuzz.yaml', canBridge, {});
      } catch (err) {
        if (!(err instanceof ConfigError)) throw new Error(`input ${i} (seed 6) threw ${(err as Error).stack}\n--- text ---\n${text}`);
        expect(err.issues.length).toBeGreaterThan(0);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(100);
  });
});
