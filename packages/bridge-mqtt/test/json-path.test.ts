import { describe, expect, it } from 'vitest';
import { evaluateJsonPath, formatJsonPath, missingHint, parseJsonPath, type JsonPath } from '../src/json-path.js';

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

// "$.value: not in this payload" said nothing of what the payload has: a path to a missing field is a common mapping mistake.
describe('missingHint', () => {
  const hint = (path: string, payload: unknown): string => {
    const parsed = parseJsonPath(path);
    if (!parsed.ok) throw new Error(parsed.message);
    return missingHint(parsed.path, payload);
  };
  it.each([
    ['$.value', { Value: 1 }, 'did you mean $.Value?'],
    ['$.temperatur', { temperature: 21.5, humidity: 40 }, 'did you mean $.temperature?'],
    ['$.ENERGY.power', { ENERGY: { Power: 45, Total: 1 } }, 'did you mean $.ENERGY.Power?'],
    ['$.t', { battery: 97, humidity: 48, linkquality: 120 }, 'the payload has battery, humidity, linkquality'],
    ['$.a.b', { a: { x: 1, y: 2 } }, '$.a has x, y'],
    ['$.value', 21.5, 'the payload is a number, not an object: read it with format: number'],
    ['$.state', 'ON', 'the payload is a string, not an object: read it with format: text'],
    ['$.temp', [{ temp: 1 }], '$ is an array of 1, not an object: did you mean $[0].temp?'],
    ['$.sensors.t', { sensors: [1, 2] }, '$.sensors is an array of 2, not an object: name an element, e.g. $.sensors[0]'],
    ['$.arr[3]', { arr: [1, 2] }, '$.arr has 2 elements ($.arr[0] to $.arr[1])'],
    ['$.a[0]', { a: { b: 1 } }, '$.a is an object, not an array'],
    ['$.a.b', { a: null }, '$.a is null, not an object'],
  ])('%s in %j: %s', (path, payload, expected) => {
    expect(hint(path, payload)).toBe(expected);
  });
});
