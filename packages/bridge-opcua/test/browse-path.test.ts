import { describe, expect, it } from 'vitest';
import { formatBrowsePath, parseBrowsePath } from '../src/browse-path.js';

describe('parseBrowsePath', () => {
  it('reads names separated by /, with optional namespace indexes and a leading /', () => {
    expect(parseBrowsePath('Boiler/Temperature')).toEqual({ ok: true, steps: [{ name: 'Boiler' }, { name: 'Temperature' }] });
    expect(parseBrowsePath('/2:Boiler/2:Temperature')).toEqual({ ok: true, steps: [{ name: 'Boiler', namespaceIndex: 2 }, { name: 'Temperature', namespaceIndex: 2 }] });
    expect(parseBrowsePath('Server')).toEqual({ ok: true, steps: [{ name: 'Server' }] });
  });

  it('takes & as the escape character of RelativePath text', () => {
    expect(parseBrowsePath('Line&/1/Motor')).toEqual({ ok: true, steps: [{ name: 'Line/1' }, { name: 'Motor' }] });
    expect(parseBrowsePath('&2:x')).toEqual({ ok: true, steps: [{ name: '2:x' }] });
    expect(parseBrowsePath('a&&b')).toEqual({ ok: true, steps: [{ name: 'a&b' }] });
  });

  it.each([
    ['', /empty step 1/],
    ['Boiler//Temperature', /empty step 2/],
    ['Boiler/', /empty step 2/],
    ['Boiler&', /escape character/],
    ['99999:Boiler', /above 65535/],
    [Array.from({ length: 40 }, () => 'a').join('/'), /more than 32 steps/],
  ])('refuses %j', (text, why) => {
    const parsed = parseBrowsePath(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toMatch(why);
  });

  it('round-trips through formatBrowsePath, escapes included (fuzz)', () => {
    const alphabet = 'ab/&:12 ';
    let seed = 3;
    const rnd = (n: number): number => ((seed = (seed * 48271) % 2147483647) % n);
    for (let i = 0; i < 20_000; i++) {
      const text = Array.from({ length: rnd(20) }, () => alphabet[rnd(alphabet.length)]).join('');
      const parsed = parseBrowsePath(text);
      if (parsed.ok) expect(parseBrowsePath(formatBrowsePath(parsed.steps))).toEqual(parsed);
    }
  });
});
