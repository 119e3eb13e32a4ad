import { describe, expect, it } from 'vitest';
import { float32Value } from '../src/point/float32.js';

const f32 = (x: number): number => new Float32Array([x])[0]!;

describe('float32Value', () => {
  it('gives the decimal a user typed into a float32 register', () => {
    expect(f32(1459.4376)).toBe(1459.4376220703125);
    expect(float32Value(f32(1459.4376))).toBe(1459.4376);
    expect(float32Value(f32(0.1))).toBe(0.1);
    expect(float32Value(f32(-273.15))).toBe(-273.15);
    expect(float32Value(f32(3.4028234663852886e38))).toBe(3.4028235e38);
    expect(float32Value(f32(1.401298464324817e-45))).toBe(1e-45);
    expect(float32Value(f32(16777217))).toBe(16777216);
  });

  it('returns the shortest decimal that reads back to the same float32, for random bit patterns', () => {
    const view = new DataView(new ArrayBuffer(4));
    let seed = 12345;
    for (let i = 0; i < 20_000; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      view.setUint32(0, seed);
      const f = view.getFloat32(0);
      if (!Number.isFinite(f)) continue;
      const out = float32Value(f);
      expect(Math.fround(out)).toBe(f);
      // No shorter decimal reads back to the same float32.
      const digits = out === 0 ? 1 : out.toExponential().replace(/e.*$/, '').replace(/[-.]/g, '').length;
      if (digits > 1) expect(Math.fround(Number(f.toPrecision(digits - 1)))).not.toBe(f);
    }
  });

  it('passes zero, NaN and infinities through', () => {
    expect(float32Value(0)).toBe(0);
    expect(Object.is(float32Value(-0), -0)).toBe(true);
    expect(float32Value(Number.NaN)).toBeNaN();
    expect(float32Value(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
  });
});
