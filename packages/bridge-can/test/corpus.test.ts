import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  createCanDecoder,
  encodeMessage,
  encodeRawValues,
  formatDbcProblem,
  parseDbc,
  parseDbcSources,
  signalBitPositions,
  type DbcMessage,
} from '../src/index.js';
import { referenceDecode, sameSignalValue } from './helpers/reference-decoder.mjs';
import { seededRandom } from '@fieldbridge/core/testing';

/**
 * Real DBC files from opendbc live outside the repository, in a shared/fixtures/dbc folder next
 * to the checkout or above it, or in the development machines' /work/shared (where a CI clone
 * made elsewhere finds it), or wherever CAN_DBC_CORPUS points. A user's clone has none: then
 * this file says so in a skipped test.
 */
function findCorpus(): string | undefined {
  if (process.env.CAN_DBC_CORPUS) return existsSync(process.env.CAN_DBC_CORPUS) ? process.env.CAN_DBC_CORPUS : undefined;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'shared', 'fixtures', 'dbc');
    if (existsSync(join(candidate, 'tesla_can.dbc'))) return candidate;
    dir = dirname(dir);
  }
  const machines = '/work/shared/fixtures/dbc';
  return existsSync(join(machines, 'tesla_can.dbc')) ? machines : undefined;
}

const FILES = ['ESR.dbc', 'tesla_can.dbc', 'toyota_prius_2010_pt.dbc'];
const FRAMES_PER_MESSAGE = 80;
/** Generous: a loaded 2-core machine runs this several times slower than an idle one. */
const SLOW_TEST_MS = 120_000;
const corpus = findCorpus();

/** The payload bits the named signals occupy. */
function mask(message: DbcMessage, names: string[], length: number): Uint8Array {
  const m = new Uint8Array(length);
  for (const s of message.signals) if (names.includes(s.name)) for (const p of signalBitPositions(s.startBit, s.length, s.byteOrder)) m[p >> 3]! |= 1 << (p & 7);
  return m;
}

if (!corpus) {
  console.info('corpus.test.ts: no shared/fixtures/dbc folder next to the checkout (and CAN_DBC_CORPUS unset): the opendbc corpus test is skipped');
  it.skip('corpus of real DBC files (shared/fixtures/dbc) not found next to the checkout: skipped; set CAN_DBC_CORPUS to run it', () => undefined);
} else {
  const sources = FILES.map((file) => ({ file, text: readFileSync(join(corpus, file), 'latin1') }));

  describe(`the opendbc corpus in ${corpus}`, () => {
    it('parses all three files; the only problems are real ones in the files', () => {
      const each = sources.map((s) => parseDbc(s.text, { file: s.file }));
      expect(each.map((r) => [r.database.messages.length, r.database.messages.reduce((n, m) => n + m.signals.length, 0)])).toEqual([
        [80, 868],
        [44, 572],
        [26, 78],
      ]);
      expect(each.flatMap((r) => r.problems).map(formatDbcProblem)).toEqual([
        // tesla_can.dbc gives a value table to a signal of another message.
        'tesla_can.dbc:783:1: VAL_: signal UI_mapSpeedLimit of message UI_driverAssistRoadSign is not defined; the statement was ignored',
      ]);
    });

    it('merges them, reporting the ids Tesla and Toyota both use', () => {
      const { problems } = parseDbcSources(sources);
      expect(problems.filter((p) => p.kind === 'duplicate_id').map(formatDbcProblem)).toEqual([
        'toyota_prius_2010_pt.dbc:105:1: message PRE_COLLISION has the id 0x283 of BODY_R1 (tesla_can.dbc:305); the first definition is used',
        'toyota_prius_2010_pt.dbc:137:1: message PCM_CRUISE_SM has the id 0x399 of AutopilotStatus (tesla_can.dbc:666); the first definition is used',
      ]);
    });

    for (const source of sources) {
      it(`${source.file}: random frames decode as the bit-by-bit reference does, and encode back to the same bits`, () => {
        const database = parseDbc(source.text, { file: source.file }).database;
        const decoder = createCanDecoder(database);
        const random = seededRandom(source.file.length);
        let values = 0;
        let frames = 0;
        for (const message of database.messages) {
          const switches = message.signals.filter((s) => s.isMultiplexer);
          for (let i = 0; i < FRAMES_PER_MESSAGE; i++) {
            let data: Uint8Array = Uint8Array.from({ length: message.length }, () => (i === 0 ? 0 : i === 1 ? 255 : Math.floor(random() * 256)));
            // Visit every page of a multiplexed message, not only those random bytes pick.
            const page = switches[0] && i >= 2 ? switches[0].name : undefined;
            if (page) {
              const selected = message.signals.filter((s) => s.multiplexer?.signal === page).flatMap((s) => s.multiplexer!.ranges.map((r) => r.min));
              data = encodeRawValues(message, { [page]: selected[i % selected.length] ?? 0 }, { base: data });
            }
            const result = decoder.decode({ id: message.id, extended: message.extended, data })!;
            expect(result.problems).toEqual([]);
            const reference = referenceDecode(message, data);
            const got = new Map(result.signals.map((s) => [s.name, s]));
            expect([...got.keys()].sort()).toEqual([...reference.keys()].sort());
            for (const [name, r] of reference) {
              if (!sameSignalValue(got.get(name)!.signal, got.get(name)!.value, r.value)) {
                expect({ message: message.name, name, data: Buffer.from(data).toString('hex'), got: got.get(name)!.value }).toEqual({ message: message.name, name, data: Buffer.from(data).toString('hex'), got: r.value });
              }
              values++;
            }
            // Physical values encode back to the very bits they came from (when the value is exact).
            const names = [...got.keys()];
            const physical = Object.fromEntries(result.signals.filter((s) => s.exactRaw === undefined).map((s) => [s.name, s.value]));
            const covered = mask(message, names, data.length);
            const encoded = Object.keys(physical).length === names.length
              ? encodeMessage(message, physical, { length: data.length })
              : encodeRawValues(message, Object.fromEntries(result.signals.map((s) => [s.name, s.exactRaw !== undefined ? BigInt(s.exactRaw) : reference.get(s.name)!.raw])), { length: data.length });
            expect(Array.from(encoded, (b, k) => b & covered[k]!)).toEqual(Array.from(data, (b, k) => b & covered[k]!));
            // And decode to the same values.
            const again = decoder.decode({ id: message.id, extended: message.extended, data: encoded })!;
            expect(again.signals.map((s) => [s.name, s.value])).toEqual(result.signals.map((s) => [s.name, s.value]));
            frames++;
          }
        }
        expect(frames).toBe(database.messages.length * FRAMES_PER_MESSAGE);
        expect(values).toBeGreaterThan(frames);
      }, SLOW_TEST_MS);
    }
  });
}
