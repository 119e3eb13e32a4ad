import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadOpcua, type OpcuaModule } from '../src/load.js';
import { statusNamesFrom, type StatusNames } from '../src/quality.js';
import { variantToValue, type VariantLike } from '../src/values.js';

// Variants encoded by hand after OPC UA Part 6 (see fixtures/variants/generate.py), decoded by
// node-opcua's own binary decoder, then converted: checks the conversion against the shapes
// node-opcua really produces and against values worked out without this package.
interface Case {
  name: string;
  hex: string;
  how: string;
  expected: unknown;
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/variants/variants.json', import.meta.url), 'utf8')) as { namespaces: string[]; cases: Case[] };

let opcua: OpcuaModule;
let statusNames: StatusNames;
const silent = { debug() {}, info() {}, warn() {}, error() {} };

beforeAll(async () => {
  opcua = await loadOpcua(silent);
  statusNames = statusNamesFrom(opcua.StatusCodes);
});

describe('Variants encoded after Part 6, decoded by node-opcua', () => {
  it.each(fixture.cases)('$name ($how)', ({ hex, expected }) => {
    const variant = new opcua.Variant();
    variant.decode(new opcua.BinaryStream(Buffer.from(hex, 'hex')));
    const converted = variantToValue(variant as unknown as VariantLike, { namespaces: fixture.namespaces, statusNames });
    if (expected !== null && typeof expected === 'object' && 'problem' in expected) {
      expect(converted).toMatchObject({ ok: false, kind: (expected as { problem: string }).problem });
    } else {
      expect(converted).toEqual({ ok: true, value: expected });
    }
  });
});
