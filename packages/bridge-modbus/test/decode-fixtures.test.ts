import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { modbusConfigSchema } from '../src/config.js';
import { decodePoint } from '../src/decode.js';
import { planRequests } from '../src/plan.js';
import { resolveConfig } from '../src/resolve.js';

const root = fileURLToPath(new URL('./fixtures/decode/', import.meta.url));
const cases = readdirSync(root).filter((name) => statSync(join(root, name)).isDirectory());

interface Registers {
  holding?: number[];
  input?: number[];
  coils?: boolean[];
  discrete?: boolean[];
}

/** Decodes a fixture the way a poll would: plan the requests, slice the bank per request, decode. */
function decodeFixture(dir: string): { metric: string; value: unknown }[] {
  const config = modbusConfigSchema.parse(parse(readFileSync(join(dir, 'map.yaml'), 'utf8')));
  const bank = JSON.parse(readFileSync(join(dir, 'registers.json'), 'utf8')) as Registers;
  const [device] = resolveConfig(config);
  if (!device) throw new Error('fixture has no device');
  const decoded = new Map<number, unknown>();
  for (const request of planRequests(device.points, device)) {
    const source = { holding: bank.holding, input: bank.input, coil: bank.coils, discrete: bank.discrete }[request.table] ?? [];
    const data = Array.from({ length: request.count }, (_, i) => source[request.address + i] ?? (typeof source[0] === 'boolean' ? false : 0));
    for (const point of request.points) decoded.set(point.index, decodePoint(point, data as number[] | boolean[], point.address - request.address));
  }
  return device.points.map((p) => ({ metric: p.metric, value: decoded.get(p.index) }));
}

describe('decoding fixtures (registers.json + map.yaml -> expected.json)', () => {
  it('has a case for every byte order', () => {
    expect(cases).toEqual(expect.arrayContaining(['abcd-all-types', 'badc-all-types', 'cdab-all-types', 'dcba-all-types']));
  });

  it.each(cases)('%s', (name) => {
    const dir = join(root, name);
    const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as unknown[];
    expect(decodeFixture(dir)).toEqual(expected);
  });
});
