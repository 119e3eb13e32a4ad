import { describe, expect, it } from 'vitest';
import { decodeMessage } from '../src/decode.js';
import { resolveSubscriptions } from '../src/resolve.js';
import { section } from './helpers/mqtt.js';

// A switch state written as text reads alike whether it is the whole payload (format boolean) or a
// JSON string (type boolean), as gateways that quote every value send it (`{"relay": "1"}`).
const [bare, quoted, bareNamed, quotedNamed] = resolveSubscriptions(
  section({
    url: 'mqtt://x',
    subscriptions: [
      { topic: 'bare/+', format: 'boolean', metric: 'bare' },
      { topic: 'json/+', metric: 'json', value: '$.relay', type: 'boolean' },
      { topic: 'bare-named/+', format: 'boolean', metric: 'bare-named', payload_on: 'open', payload_off: 'close' },
      { topic: 'json-named/+', metric: 'json-named', value: '$.relay', type: 'boolean', payload_on: 'open', payload_off: 'close' },
    ],
  }),
);

/** The value read from `text`, or the kind of problem. */
function read(sub: typeof bare, text: string, asJson: boolean): unknown {
  const payload = Buffer.from(asJson ? JSON.stringify({ relay: text }) : text);
  const decoded = decodeMessage(sub!, { topic: `${sub!.name}/d1`, payload, receivedAtMs: 1_800_000_000_000 });
  return decoded.points[0]?.value ?? decoded.problems.map((p) => p.kind).join(',');
}

describe('a switch state as text', () => {
  it('reads "1"/"0" in a JSON string as format boolean reads the bare 1/0, and refuses other numbers alike', () => {
    const texts = ['1', '0', ' 1 ', '0\n', 'ON', 'off', 'True', 'FALSE', '2', '10', '-1', '1.0', '01', 'yes', 'toggle', 'open', 'Close'];
    const seen = texts.map((text) => [text, read(bare, text, false), read(quoted, text, true), read(bareNamed, text, false), read(quotedNamed, text, true)]);
    for (const [text, plain, json, plainNamed, jsonNamed] of seen) {
      expect(json, `type boolean reads ${JSON.stringify(text)} as format boolean does`).toEqual(plain);
      expect(jsonNamed, `with payload_on/off, ${JSON.stringify(text)}`).toEqual(plainNamed);
    }
    expect(Object.fromEntries(seen.map(([text, , json, , jsonNamed]) => [text, [json, jsonNamed]]))).toEqual({
      '1': [true, true],
      '0': [false, false],
      ' 1 ': [true, true],
      '0\n': [false, false],
      ON: [true, true],
      off: [false, false],
      True: [true, true],
      FALSE: [false, false],
      '2': ['wrong_type', 'wrong_type'],
      '10': ['wrong_type', 'wrong_type'],
      '-1': ['wrong_type', 'wrong_type'],
      '1.0': ['wrong_type', 'wrong_type'],
      '01': ['wrong_type', 'wrong_type'],
      yes: ['wrong_type', 'wrong_type'],
      toggle: ['wrong_type', 'wrong_type'],
      open: ['wrong_type', true],
      Close: ['wrong_type', false],
    });
  });
});
