// Long STATUSTEXT messages put together from their chunks (id, chunk_seq; the chunk with a NUL
// is the last), bounded, and whatever comes in never throws. The decode fixture `statustext` has
// the same through the reader with frames by node-mavlink.
import { seededRandom } from '@fieldbridge/core/testing';
import { common } from 'node-mavlink';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDialect, type Dialect } from '../src/dialect.js';
import { createMavlinkReader } from '../src/reader.js';
import { createStatusTextAssembler, type StatusTextChunk } from '../src/statustext-chunks.js';
import { nmFrame } from './helpers/node-mavlink.js';

const chunk = (id: number, chunkSeq: number, text: string, sysid = 1): StatusTextChunk => ({ sysid, compid: 1, id, chunkSeq, text, last: text.length < 50 });
const fifty = (c: string): string => c.repeat(50);

let dialect: Dialect;
beforeAll(async () => {
  dialect = await loadDialect('ardupilotmega');
});

describe('the STATUSTEXT assembler', () => {
  it('keeps the texts of several senders and ids apart, and gives each whole once its last chunk comes', () => {
    const a = createStatusTextAssembler<string>();
    expect(a.take(chunk(3, 0, fifty('a')), 'first of 1/3', 0)).toEqual([]);
    expect(a.take(chunk(3, 0, fifty('b'), 2), 'first of 2/3', 1)).toEqual([]);
    expect(a.take(chunk(3, 1, 'end', 2), 'second of 2/3', 2)).toEqual([{ first: 'first of 2/3', text: `${fifty('b')}end` }]);
    expect(a.take(chunk(0, 0, 'whole'), 'whole', 3)).toEqual([{ first: 'whole', text: 'whole' }]);
    expect(a.take(chunk(3, 1, fifty('c')), 'x', 4)).toEqual([]);
    expect(a.take(chunk(3, 2, ''), 'x', 5)).toEqual([{ first: 'first of 1/3', text: `${fifty('a')}${fifty('c')}` }]);
    expect(a.held()).toBe(0);
  });

  it('is bounded: past maxHeld texts the oldest goes out with what came, chunks past maxChunks go out as they are, flush() sends the rest', () => {
    const a = createStatusTextAssembler<number>({ maxHeld: 2, maxChunks: 3 });
    a.take(chunk(1, 0, fifty('a')), 1, 0);
    a.take(chunk(2, 0, fifty('b')), 2, 0);
    expect(a.take(chunk(3, 0, fifty('c')), 3, 0)).toEqual([{ first: 1, text: `${fifty('a')}…` }]);
    expect(a.take(chunk(3, 3, fifty('d')), 4, 0)).toEqual([{ first: 4, text: fifty('d') }]);
    expect(a.flush()).toEqual([{ first: 2, text: `${fifty('b')}…` }, { first: 3, text: `${fifty('c')}…` }]);
    expect(a.held()).toBe(0);
  });

  it('never throws and stays bounded under random chunks (seeded)', () => {
    for (const seed of [1, 2, 3]) {
      const random = seededRandom(seed);
      const a = createStatusTextAssembler<number>({ maxHeld: 8 });
      let given = 0;
      let out = 0;
      for (let i = 0; i < 5_000; i++) {
        const n = Math.floor(random() * 60);
        const c = { sysid: Math.floor(random() * 4), compid: 1, id: Math.floor(random() * 6), chunkSeq: Math.floor(random() * 300), text: 'x'.repeat(n), last: n < 50 };
        given += 1;
        out += a.take(c, i, i).length;
        expect(a.held(), `seed ${seed}`).toBeLessThanOrEqual(8);
      }
      out += a.flush().length;
      expect(out, `seed ${seed}`).toBeLessThanOrEqual(given);
    }
  });

  it('the reader sends a text whose last chunk never came when its stream ends, with what came', () => {
    const reader = createMavlinkReader({ dialect, messages: { STATUSTEXT: 'default' } });
    const first = Object.assign(new common.StatusText(), { severity: 4, text: fifty('z'), id: 12, chunkSeq: 0 });
    expect(reader.read(nmFrame(first, { sysid: 1, seq: 0 }), 1_000, { datagram: true }).messages).toEqual([]);
    const { messages } = reader.end(1_500);
    expect(messages.map((m) => [m.timestampMs, m.fields.map((f) => f.value)])).toEqual([[1_000, [4, 'WARNING', `${fifty('z')}…`]]]);
  });
});
