import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseRecordLine } from '../src/advert/record.js';
import { parseBindKey } from '../src/decode/bthome-crypto.js';
import { BthomeState } from '../src/decode/bthome-state.js';
import { compileCustomDecoder, type CustomDecoderSpec } from '../src/decode/custom.js';
import { decodeAdvert, type AdvertDecoderName } from '../src/decode/decode-advert.js';

const root = fileURLToPath(new URL('./fixtures/adverts/', import.meta.url));
const cases = readdirSync(root).filter((name) => statSync(join(root, name)).isDirectory());

interface Case {
  spec: string;
  decoder: AdvertDecoderName;
  bindKey?: string;
  rssi?: boolean;
  custom?: CustomDecoderSpec;
}

interface Expected {
  found: boolean;
  measurements: unknown[];
  problems: string[];
  duplicate?: boolean;
  identity?: Record<string, unknown>;
  bthome?: Record<string, unknown>;
}

/** Decodes a case's adverts in file order with one BTHome state, as a source does for one adapter. */
function decodeCase(dir: string): Expected[] {
  const c = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as Case;
  const state = new BthomeState();
  const custom = c.custom ? compileCustomDecoder(c.custom) : undefined;
  const lines = readFileSync(join(dir, 'adverts.ndjson'), 'utf8').split('\n').filter((l) => l.length > 0);
  return lines.map((line, i) => {
    const parsed = parseRecordLine(line);
    if (!parsed.ok) throw new Error(`${dir} line ${i + 1}: ${parsed.reason}`);
    const r = decodeAdvert(parsed.advert, {
      decoder: c.decoder,
      state,
      ...(c.bindKey ? { bindKey: parseBindKey(c.bindKey) } : {}),
      ...(custom ? { custom } : {}),
      ...(c.rssi ? { rssi: true } : {}),
    });
    for (const p of r.problems) expect(p.address, 'problems name their device').toBe(parsed.advert.address);
    const out: Expected = { found: r.found, measurements: r.measurements, problems: r.problems.map((p) => p.kind) };
    if (r.duplicate) out.duplicate = true;
    if (r.identity) out.identity = r.identity;
    if (r.bthome) out.bthome = { ...r.bthome };
    return out;
  });
}

describe('advert fixtures (adverts.ndjson + case.json -> expected.json)', () => {
  it('has a case for every built-in decoder and for encrypted BTHome and pvvx/ATC with right, wrong and missing keys', () => {
    expect(cases).toEqual(expect.arrayContaining(['bthome-objects', 'bthome-encrypted', 'bthome-wrong-key', 'bthome-no-key', 'ruuvi-rawv2', 'atc1441', 'pvvx', 'pvvx-encrypted', 'pvvx-encrypted-key', 'atc1441-encrypted-key', 'xiaomi-wrong-key', 'ibeacon', 'eddystone', 'custom-manufacturer']));
  });

  it.each(cases)('%s', (name) => {
    const dir = join(root, name);
    const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected[];
    const actual = decodeCase(dir);
    // bthome info is compared only where the fixture states it.
    const comparable = actual.map((a, i) => (expected[i]?.bthome ? a : (({ bthome: _, ...rest }) => rest)(a)));
    expect(comparable).toEqual(expected);
  });
});
