import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createCanDecoder, encodeMessage, encodeRawValues, parseDbc, signalBitPositions, type CanDecoderOptions, type DbcMessage } from '../src/index.js';
import { referenceDecode, sameSignalValue } from './helpers/reference-decoder.mjs';

interface Expected {
  value: number;
  text?: string;
  exactRaw?: string;
}

interface FixtureFrame {
  id: number;
  extended?: boolean;
  fd?: boolean;
  data: string;
  message?: string;
  unknown?: boolean;
  expect?: Record<string, number | Expected>;
  absent?: string[];
  problems?: string[];
  j1939?: Record<string, number>;
  how: Record<string, string>;
}

interface Fixture {
  description: string;
  /** Signals the case lays over each other on purpose (to check many layouts in few frames): each pair, the earlier signal first, is one `overlapping_signals` problem. */
  overlaps?: [string, string][];
  options?: CanDecoderOptions;
  frames: FixtureFrame[];
}

const root = new URL('./fixtures/signals/', import.meta.url);
const cases = readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
const hex = (text: string): Uint8Array => Uint8Array.from(text.match(/../g) ?? [], (b) => parseInt(b, 16));

/** The payload bits the present signals occupy. */
function coveredBits(message: DbcMessage, present: string[], length: number): Uint8Array {
  const mask = new Uint8Array(length);
  for (const s of message.signals) {
    if (!present.includes(s.name)) continue;
    for (const p of signalBitPositions(s.startBit, s.length, s.byteOrder)) mask[p >> 3]! |= 1 << (p & 7);
  }
  return mask;
}

describe('decode fixtures (DBC files written for the tests, values computed by hand)', () => {
  it('has a folder for every layout', () => {
    expect(cases).toEqual(
      expect.arrayContaining(['little-endian', 'big-endian', 'signed', 'scaling', 'floats', 'value-tables', 'multiplexing', 'extended-multiplexing', 'extended-ids', 'can-fd', 'short-frames', 'j1939', 'wide-integers']),
    );
  });

  for (const name of cases) {
    describe(name, () => {
      const fixture = JSON.parse(readFileSync(new URL(`${name}/frames.json`, root), 'utf8')) as Fixture;
      const parsed = parseDbc(readFileSync(new URL(`${name}/case.dbc`, root), 'utf8'), { file: `${name}/case.dbc` });
      const decoder = createCanDecoder(parsed.database, fixture.options);

      it('parses without problems but the overlaps the case makes on purpose', () => {
        expect(parsed.problems.filter((p) => p.kind !== 'overlapping_signals')).toEqual([]);
        const overlaps = parsed.problems.map((p) => /^signals (\S+) .* and (\S+) \(/.exec(p.message)?.slice(1, 3));
        expect(overlaps).toEqual(fixture.overlaps ?? []);
        expect(decoder.problems).toEqual([]);
      });

      fixture.frames.forEach((f, index) => {
        const data = hex(f.data);
        const frame = { id: f.id, extended: f.extended ?? false, data };
        it(`frame ${index + 1}: ${f.unknown ? 'unknown id' : Object.keys(f.expect ?? {}).join(', ') || 'nothing'}`, () => {
          expect(Object.keys(f.how).length).toBeGreaterThan(0);
          const result = decoder.decode(frame);
          if (f.unknown) {
            expect(result).toBeUndefined();
            return;
          }
          expect(result).toBeDefined();
          const { message, signals, problems } = result!;
          if (f.message) expect(message.name).toBe(f.message);
          if (f.fd) expect(message.fd).toBe(true);
          const got = Object.fromEntries(signals.map((s) => [s.name, s]));
          expect(Object.keys(got).sort()).toEqual(Object.keys(f.expect ?? {}).sort());
          for (const [signal, expected] of Object.entries(f.expect ?? {})) {
            const e = typeof expected === 'number' ? { value: expected } : expected;
            // Exact equality: the decoder promises values free of binary noise.
            expect(got[signal]!.value, signal).toBe(e.value);
            expect(got[signal]!.text, `${signal} text`).toBe(e.text);
            expect(got[signal]!.exactRaw, `${signal} exactRaw`).toBe(e.exactRaw);
          }
          for (const signal of f.absent ?? []) expect(got[signal], signal).toBeUndefined();
          expect(problems.map((p) => p.kind)).toEqual(f.problems ?? []);
          if (f.j1939) expect(result!.j1939).toEqual(f.j1939);
          else expect(result!.j1939).toBeUndefined();

          // Against the bit-by-bit reference, which shares no code with the decoder.
          const reference = referenceDecode(message, data);
          expect([...reference.keys()].sort()).toEqual(Object.keys(got).sort());
          for (const [signal, r] of reference) {
            expect(sameSignalValue(got[signal]!.signal, got[signal]!.value, r.value), `${signal}: ${got[signal]!.value} vs ${r.value}`).toBe(true);
          }

          // Encoding the decoded values back gives the same bits wherever a present signal lives.
          const present = Object.keys(got);
          if (present.length === 0) return;
          const mask = coveredBits(message, present, data.length);
          const physical = Object.fromEntries(signals.filter((s) => s.exactRaw === undefined).map((s) => [s.name, s.value]));
          const raws = Object.fromEntries(signals.map((s) => [s.name, s.exactRaw !== undefined ? BigInt(s.exactRaw) : reference.get(s.name)!.raw]));
          const viaRaw = encodeRawValues(message, raws, { length: data.length });
          expect(Array.from(viaRaw, (b, i) => b & mask[i]!)).toEqual(Array.from(data, (b, i) => b & mask[i]!));
          // Integers beyond 2^53 have no exact physical value to encode from; they went through raw above.
          if (Object.keys(physical).length === present.length) {
            const viaPhysical = encodeMessage(message, physical, { length: data.length });
            expect(Array.from(viaPhysical, (b, i) => b & mask[i]!)).toEqual(Array.from(data, (b, i) => b & mask[i]!));
          }
        });
      });
    });
  }
});
