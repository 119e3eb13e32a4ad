import { describe, expect, it } from 'vitest';
import { ArrayKind, BuiltinType } from '../src/builtin-types.js';
import { variantToValue, type VariantLike } from '../src/values.js';

// The conversion on values shaped the way node-opcua hands them over, without node-opcua loaded.
describe('variantToValue', () => {
  const ok = (variant: VariantLike, options = {}) => {
    const converted = variantToValue(variant, options);
    if (!converted.ok) throw new Error(`refused: ${converted.message}`);
    return converted.value;
  };

  it('joins [high, low] 64-bit halves, as numbers within +-(2^53 - 1) and text beyond', () => {
    // -2^53 + 1 = 0xFFE0000000000001: high 0xFFE00000, low 1.
    expect(ok({ dataType: BuiltinType.Int64, value: [0xffe00000, 1] })).toBe(-(2 ** 53) + 1);
    // -2^53 = 0xFFE0000000000000 is outside the safe range.
    expect(ok({ dataType: BuiltinType.Int64, value: [0xffe00000, 0] })).toBe('-9007199254740992');
    // A high half node-opcua gives as a signed int32 reads the same.
    expect(ok({ dataType: BuiltinType.Int64, value: [-1, 0xfffffffe] })).toBe(-2);
    expect(ok({ dataType: BuiltinType.UInt64, value: [1, 0] })).toBe(4294967296);
    expect(ok({ dataType: BuiltinType.UInt64, value: [0x80000000, 0] })).toBe('9223372036854775808');
    expect(ok({ dataType: BuiltinType.UInt64, value: 12n })).toBe(12);
  });

  it('gives a Float the shortest decimal of its float32 and keeps a Double as it is', () => {
    expect(ok({ dataType: BuiltinType.Float, value: Math.fround(21.7) })).toBe(21.7);
    expect(ok({ dataType: BuiltinType.Double, value: 21.7 })).toBe(21.7);
    expect(ok({ dataType: BuiltinType.Float, value: Math.fround(-0.000123) })).toBe(-0.000123);
  });

  it('refuses what the ingest service would refuse, naming the reason', () => {
    expect(variantToValue({ dataType: BuiltinType.Double, value: Number.NaN })).toMatchObject({ ok: false, kind: 'not_finite' });
    expect(variantToValue({ dataType: BuiltinType.String, value: 'x'.repeat(70_000) })).toMatchObject({ ok: false, kind: 'too_large' });
    expect(variantToValue({ dataType: BuiltinType.String, value: 'x'.repeat(100) }, { maxValueBytes: 50 })).toMatchObject({ ok: false, kind: 'too_large' });
    expect(variantToValue({ dataType: BuiltinType.Int32, arrayType: ArrayKind.Array, value: new Int32Array(20) }, { maxArrayLength: 10 })).toMatchObject({ ok: false, kind: 'too_large' });
    expect(variantToValue({ dataType: BuiltinType.String, arrayType: ArrayKind.Array, value: Array.from({ length: 100 }, () => 'y'.repeat(1000)) })).toMatchObject({ ok: false, kind: 'too_large' });
    expect(variantToValue({ dataType: BuiltinType.DiagnosticInfo, value: {} })).toMatchObject({ ok: false, kind: 'unsupported_type' });
    expect(variantToValue({ dataType: BuiltinType.Int32, value: 'seven' })).toMatchObject({ ok: false, kind: 'malformed' });
  });

  it('counts text size in UTF-8 bytes: 30000 three-byte characters are too large for 64 KiB', () => {
    expect(variantToValue({ dataType: BuiltinType.String, value: '€'.repeat(20_000) })).toMatchObject({ ok: true });
    expect(variantToValue({ dataType: BuiltinType.String, value: '€'.repeat(30_000) })).toMatchObject({ ok: false, kind: 'too_large' });
  });

  it('writes structured values as text', () => {
    const node = { identifierType: 2, value: 'Boiler.Temperature', namespace: 2 };
    expect(ok({ dataType: BuiltinType.NodeId, value: node })).toBe('ns=2;s=Boiler.Temperature');
    expect(ok({ dataType: BuiltinType.NodeId, value: node }, { namespaces: ['http://opcfoundation.org/UA/', 'urn:s', 'urn:plant'] })).toBe('nsu=urn:plant;s=Boiler.Temperature');
    expect(ok({ dataType: BuiltinType.ExpandedNodeId, value: { identifierType: 1, value: 5, namespace: 0, serverIndex: 2 } })).toBe('svr=2;i=5');
    expect(ok({ dataType: BuiltinType.QualifiedName, value: { namespaceIndex: 0, name: 'Speed' } })).toBe('Speed');
    expect(ok({ dataType: BuiltinType.LocalizedText, value: { locale: 'de', text: 'Drehzahl' } })).toBe('Drehzahl');
    expect(ok({ dataType: BuiltinType.LocalizedText, value: { locale: 'de', text: null } })).toBe(null);
    expect(ok({ dataType: BuiltinType.StatusCode, value: { value: 0x80340000 } })).toBe('0x80340000');
    expect(ok({ dataType: BuiltinType.StatusCode, value: 0 })).toBe('Good');
    expect(ok({ dataType: BuiltinType.ByteString, value: new Uint8Array([0xfb, 0xff]) })).toBe('+/8=');
    expect(ok({ dataType: BuiltinType.DateTime, value: new Date(Date.UTC(1970, 0, 1, 0, 0, 1)) })).toBe(1000);
    expect(ok({ dataType: BuiltinType.DateTime, value: new Date(Date.UTC(1601, 0, 1)) })).toBe(null);
  });

  it('writes an ExtensionObject as JSON, through its toJSON when it has one, with 64-bit integers as text', () => {
    const structure = { toJSON: () => ({ low: 1, high: 2, when: new Date(0) }) };
    expect(ok({ dataType: BuiltinType.ExtensionObject, value: structure })).toEqual({ low: 1, high: 2, when: '1970-01-01T00:00:00.000Z' });
    expect(ok({ dataType: BuiltinType.ExtensionObject, value: { big: 2n ** 70n } })).toEqual({ big: '1180591620717411303424' });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(variantToValue({ dataType: BuiltinType.ExtensionObject, value: cyclic })).toMatchObject({ ok: false, kind: 'malformed' });
  });

  it('unwraps a Variant inside a Variant, and bounds the nesting', () => {
    let inner: VariantLike = { dataType: BuiltinType.Int32, value: 7 };
    expect(ok({ dataType: BuiltinType.Variant, value: inner })).toBe(7);
    for (let i = 0; i < 6; i++) inner = { dataType: BuiltinType.Variant, value: inner };
    expect(variantToValue(inner)).toMatchObject({ ok: false, kind: 'unsupported_type' });
  });

  it('shapes a matrix by its dimensions and refuses dimensions that do not fit', () => {
    expect(ok({ dataType: BuiltinType.Byte, arrayType: ArrayKind.Matrix, dimensions: [3, 1], value: new Uint8Array([1, 2, 3]) })).toEqual([[1], [2], [3]]);
    expect(ok({ dataType: BuiltinType.Int16, arrayType: ArrayKind.Matrix, dimensions: [2, 2, 2], value: new Int16Array([1, 2, 3, 4, 5, 6, 7, 8]) })).toEqual([
      [[1, 2], [3, 4]],
      [[5, 6], [7, 8]],
    ]);
    expect(variantToValue({ dataType: BuiltinType.Int16, arrayType: ArrayKind.Matrix, dimensions: [2, 2], value: new Int16Array(3) })).toMatchObject({ ok: false, kind: 'malformed' });
  });

  // Bounded time: 20000 conversions run well inside the test timeout.
  it('never throws on random shapes (fuzz)', () => {
    let seed = 42;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const junk = (): unknown => {
      const pick = Math.floor(rnd() * 12);
      switch (pick) {
        case 0: return null;
        case 1: return rnd() * 1e6 - 5e5;
        case 2: return 'txt'.repeat(Math.floor(rnd() * 5));
        case 3: return [Math.floor(rnd() * 2 ** 32), Math.floor(rnd() * 2 ** 32)];
        case 4: return new Uint8Array(Math.floor(rnd() * 8));
        case 5: return { identifierType: Math.floor(rnd() * 6), value: rnd(), namespace: Math.floor(rnd() * 5) };
        case 6: return new Date(rnd() * 1e13);
        case 7: return [junk(), junk()];
        case 8: return { text: junk(), name: junk(), value: junk() };
        case 9: return Number.NaN;
        case 10: return { dataType: Math.floor(rnd() * 30), value: junk() };
        default: return undefined;
      }
    };
    for (let i = 0; i < 20_000; i++) {
      const variant = { dataType: Math.floor(rnd() * 30) - 2, arrayType: Math.floor(rnd() * 4), value: junk(), dimensions: rnd() < 0.5 ? [Math.floor(rnd() * 3)] : null };
      expect(() => variantToValue(variant as VariantLike)).not.toThrow();
    }
  });
});
