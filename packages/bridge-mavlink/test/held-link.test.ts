// The link kept open across a reload: what arrives while no instance reads it is held in order,
// bounded, and handed to the next reader first; past the bound it is counted, not kept.
import { describe, expect, it } from 'vitest';
import { MAX_HELD_BYTES, MAX_HELD_CHUNKS, startHeldLink } from '../src/_held-link.js';
import type { LinkChunk, LinkHandlers, MavlinkLink } from '../src/link.js';

/** A link the test feeds by hand: `push` is a datagram arriving. */
function handLink(): { link: MavlinkLink; push(bytes: Buffer): void; closed(): boolean } {
  let handlers: LinkHandlers | undefined;
  let closed = false;
  const link: MavlinkLink = {
    spec: { kind: 'udpin', host: '127.0.0.1', port: 0 },
    async start(h) {
      handlers = h;
      h.state?.('open');
    },
    send: async () => 0,
    peers: () => [],
    localAddress: () => ({ host: '127.0.0.1', port: 14550 }),
    pause: () => undefined,
    resume: () => undefined,
    stats: () => ({ chunks: 0, bytes: 0, dropped: 0, errors: 0 }),
    async close() {
      closed = true;
    },
  };
  return { link, push: (bytes) => handlers!.data({ bytes, peer: 'udp:127.0.0.1:1', datagram: true }), closed: () => closed };
}

/** A reader that records what it is told. */
function recorder(): { handlers: LinkHandlers; chunks: LinkChunk[]; states: string[] } {
  const chunks: LinkChunk[] = [];
  const states: string[] = [];
  return { handlers: { data: (c) => void chunks.push(c), state: (s) => void states.push(s) }, chunks, states };
}

describe('a held link', () => {
  it('hands what arrived while detached to the next reader first, in order, with how long it waited; then reads on', async () => {
    const fed = handLink();
    const held = await startHeldLink(fed.link);
    const first = recorder();
    expect(held.attach(first.handlers)).toBe(0);
    expect(first.states).toEqual(['open']);
    fed.push(Buffer.from([1]));
    held.detach();
    fed.push(Buffer.from([2]));
    fed.push(Buffer.from([3]));
    const second = recorder();
    expect(held.attach(second.handlers)).toBe(0);
    fed.push(Buffer.from([4]));
    expect(first.chunks.map((c) => c.bytes[0])).toEqual([1]);
    expect(second.states).toEqual(['open']);
    expect(second.chunks.map((c) => c.bytes[0])).toEqual([2, 3, 4]);
    expect(second.chunks[0]!.waitedMs).toBeGreaterThanOrEqual(0);
    expect(second.chunks[2]!.waitedMs).toBeUndefined();
    await held.close();
    expect(fed.closed()).toBe(true);
  });

  it(`holds at most ${MAX_HELD_CHUNKS} datagrams, and counts the ones past that for the next reader`, async () => {
    const fed = handLink();
    const held = await startHeldLink(fed.link);
    for (let i = 0; i < MAX_HELD_CHUNKS + 5; i += 1) fed.push(Buffer.from([i & 0xff]));
    const next = recorder();
    expect(held.attach(next.handlers)).toBe(5);
    expect(next.chunks).toHaveLength(MAX_HELD_CHUNKS);
    // Counted once: the count starts over.
    held.detach();
    expect(held.attach(recorder().handlers)).toBe(0);
  });

  it(`holds at most ${MAX_HELD_BYTES} bytes`, async () => {
    const fed = handLink();
    const held = await startHeldLink(fed.link);
    const big = Buffer.alloc(60_000);
    const fits = Math.floor(MAX_HELD_BYTES / big.length);
    for (let i = 0; i < fits + 3; i += 1) fed.push(big);
    const next = recorder();
    expect(held.attach(next.handlers)).toBe(3);
    expect(next.chunks).toHaveLength(fits);
  });
});
