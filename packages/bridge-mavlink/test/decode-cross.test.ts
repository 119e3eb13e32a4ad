// The decoder reads fields straight from the payload by the field tables; node-mavlink's own
// deserializer (`protocol.data`) is the independent reference it must agree with, for every
// message of the ardupilotmega dialect (which includes common), with payloads full and trimmed.
import * as nm from 'node-mavlink';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMavlinkParser, decodePayload, loadDialect, type Dialect, type FieldValue, type MessageDef } from '../src/index.js';
import { prng } from './helpers/random.js';

interface NmField { source: string; name: string; type: string; offset: number; length: number; size: number }
interface NmClass { MSG_ID: number; MSG_NAME: string; PAYLOAD_LENGTH: number; FIELDS: NmField[]; new (): Record<string, unknown> }

const MODULES = ['minimal', 'standard', 'common', 'uavionix', 'icarous', 'ardupilotmega'] as const;
const classes: NmClass[] = MODULES.flatMap((m) => Object.values((nm as unknown as Record<string, { REGISTRY: Record<number, NmClass> }>)[m]!.REGISTRY));

let dialect: Dialect;
beforeAll(async () => {
  dialect = await loadDialect('ardupilotmega');
});

/** Random payload bytes, with char arrays made of printable ASCII up to a random NUL (node-mavlink reads chars as Latin-1, the package as UTF-8). */
function randomPayload(cls: NmClass, r: ReturnType<typeof prng>): Uint8Array {
  const bytes = r.bytes(cls.PAYLOAD_LENGTH);
  for (const f of cls.FIELDS.filter((x) => x.type === 'char[]')) {
    const nul = r.int(f.length + 1);
    for (let i = 0; i < f.length; i++) bytes[f.offset + i] = i < nul ? 32 + r.int(95) : 0;
  }
  return bytes;
}

function nmDecode(cls: NmClass, payload: Uint8Array): Record<string, unknown> {
  const padded = Buffer.alloc(255);
  padded.set(payload);
  return new nm.MavLinkProtocolV2().data(padded, cls as never) as unknown as Record<string, unknown>;
}

function expectSame(def: MessageDef, cls: NmClass, ours: Record<string, FieldValue>, theirs: Record<string, unknown>): void {
  for (const f of cls.FIELDS) {
    const a = ours[f.source];
    const b = theirs[f.name];
    const where = `${cls.MSG_NAME}.${f.source}`;
    if (Array.isArray(b)) {
      expect(Array.isArray(a), where).toBe(true);
      (b as unknown[]).forEach((v, i) => expect(Object.is((a as unknown[])[i], v), `${where}[${i}]: ${String((a as unknown[])[i])} vs ${String(v)}`).toBe(true));
    } else {
      expect(Object.is(a, b), `${where}: ${String(a)} vs ${String(b)}`).toBe(true);
    }
  }
  expect(Object.keys(ours).sort()).toEqual(def.fields.map((x) => x.name).sort());
}

describe('decoding agrees with node-mavlink on every message', () => {
  it(`has every message of node-mavlink's registry (${classes.length})`, () => {
    for (const cls of classes) expect(dialect.message(cls.MSG_ID)?.name, String(cls.MSG_ID)).toBe(cls.MSG_NAME);
    expect(dialect.messages().length).toBeGreaterThan(280);
  });

  it('full payloads: every field, 64-bit integers as bigint, floats and doubles bit for bit, arrays, strings', () => {
    const r = prng(2024);
    for (const cls of classes) {
      const def = dialect.message(cls.MSG_ID)!;
      for (let round = 0; round < 5; round++) {
        const payload = randomPayload(cls, r);
        expectSame(def, cls, decodePayload(def, payload), nmDecode(cls, payload));
      }
    }
  });

  it('trimmed payloads (MAVLink 2 drops trailing zeros): the missing bytes read as zeros', () => {
    const r = prng(7);
    for (const cls of classes) {
      const def = dialect.message(cls.MSG_ID)!;
      const full = randomPayload(cls, r);
      const trimmed = full.subarray(0, r.int(full.length + 1));
      expectSame(def, cls, decodePayload(def, trimmed), nmDecode(cls, trimmed));
    }
  });

  it('frames serialised by node-mavlink for every message pass the checksum and decode to the values it wrote', () => {
    const r = prng(11);
    const parser = createMavlinkParser({ dialect });
    for (const cls of classes) {
      const def = dialect.message(cls.MSG_ID)!;
      const message = nmDecode(cls, randomPayload(cls, r));
      const frame = new nm.MavLinkProtocolV2(1 + r.int(254), 1).serialize(message as never, r.int(256));
      const { frames, problems } = parser.push(frame);
      expect(problems, cls.MSG_NAME).toEqual([]);
      expect(frames.map((f) => f.message.name)).toEqual([cls.MSG_NAME]);
      expectSame(def, cls, decodePayload(def, frames[0]!.payload), message);
    }
  });
});
