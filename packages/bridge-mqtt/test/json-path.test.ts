import { describe, expect, it } from 'vitest';
import { evaluateJsonPath, formatJsonPath, parseJsonPath, type JsonPath } from '../src/json-path.js';

const path = (text: string): JsonPath => {
  const parsed = parseJsonPath(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.path;
};

describe('JSON paths', () => {
  it.each([
    ['$', []],
    ['$.a', [{ key: 'a' }]],
    ['$.reading.value', [{ key: 'reading' }, { key: 'value' }]],
    ['$.a[0].b', [{ key: 'a' }, { index: 0 }, { key: 'b' }]],
    ['$[2][10]', [{ index: 2 }, { index: 10 }]],
    ["$['temp (C)']", [{ key: 'temp (C)' }]],
    ['$["it\'s"]', [{ key: "it's" }]],
    ["$['a\\'b']", [{ key: "a'b" }]],
    ['$.temp-c.x_y', [{ key: 'temp-c' }, { key: 'x_y' }]],
  ])('parses %s', (text, steps) => {
    expect(path(text).steps).toEqual(steps);
  });

  it.each([
    ['a.b', 'must start with $ at character 1'],
    ['$.', 'expected a key after "." at character 3'],
    ['$..a', 'expected a key after "." at character 3'],
    ['$[*]', "expected [<index>] or ['key'] at character 2"],
    ['$[-1]', "expected [<index>] or ['key'] at character 2"],
    ["$['open]", "expected [<index>] or ['key'] at character 2"],
    ['$a', 'unexpected "a" at character 2'],
    ['$.a[?(@.b)]', "expected [<index>] or ['key'] at character 4"],
  ])('refuses %s', (text, message) => {
    const parsed = parseJsonPath(text);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.message).toContain(message);
  });

  it('formats steps back to text', () => {
    expect(formatJsonPath(path("$.a[3]['b c'].d").steps)).toBe("$.a[3]['b c'].d");
  });

  it('reads values and names the first missing step', () => {
    const doc = { a: { b: [10, { c: 'x' }] }, n: null };
    expect(evaluateJsonPath(path('$.a.b[1].c'), doc)).toEqual({ found: true, value: 'x' });
    expect(evaluateJsonPath(path('$.n'), doc)).toEqual({ found: true, value: null });
    expect(evaluateJsonPath(path('$'), 5)).toEqual({ found: true, value: 5 });
    expect(evaluateJsonPath(path('$.a.x.y'), doc)).toEqual({ found: false, missing: '$.a.x' });
    expect(evaluateJsonPath(path('$.a.b[5]'), doc)).toEqual({ found: false, missing: '$.a.b[5]' });
    expect(evaluateJsonPath(path('$.a[0]'), doc)).toEqual({ found: false, missing: '$.a[0]' });
    expect(evaluateJsonPath(path('$.a.b.length'), doc)).toEqual({ found: false, missing: '$.a.b.length' });
  });

  it('never follows prototypes', () => {
    const doc = JSON.parse('{"x": {}}') as unknown;
    expect(evaluateJsonPath(path('$.x.constructor'), doc).found).toBe(false);
    expect(evaluateJsonPath(path('$.__proto__'), {}).found).toBe(false);
    expect(evaluateJsonPath(path('$.toString'), doc).found).toBe(false);
  });
});
